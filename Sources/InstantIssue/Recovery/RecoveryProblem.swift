import SSCardDriver

/// What stops recovery until the clerk does something, in Chinese and English.
public enum RecoveryProblem: Error, Hashable, Sendable, CustomStringConvertible {
    /// A card is jammed in the printer.
    case cardJammed
    /// 制卡补登 needs the printed card back in the printer and the clerk did not put it there
    /// (nil: the journal does not say which card).
    case cardNotReinserted(cardNumber: CardNumber?)
    /// The re-inserted card is not the one this issuance made.
    case wrongCard(expected: CardNumber, found: CardIdentificationCode)
    /// The chip does not hold this applicant's data: the card cannot be 补登'd.
    case chipDoesNotMatch(cardNumber: CardNumber)
    /// The card-management system says the application has another card.
    case systemHasAnotherCard(applicationID: String, cardNumber: String)

    public var chinese: String {
        switch self {
        case .cardJammed: "卡片卡在制卡机内：请打开机盖取出卡片，放入废卡盒后重新运行 recover"
        case .cardNotReinserted(let n): "没有检测到卡片 \(n.map(\.value) ?? "-")：请把这张已打印的卡放回制卡机手动进卡口后重新运行 recover"
        case .wrongCard(let e, let f): "放入的卡是 \(f)，不是 \(e)：请取出后放入卡号为 \(e) 的卡"
        case .chipDoesNotMatch(let n): "卡 \(n) 的芯片信息与申请人不符：不能补登，请联系技术人员"
        case .systemHasAnotherCard(let a, let n): "卡管系统中申请 \(a) 的卡是 \(n)：请联系卡管中心核实"
        }
    }

    public var english: String {
        switch self {
        case .cardJammed: "a card is jammed in the printer: open the cover, take it out, put it in the reject box and run recover again"
        case .cardNotReinserted(let n): "card \(n.map(\.value) ?? "-") was not found: put the printed card back into the printer's manual feed and run recover again"
        case .wrongCard(let e, let f): "the card put in is \(f), not \(e): take it out and put in card \(e)"
        case .chipDoesNotMatch(let n): "the chip of card \(n) does not hold the applicant's data: it cannot be completed (制卡补登); call a technician"
        case .systemHasAnotherCard(let a, let n): "the card-management system has card \(n) for application \(a): check with the card centre"
        }
    }

    public var description: String { chinese + " " + english }
}
