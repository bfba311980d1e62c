/// Hexadecimal text for byte arrays: how card data appears in logs, docs and the national interface.
extension Array where Element == UInt8 {
    /// Parses hex digits, ignoring spaces; nil on an odd count or a non-hex character.
    public init?(hex: some StringProtocol) {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for c in hex.utf8 where c != 0x20 {
            guard let nibble = Self.nibble(c) else { return nil }
            if let h = high {
                bytes.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        guard high == nil else { return nil }
        self = bytes
    }

    /// Upper-case hex with no separators, e.g. "9000".
    public var hexString: String {
        // Written straight into the String's storage: no digit table or byte array per call
        // (a 100,000-card import asks for 200,000 卡识别码 texts).
        String(unsafeUninitializedCapacity: count * 2) { out in
            func digit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x37 + nibble }
            for (i, b) in enumerated() {
                out[2 * i] = digit(b >> 4)
                out[2 * i + 1] = digit(b & 0x0F)
            }
            return count * 2
        }
    }

    /// Upper-case hex, bytes separated by spaces, e.g. "90 00": how a trace shows an APDU.
    public var spacedHexString: String {
        map { [$0].hexString }.joined(separator: " ")
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }
}
