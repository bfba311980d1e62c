/// 社会保障卡卡号 (社保卡号): the 9 ASCII letters or digits that number a card, in EF05 (tag 07)
/// and on the card face, e.g. `X00000019`. It is the card's name on the station's books, in the
/// card maker's return file and in the card-management system.
///
/// A parsed number is valid: exactly 9 ASCII letters or digits, the chip element's rule and the
/// one `pCardInfo` is checked against. The text is kept as written (upper and lower case are
/// different numbers, as on the chip); the card maker's return file asks for upper case on top
/// (`YZKCGRecord`). Encoded as its text, so JSON and SQLite hold the plain string they always did.
public struct CardNumber: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The number, 9 ASCII letters or digits.
    public let value: String

    /// Characters in a card number.
    public static let length = 9

    /// Nil unless `text` is exactly 9 ASCII letters or digits (no white space around it).
    public init?(_ text: some StringProtocol) {
        guard Self.isValid(text) else { return nil }
        value = String(text)
    }

    /// True when `text` is exactly 9 ASCII letters or digits.
    public static func isValid(_ text: some StringProtocol) -> Bool {
        text.utf8.count == length && text.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
        }
    }

    public var description: String { value }

    public static func < (a: CardNumber, b: CardNumber) -> Bool { a.value < b.value }
}

extension CardNumber: Codable {
    /// Decodes the plain string; anything but 9 ASCII letters or digits is `dataCorrupted`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let number = CardNumber(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "社保卡号 \"\(text)\" is not 9 ASCII letters or digits")
        }
        self = number
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
