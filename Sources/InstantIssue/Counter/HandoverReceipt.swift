import CardManagement
import CounterDocuments
import Foundation

/// The handover receipt (社会保障卡领卡签收单): what the recipient signs when taking the card —
/// the 持卡人签收记录 of 《广东省社会保障卡经办规程》第十二条（三） (kept at least five years) — with
/// the use-risk notice of 第十八条 and, for a card taken by an agent, the reminder that the
/// holder sets the PIN in person.
public struct HandoverReceipt: Hashable, Sendable {
    public var applicationID: String
    public var cardNumber: String
    public var holderName: String
    public var socialSecurityNumber: String
    public var bank: String
    public var kind: Application.Kind
    public var recipient: CardRecipient
    public var pinSet: Bool
    public var terminal: String
    public var clerk: String
    public var date: Date
    /// The 工本费 of this card, when one was charged or waived.
    public var fee: FeeCharge?

    /// The paper.
    public var document: CounterDocument {
        var blocks: [DocumentBlock] = [
            .field("业务编号", applicationID),
            .field("领取日期", Self.dateText(date)),
            .field("网点终端", terminal),
            .heading("持卡人"),
            .field("姓名", holderName),
            .field("社会保障号码", socialSecurityNumber),
            .field("社保卡卡号", cardNumber),
            .field("服务银行", bank),
            .field("业务类型", kind.chinese),
            .heading("领取"),
            .field("领取方式", recipient.chinese),
        ]
        switch recipient {
        case .holder:
            blocks.append(.field("核验证件", "持卡人本人有效身份证件原件"))
        case .agent(let person, let authorisation):
            blocks += [.field("代领人", "\(person.name)（证件号码 \(person.maskedIDNumber)）"),
                       .field("委托材料", authorisation),
                       .field("核验证件", "持卡人和代领人有效身份证件原件；已留存代领人证件复印件或影像")]
        case .guardian(let person, let proof):
            blocks += [.field("监护人", "\(person.name)（证件号码 \(person.maskedIDNumber)）"),
                       .field("监护关系证明", proof),
                       .field("核验证件", "持卡人和监护人有效身份证件原件；已留存监护人证件复印件或影像")]
        }
        blocks.append(.field("社保应用密码", pinSet
            ? (recipient == .holder ? "已由持卡人本人设置" : "已由监护人为未成年持卡人设置")
            : "未设置：须持卡人本人持社保卡和有效身份证件到卡经办网点设置后方可使用"))
        if let fee {
            blocks.append(.field("工本费", fee.receiptText))
        }
        blocks += [
            .heading("用卡风险告知（《广东省社会保障卡经办规程》第十八条）"),
            .paragraph("社保卡密码仅限持卡人本人使用。请妥善保管社保卡密码，不要使用过于简单的密码，不要将密码透露给他人。"
                       + "以社保卡密码进行的业务操作视同本人或本人授权的操作，因密码保管或使用不当而造成的损失，由持卡人自行承担。"),
            .paragraph("请持卡人本人携社保卡和有效身份证件到服务银行办理银行账户激活（第十四条）。"),
            .gap,
            .signature("领取人签名"),
            .signature("日期"),
            .signature("经办人（\(clerk)）签名"),
        ]
        return CounterDocument(kind: .handoverReceipt, title: "广东省社会保障卡领卡签收单", reference: applicationID, blocks: blocks)
    }

    static func dateText(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy年MM月dd日"
        return formatter.string(from: date)
    }
}
