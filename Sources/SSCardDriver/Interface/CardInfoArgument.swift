/// `pCardInfo` of iReadCard, iWriteCard, iReloadPIN…: `卡识别码|卡号|`, which card the caller
/// means. The driver compares it with the card before touching it (−22 when they differ).
/// Lower-case hex in the 卡识别码 is accepted and shown upper-case; everything else is strict:
/// exactly two `|`-terminated items, nothing after.
public struct CardInfoArgument: Hashable, Sendable, CustomStringConvertible {
    public var cardIdentificationCode: CardIdentificationCode
    /// 卡号: 9 ASCII letters or digits.
    public var cardNumber: CardNumber

    public init(cardIdentificationCode: CardIdentificationCode, cardNumber: CardNumber) {
        self.cardIdentificationCode = cardIdentificationCode
        self.cardNumber = cardNumber
    }

    /// Parses `pCardInfo`. Wrong shape or 卡号 → −14; a 卡识别码 that is not 32 hex with a BCD
    /// region and the RID D156000005 → −20. The message names the item.
    public init(parsing text: String) throws(InterfaceError) {
        guard !text.isEmpty else {
            throw .badParameter("pCardInfo 为空", "pCardInfo is empty")
        }
        guard let items = InterfaceFields.terminated(text, by: "|") else {
            throw .badParameter("pCardInfo 末项 \(InterfaceFields.quoted(InterfaceFields.unterminatedTail(text, by: "|"))) 缺少结尾的“|”",
                                "pCardInfo: last item \(InterfaceFields.quoted(InterfaceFields.unterminatedTail(text, by: "|"))) lacks its closing |")
        }
        guard items.count == 2 else {
            throw .badParameter("pCardInfo 应为“卡识别码|卡号|”两项，实为\(items.count)项",
                                "pCardInfo must hold 2 items (卡识别码|卡号|), it holds \(items.count)")
        }
        let idText = items[0], number = items[1]
        guard idText.unicodeScalars.count == 32, InterfaceFields.isHex(idText) else {
            throw InterfaceError(.badCardIdentificationFormat,
                                 detail: "卡识别码 \(InterfaceFields.quoted(idText)) 应为32位十六进制",
                                 englishDetail: "卡识别码 \(InterfaceFields.quoted(idText)) must be 32 hex digits")
        }
        guard let id = CardIdentificationCode(hex: idText) else {
            throw InterfaceError(.badCardIdentificationFormat,
                                 detail: "卡识别码 \(idText) 的地区码或RID（D156000005）不对",
                                 englishDetail: "卡识别码 \(idText) lacks a BCD region code or the RID D156000005")
        }
        guard let cardNumber = CardNumber(number) else {
            throw .badParameter("卡号 \(InterfaceFields.quoted(number)) 应为9位字母或数字",
                                "卡号 \(InterfaceFields.quoted(number)) must be 9 ASCII letters or digits")
        }
        self.init(cardIdentificationCode: id, cardNumber: cardNumber)
    }

    /// The card `basic` was read from. Its 卡号 must be 9 ASCII letters or digits (−14, as in
    /// `pCardInfo`).
    public init(_ basic: BasicInformation) throws(InterfaceError) {
        guard let cardNumber = CardNumber(basic.cardNumber) else {
            throw .badParameter("卡号 \(InterfaceFields.quoted(basic.cardNumber)) 应为9位字母或数字",
                                "卡号 \(InterfaceFields.quoted(basic.cardNumber)) must be 9 ASCII letters or digits")
        }
        self.init(cardIdentificationCode: basic.cardIdentificationCode, cardNumber: cardNumber)
    }

    /// The `pCardInfo` text, `卡识别码|卡号|` with the 卡识别码 in upper-case hex.
    public var interfaceText: String { "\(cardIdentificationCode.hex)|\(cardNumber)|" }

    public var description: String { interfaceText }
}
