/// A simple-TLV data object (ISO/IEC 7816-4 §5.2.1): one tag byte, a length of one byte
/// (0...254) or FF followed by two bytes, then the value. Card records are `tag len value`.
public struct SimpleTLV: Hashable, Sendable {
    public var tag: UInt8
    public var value: [UInt8]

    public init(tag: UInt8, value: [UInt8]) {
        self.tag = tag
        self.value = value
    }

    public var bytes: [UInt8] {
        var out: [UInt8] = [tag]
        if value.count < 0xFF {
            out.append(UInt8(value.count))
        } else {
            out += [0xFF, UInt8(value.count >> 8), UInt8(value.count & 0xFF)]
        }
        return out + value
    }

    /// Parses one object at the start of `bytes`; returns it and the bytes it used.
    /// Throws when the length runs past the data: a hostile record never reads out of bounds.
    public static func parseOne(_ bytes: ArraySlice<UInt8>) throws(TLVError) -> (SimpleTLV, Int) {
        var i = bytes.startIndex
        guard i < bytes.endIndex else { throw .truncated(at: 0) }
        let tag = bytes[i]
        guard tag != 0x00 && tag != 0xFF else { throw .invalidTag(tag) }
        i += 1
        guard i < bytes.endIndex else { throw .truncated(at: i - bytes.startIndex) }
        var length = Int(bytes[i])
        i += 1
        if length == 0xFF {
            guard i + 2 <= bytes.endIndex else { throw .truncated(at: i - bytes.startIndex) }
            length = Int(bytes[i]) << 8 | Int(bytes[i + 1])
            i += 2
        }
        guard length <= bytes.endIndex - i else {
            throw .lengthBeyondData(tag: tag, declared: length, available: bytes.endIndex - i)
        }
        return (SimpleTLV(tag: tag, value: Array(bytes[i..<(i + length)])), i + length - bytes.startIndex)
    }

    /// Parses a sequence of objects filling `bytes` exactly (trailing 00 or FF padding allowed).
    public static func parseAll(_ bytes: [UInt8]) throws(TLVError) -> [SimpleTLV] {
        var out: [SimpleTLV] = []
        var rest = bytes[...]
        while let first = rest.first, first != 0x00, first != 0xFF {
            let (tlv, used) = try parseOne(rest)
            out.append(tlv)
            rest = rest.dropFirst(used)
        }
        // Padding runs to the end; an object hidden after it is an error, not silently dropped.
        if let stray = rest.firstIndex(where: { $0 != 0x00 && $0 != 0xFF }) {
            throw .dataAfterPadding(at: stray)
        }
        return out
    }
}

/// Why bytes are not a well-formed simple-TLV.
public enum TLVError: Error, Hashable, Sendable, CustomStringConvertible {
    case truncated(at: Int)
    case invalidTag(UInt8)
    case lengthBeyondData(tag: UInt8, declared: Int, available: Int)
    case dataAfterPadding(at: Int)

    public var description: String {
        switch self {
        case .truncated(let at): return "TLV truncated at byte \(at)"
        case .invalidTag(let t): return "TLV tag \([t].hexString) is not allowed"
        case .lengthBeyondData(let t, let d, let a):
            return "TLV tag \([t].hexString) declares \(d) bytes but only \(a) follow"
        case .dataAfterPadding(let at): return "TLV data found at byte \(at) after the padding"
        }
    }
}
