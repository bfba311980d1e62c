/// A command APDU (ISO/IEC 7816-4 §5.1), short or extended.
///
/// `expectedLength` (Le) is the number of response bytes asked for: nil for none, 256 for a
/// short `00`, up to 65536 for an extended one. The encoding is extended only when the data
/// or Le do not fit the short form.
public struct CommandAPDU: Hashable, Sendable, CustomStringConvertible {
    public var cla: UInt8
    public var ins: UInt8
    public var p1: UInt8
    public var p2: UInt8
    public var data: [UInt8]
    public var expectedLength: Int?

    /// Programmer error (traps): data over 65535 bytes or Le outside 1...65536.
    public init(cla: UInt8 = 0x00, ins: UInt8, p1: UInt8, p2: UInt8, data: [UInt8] = [], expectedLength: Int? = nil) {
        precondition(data.count <= 65535, "APDU data longer than 65535 bytes")
        if let le = expectedLength { precondition((1...65536).contains(le), "Le must be 1...65536") }
        self.cla = cla
        self.ins = ins
        self.p1 = p1
        self.p2 = p2
        self.data = data
        self.expectedLength = expectedLength
    }

    /// Extended length encoding is needed when data exceed 255 bytes or Le exceeds 256.
    public var isExtended: Bool { data.count > 255 || (expectedLength ?? 0) > 256 }

    /// The bytes sent to the card.
    public var bytes: [UInt8] {
        var out: [UInt8] = [cla, ins, p1, p2]
        out.reserveCapacity(4 + data.count + 5)
        if isExtended {
            out.append(0x00)
            if !data.isEmpty {
                out.append(UInt8(data.count >> 8))
                out.append(UInt8(data.count & 0xFF))
                out.append(contentsOf: data)
            }
            if let le = expectedLength {
                let v = le == 65536 ? 0 : le
                out.append(UInt8(v >> 8))
                out.append(UInt8(v & 0xFF))
            }
        } else {
            if !data.isEmpty {
                out.append(UInt8(data.count))
                out.append(contentsOf: data)
            }
            if let le = expectedLength { out.append(le == 256 ? 0 : UInt8(le)) }
        }
        return out
    }

    /// Parses bytes received by a card, distinguishing the seven ISO 7816-4 cases.
    /// Throws `APDUFormatError` for anything malformed (what a card answers with 6700).
    public init(bytes b: [UInt8]) throws(APDUFormatError) {
        guard b.count >= 4 else { throw .tooShort(b.count) }
        cla = b[0]; ins = b[1]; p1 = b[2]; p2 = b[3]
        data = []
        expectedLength = nil
        let body = b.count - 4
        if body == 0 { return }                                  // case 1
        let first = Int(b[4])
        if body == 1 {                                           // case 2S
            expectedLength = first == 0 ? 256 : first
            return
        }
        if first != 0 {                                          // case 3S / 4S
            let lc = first
            if body == 1 + lc { data = Array(b[5..<(5 + lc)]); return }
            if body == 2 + lc {
                data = Array(b[5..<(5 + lc)])
                let le = Int(b[5 + lc])
                expectedLength = le == 0 ? 256 : le
                return
            }
            throw .lengthMismatch(declared: lc, actual: body - 1)
        }
        // first == 0 and more bytes follow: extended forms.
        guard body >= 3 else { throw .lengthMismatch(declared: 0, actual: body - 1) }
        let n = Int(b[5]) << 8 | Int(b[6])
        if body == 3 {                                           // case 2E
            expectedLength = n == 0 ? 65536 : n
            return
        }
        guard n > 0 else { throw .lengthMismatch(declared: 0, actual: body - 3) }
        if body == 3 + n { data = Array(b[7..<(7 + n)]); return } // case 3E
        if body == 5 + n {                                       // case 4E
            data = Array(b[7..<(7 + n)])
            let le = Int(b[7 + n]) << 8 | Int(b[8 + n])
            expectedLength = le == 0 ? 65536 : le
            return
        }
        throw .lengthMismatch(declared: n, actual: body - 3)
    }

    public var description: String { bytes.hexString }
}

/// Why a byte string is not a well-formed command APDU.
public enum APDUFormatError: Error, Hashable, Sendable, CustomStringConvertible {
    case tooShort(Int)
    case lengthMismatch(declared: Int, actual: Int)

    public var description: String {
        switch self {
        case .tooShort(let n): return "APDU of \(n) bytes is shorter than its 4-byte header"
        case .lengthMismatch(let d, let a): return "APDU declares \(d) data bytes but carries \(a)"
        }
    }
}
