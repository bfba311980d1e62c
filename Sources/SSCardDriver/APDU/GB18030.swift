import Foundation

/// GB18030-2022 text, how names are stored on the card and passed through the national
/// interface. Converted through ICU by Foundation (measured on Debian 12: GB18030-2022);
/// Debian 12's iconv table is older.
public enum GB18030 {
    static let encoding = String.Encoding(rawValue: 0x8000_0632)

    /// The bytes of `text`; nil if it holds something GB18030 cannot carry.
    public static func encode(_ text: String) -> [UInt8]? {
        text.data(using: encoding).map { [UInt8]($0) }
    }

    /// The text of `bytes`; nil on an invalid sequence.
    public static func decode(_ bytes: [UInt8]) -> String? {
        String(data: Data(bytes), encoding: encoding)
    }
}
