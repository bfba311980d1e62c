import Foundation
import SSCardDriver

// MARK: card

extension Messages {
    static let cardAbstract = "读卡，以及柜台的社保密码业务：校验、修改、解锁、重置。 Reads a card, and the counter's PIN services: verify, change, unblock, reset."
    static let cardDiscussion = """
        密码只由持卡人在读卡器的密码键盘或本机键盘上输入，不显示、不记录、不保存。解锁和重置必须在柜台办理，\
        并先核实持卡人本人有效身份证件原件（《广东省社会保障卡经办规程》第二十条、第二十一条）。
        The PIN is typed only by the holder, on the reader's PIN pad or this keyboard; it is \
        never shown, logged or kept. Unblocking and resetting are counter services, after the \
        holder's original ID document was checked (《广东省社会保障卡经办规程》第二十条, 第二十一条).
        """

    static let cardReadAbstract = "读取读卡器中社保卡的基本信息并逐项显示。 Reads the basic information of the card in the reader and shows it field by field."
    static let cardReadDiscussion = """
        即国家读卡接口的 iReadCardBas：发卡地区、社会保障号码、卡号、卡识别码、姓名、卡复位信息、规范版本、\
        发卡日期、卡有效期、终端机编号。空白预制卡没有姓名和社会保障号码。
        This is iReadCardBas of the national reader interface: region, social security number, \
        card number, card identification code, name, reset information, specification version, \
        issue date, expiry date and terminal number. A blank pre-made card has no name or number.
        """
    static func basicInformation(_ b: BasicInformation, _ language: Language) -> [String] {
        let zh = language == .zh
        func date(_ d: String) -> String {
            guard d.count == 8 else { return d }
            let c = Array(d)
            return "\(String(c[0..<4]))-\(String(c[4..<6]))-\(String(c[6..<8]))"
        }
        let blank = zh ? "（空白预制卡，未写入）" : "(blank pre-made card, not written)"
        let rows: [(String, String, String)] = [
            ("姓名", "Name", b.name.isEmpty ? blank : b.name),
            ("社会保障号码", "Social security number", b.socialSecurityNumber.isEmpty ? blank : b.socialSecurityNumber),
            ("卡号", "Card number", b.cardNumber),
            ("卡识别码", "Card identification code", b.cardIdentificationCode.hex),
            ("发卡地区", "Issuing region", b.regionCode),
            ("规范版本", "Specification version", b.specificationVersion),
            ("发卡日期", "Issue date", date(b.issueDate)),
            ("卡有效期", "Valid until", date(b.expiryDate)),
            ("卡复位信息", "Reset information (ATR)", b.historicalBytes.map { String(format: "%02X", $0) }.joined()),
            ("终端机编号", "Terminal number", b.terminalNumber),
        ]
        return rows.map { zh ? "\($0.0)：\($0.2)" : "\($0.1): \($0.2)" }
    }

    static let verifyPINAbstract = "请持卡人输入社保密码，校验是否正确。 Lets the holder type the card's PIN and checks it."
    static let verifyPINDiscussion = """
        读卡器有密码键盘时在键盘上输入，否则在本机键盘上输入（只显示 *）。连续6次输错会锁定密码（《广东省社会保障卡经办规程》第二十条），\
        锁定后只能到柜台用 issue-station card reset-pin 重置。
        The holder types on the reader's PIN pad if it has one, else on this keyboard (only * is \
        shown). Six wrong PINs in a row lock it (《广东省社会保障卡经办规程》第二十条); a locked PIN can only be \
        reset at the counter with issue-station card reset-pin.
        """
    static let changePINAbstract = "持卡人修改社保密码：先输入原密码，再输入两遍新密码。 Lets the holder change the PIN: the current PIN, then the new one twice."
    static let changePINDiscussion = """
        新密码为4至16位数字，不能是初始密码123456（人社信息函〔2016〕38号；办理流程见《广东省社会保障卡经办规程》第十九条）。
        The new PIN has 4 to 16 digits and cannot be the initial 123456 (人社信息函〔2016〕38号; the \
        procedure is 《广东省社会保障卡经办规程》第十九条).
        """
    static let unblockAbstract = "解锁被锁定的社保密码，密码本身不变。 Unblocks a locked PIN; the PIN itself stays the same."
    static let unblockDiscussion = """
        只能在柜台办理：先核实持卡人本人有效身份证件原件和社保卡（《广东省社会保障卡经办规程》第二十条）。解锁记入台账（只记卡号）。
        A counter service only: check the holder's original ID document and card first \
        (《广东省社会保障卡经办规程》第二十条). The unblock is recorded in the ledger (the card number only).
        """
    static let resetPINAbstract = "为忘记或锁定社保密码的持卡人重置密码：持卡人输入两遍新密码。 Resets a forgotten or locked PIN: the holder types a new PIN twice."
    static let resetPINDiscussion = """
        只能在柜台办理：先核实持卡人本人有效身份证件原件（《广东省社会保障卡经办规程》第二十一条）。新密码为4至16位数字，不能是123456。\
        重置记入台账（只记卡号，从不记密码）。
        A counter service only: check the holder's original ID document first \
        (《广东省社会保障卡经办规程》第二十一条). \
        The new PIN has 4 to 16 digits and cannot be 123456. The reset is recorded in the ledger \
        (the card number, never the PIN).
        """

    static let holderTypesPIN = Localized("请持卡人输入密码（屏幕上不显示数字）。", "Let the holder type the PIN (no digits are shown).")
    static let holderTypesNewPIN = Localized("请持卡人输入两遍新密码（屏幕上不显示数字）。", "Let the holder type the new PIN twice (no digits are shown).")
    static func cardHolder(name: String, socialSecurityNumber: String) -> Localized {
        Localized("卡上的持卡人：\(name)，社会保障号码 \(socialSecurityNumber)。", "The card's holder: \(name), social security number \(socialSecurityNumber).")
    }
    static let askIDMatches = Localized("已核实持卡人本人有效身份证件原件，与卡上一致吗？（y/n）",
                                        "Have you checked the holder's original ID document, and does it match the card? (y/n)")
    static let pinVerified = Localized("密码正确。", "The PIN is correct.")
    static let pinChanged = Localized("密码已修改。", "The PIN was changed.")
    static func pinUnblocked(_ n: CardNumber) -> Localized { Localized("卡 \(n) 的密码已解锁。", "The PIN of card \(n) is unblocked.") }
    static func pinReset(_ n: CardNumber) -> Localized { Localized("卡 \(n) 的密码已重置。", "The PIN of card \(n) was reset.") }
}
