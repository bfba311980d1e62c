/// How strings cross the C interface: GB18030 as 38号文 says (callers pass GBK/GB18030 and read
/// pOutInfo in it), or UTF-8 for callers configured so. The C target copies bytes in and out;
/// the decisions — what the bytes are, where a too-long output may be cut — are made here.
public enum InterfaceStringEncoding: String, Hashable, Sendable, CaseIterable {
    case gb18030
    case utf8

    /// The interface's own encoding.
    public static let `default` = InterfaceStringEncoding.gb18030

    public init(_ setting: DriverConfiguration.StringEncodingSetting) {
        switch setting {
        case .gb18030: self = .gb18030
        case .utf8: self = .utf8
        }
    }

    /// The bytes of `text`, no NUL added. GB18030 carries every Unicode scalar; should the
    /// converter still refuse one, that character becomes "?" rather than failing the call.
    public func encode(_ text: String) -> [UInt8] {
        switch self {
        case .utf8:
            return Array(text.utf8)
        case .gb18030:
            if let bytes = GB18030.encode(text) { return bytes }
            return text.flatMap { GB18030.encode(String($0)) ?? [0x3F] }
        }
    }

    /// The text of `bytes` (no NUL); nil on an invalid sequence, which the C target reports as
    /// −41 for an input parameter.
    public func decode(_ bytes: [UInt8]) -> String? {
        switch self {
        case .utf8: return String(validating: bytes, as: UTF8.self)
        case .gb18030: return GB18030.decode(bytes)
        }
    }

    /// The longest prefix of `bytes` that fits a C buffer of `capacity` bytes with its NUL and
    /// ends on a character boundary: never half a GB18030 2- or 4-byte sequence, never half a
    /// UTF-8 sequence. Capacity 0 or less → nothing fits.
    public func truncateForBuffer(_ bytes: [UInt8], capacity: Int) -> [UInt8] {
        let room = capacity - 1
        guard room > 0 else { return [] }
        guard bytes.count > room else { return bytes }
        var end = 0
        while end < bytes.count {
            let size = sequenceLength(bytes, at: end)
            guard end + size <= room else { break }
            end += size
        }
        return Array(bytes[..<end])
    }

    /// `text` encoded, cut to fit `capacity`, and NUL-terminated: exactly the bytes to copy.
    /// Empty when the capacity is 0 or less (nothing, not even the NUL, may be written).
    public func bufferBytes(for text: String, capacity: Int) -> [UInt8] {
        guard capacity > 0 else { return [] }
        return truncateForBuffer(encode(text), capacity: capacity) + [0]
    }

    /// Bytes of the character starting at `index`: GB18030 single bytes 00–80 and FF, 81–FE
    /// followed by 30–39 opens a 4-byte sequence, otherwise a 2-byte one; UTF-8 by its lead
    /// byte. A sequence cut short by the end of `bytes` counts what is left, so walking never
    /// passes the end; invalid bytes count as one.
    func sequenceLength(_ bytes: [UInt8], at index: Int) -> Int {
        let lead = bytes[index]
        let left = bytes.count - index
        let wanted: Int
        switch self {
        case .gb18030:
            if lead <= 0x80 || lead == 0xFF {
                wanted = 1
            } else if left >= 2, (0x30...0x39).contains(bytes[index + 1]) {
                wanted = 4
            } else {
                wanted = 2
            }
        case .utf8:
            switch lead {
            case 0xC2...0xDF: wanted = 2
            case 0xE0...0xEF: wanted = 3
            case 0xF0...0xF4: wanted = 4
            default: wanted = 1
            }
            // An invalid continuation ends the sequence early.
            var n = 1
            while n < wanted && n < left && bytes[index + n] & 0xC0 == 0x80 { n += 1 }
            return n
        }
        return min(wanted, left)
    }
}
