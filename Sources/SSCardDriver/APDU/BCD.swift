/// Packed BCD as the card stores dates, region codes and PINs: two digits a byte,
/// right-padded with F when the digit count is odd or the field is longer.
public enum BCD {
    /// Packs decimal digits; nil if `digits` holds anything but 0-9 or does not fit `byteCount`.
    public static func encode(_ digits: String, byteCount: Int? = nil) -> [UInt8]? {
        var nibbles: [UInt8] = []
        for c in digits.utf8 {
            guard (0x30...0x39).contains(c) else { return nil }
            nibbles.append(c - 0x30)
        }
        let size = byteCount ?? (nibbles.count + 1) / 2
        guard nibbles.count <= size * 2 else { return nil }
        while nibbles.count < size * 2 { nibbles.append(0x0F) }
        return stride(from: 0, to: nibbles.count, by: 2).map { nibbles[$0] << 4 | nibbles[$0 + 1] }
    }

    /// Unpacks digits up to the first F padding nibble; nil on a nibble A-E or a digit after F.
    public static func decode(_ bytes: [UInt8]) -> String? {
        var out = ""
        var padded = false
        for b in bytes {
            for nibble in [b >> 4, b & 0x0F] {
                if nibble == 0x0F { padded = true; continue }
                guard nibble <= 9, !padded else { return nil }
                out.unicodeScalars.append(Unicode.Scalar(0x30 + nibble))
            }
        }
        return out
    }
}
