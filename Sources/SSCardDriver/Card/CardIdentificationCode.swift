/// 卡识别码: the 16-byte identity of a card chip — issuing region (3 bytes BCD), the RID
/// D156000005, then 8 card-specific bytes. Shown, and encoded (`Codable`), as 32 upper-case hex
/// characters.
public struct CardIdentificationCode: Hashable, Sendable, CustomStringConvertible {
    public let bytes: [UInt8]

    /// Nil unless 16 bytes with a BCD region and the social security RID.
    public init?(bytes: [UInt8]) {
        // The region is six BCD digits (no F padding); compared in place, without the copies
        // and the text `BCD.decode` would make (a 100,000-card import checks 100,000 codes).
        guard bytes.count == 16, bytes[3..<8].elementsEqual(SSSE.rid),
              bytes[0..<3].allSatisfy({ $0 >> 4 <= 9 && $0 & 0x0F <= 9 }) else { return nil }
        self.bytes = bytes
    }

    public init?(hex: String) {
        guard let b = [UInt8](hex: hex) else { return nil }
        self.init(bytes: b)
    }

    /// 发卡地区行政区划代码, the six-digit region that issued the card.
    public var regionCode: String { BCD.decode(Array(bytes[0..<3])) ?? "" }

    /// The 8 card-specific bytes after the RID.
    public var serial: [UInt8] { Array(bytes[8..<16]) }

    public var hex: String { bytes.hexString }
    public var description: String { hex }
}

extension CardIdentificationCode: Codable {
    /// Decodes its hex text (either case); anything that is not a 卡识别码 is `dataCorrupted`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard text.utf8.count == 32, let code = CardIdentificationCode(hex: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "卡识别码 \"\(text)\" is not 32 hex digits with a BCD region and the RID D156000005")
        }
        self = code
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}
