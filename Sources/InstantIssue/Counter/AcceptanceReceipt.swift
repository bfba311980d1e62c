import CardManagement
import CounterDocuments
import Foundation

/// 《广东省社会保障卡业务受理回执》(《广东省社会保障卡经办规程》附件2): given to the applicant when the
/// desk accepts an application (第八条), a 补卡 or 换卡 (第二十七条至第三十一条), a PIN service
/// (第十九条至第二十一条) — its fields and 注意事项 as the form prints them.
public struct AcceptanceReceipt: Hashable, Sendable {
    public var applicationID: String
    public var date: Date
    /// 网点编号: the desk's terminal.
    public var deskNumber: String
    public var socialSecurityNumber: String
    public var applicantName: String
    public var phone: String
    /// 业务类型, e.g. 新申领 / 补卡 / 换卡.
    public var businessType: String
    public var clerk: String

    public init(applicationID: String, date: Date, deskNumber: String, socialSecurityNumber: String, applicantName: String,
                phone: String = "", businessType: String, clerk: String) {
        self.applicationID = applicationID; self.date = date; self.deskNumber = deskNumber
        self.socialSecurityNumber = socialSecurityNumber; self.applicantName = applicantName; self.phone = phone
        self.businessType = businessType; self.clerk = clerk
    }

    /// The three 注意事项 of 附件2, word for word.
    public static let notes = [
        "1.办理卡注销业务的，需凭此回执到银行网点办理资金清算。",
        "2.办理服务银行变更换卡的，需凭此到原服务银行网点办理资金转移。",
        "3.办理情况可通过政务服务网络平台或银行网点查询。",
    ]

    public var document: CounterDocument {
        CounterDocument(kind: .acceptanceReceipt, title: "广东省社会保障卡业务受理回执", reference: applicationID, blocks: [
            .field("业务受理日期", HandoverReceipt.dateText(date)),
            .field("网点编号", deskNumber),
            .field("业务编号", applicationID),
            .field("社会保障号", socialSecurityNumber),
            .field("申请人姓名", applicantName),
            .field("联系电话", phone),
            .field("业务类型", businessType),
            .heading("注意事项"),
        ] + Self.notes.map { .paragraph($0) } + [
            .gap,
            .signature("业务经办单位（业务章）"),
            .signature("业务经办人（\(clerk)）"),
        ])
    }

    /// The receipt of `applicationID` as the card-management system holds it; `name` replaces
    /// the system's name when the clerk resolved a rare character (`张[CHUI]` → 张䄲).
    public static func make(station: Station, applicationID: String, name: String? = nil, phone: String = "",
                            clerk: String) throws -> AcceptanceReceipt {
        let application = try station.cardManagement.application(id: applicationID)
        return AcceptanceReceipt(applicationID: applicationID, date: station.database.clock(), deskNumber: station.configuration.terminal,
                                 socialSecurityNumber: application.socialSecurityNumber, applicantName: name ?? application.name,
                                 phone: phone, businessType: application.kind.chinese, clerk: clerk)
    }

    /// The 台账 action when one is handed out.
    public static let ledgerAction = "出具受理回执"
}
