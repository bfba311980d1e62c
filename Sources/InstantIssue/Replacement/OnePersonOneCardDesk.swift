import Foundation
import CardManagement
import CounterDocuments

/// 一人一卡 at the counter (《广东省社会保障卡经办规程》附件10): when the card-management system finds
/// other cards of the person, the desk prints the 《广东省社会保障卡一人一卡业务确认单》 (附件10 三、
/// 附表) for the applicant's signature and records it in the 台账; the other cards are cleaned up
/// in the province system (附件10 四); the card is made only once the system reports none left
/// and the signed form is on record (附件10 五).
public struct OnePersonOneCardDesk: Sendable {
    let station: Station

    public init(station: Station) { self.station = station }

    /// 台账 actions, with the application id as subject.
    public static let formPrintedAction = "onePersonOneCard.formPrinted"
    public static let signedAction = "onePersonOneCard.signed"
    public static let clearedAction = "onePersonOneCard.cleared"

    /// The kind of the paper (its file name and print job).
    public static let formKind = DocumentKind(rawValue: "one-card-confirmation")!

    /// Asks the system for the person's other cards and moves the process on: prints the form the
    /// first time cards are found, records the clean-up once the system reports none left.
    public func check(applicationID: String, clerk: String) throws -> OnePersonOneCardCheck {
        try OldCardDesk.requireClerk(clerk)
        let application = try station.cardManagement.application(id: applicationID)
        let others = try station.cardManagement.conflictingCards(socialSecurityNumber: application.socialSecurityNumber,
                                                                 applicationID: applicationID)
        let recorded = try recordedActions(applicationID)
        if others.isEmpty {
            guard recorded.contains(Self.formPrintedAction) else { return .clear }
            guard recorded.contains(Self.signedAction) else { return .awaitingSignature(cards: []) }
            if !recorded.contains(Self.clearedAction) {
                try station.ledger.append(clerk: clerk, action: Self.clearedAction, subject: applicationID)
            }
            return .cleanedUp
        }
        if !recorded.contains(Self.formPrintedAction) {
            let delivered = try station.documents.issue(Self.form(application, others, terminal: station.configuration.terminal,
                                                                  clerk: clerk, date: station.database.clock()))
            try station.ledger.append(clerk: clerk, action: Self.formPrintedAction, subject: applicationID, details: PreMadeCardInventory.json([
                "cards": others.map(\.cardNumber), "document": delivered.description,
            ]))
            return .formPrinted(cards: others, delivered)
        }
        guard recorded.contains(Self.signedAction) else { return .awaitingSignature(cards: others) }
        return .awaitingCleanUp(cards: others)
    }

    /// The applicant signed the printed form; the clerk keeps it (附件10 七 专柜保管).
    public func recordSignature(applicationID: String, clerk: String) throws {
        try OldCardDesk.requireClerk(clerk)
        let recorded = try recordedActions(applicationID)
        guard recorded.contains(Self.formPrintedAction) else { throw OnePersonOneCardError.noFormPrinted(applicationID: applicationID) }
        guard !recorded.contains(Self.signedAction) else { return }
        try station.ledger.append(clerk: clerk, action: Self.signedAction, subject: applicationID)
    }

    /// Before a card is made: a form printed for the application must have been signed
    /// (the system's own check of other cards is the validator's, and 制卡中 is refused too).
    public func requireSignedFormIfPrinted(applicationID: String) throws {
        let recorded = try recordedActions(applicationID)
        if recorded.contains(Self.formPrintedAction) && !recorded.contains(Self.signedAction) {
            throw OnePersonOneCardError.notSigned(applicationID: applicationID)
        }
    }

    /// The 一人一卡 steps recorded for the application, from the station's 台账: the desk's own
    /// chain, or on the outlet's shared books the outlet's one chain — so a form printed at one
    /// desk of the outlet holds the issuance at every desk until its signature is recorded.
    private func recordedActions(_ applicationID: String) throws -> Set<String> {
        Set(try station.ledger.entries(subject: applicationID).map(\.action).filter { $0.hasPrefix("onePersonOneCard.") })
    }

    /// 《广东省社会保障卡一人一卡业务确认单》 (附件10 附表): who, which cards, what happens to them, and
    /// the applicant's signature.
    public static func form(_ application: Application, _ cards: [ExistingCard], terminal: String, clerk: String,
                            date: Date) -> CounterDocument {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy年MM月dd日"
        let guidance = application.kind == .new
            ? "首次申领：请通过省卡管系统“一人一卡”功能清理名下所有社会保障卡后，方可继续办理申领。"
            : "补卡、换卡：请保留一张本地发行的社会保障卡，其余社会保障卡通过省卡管系统“一人一卡”功能清理后，方可继续办理。"
        return CounterDocument(kind: formKind, title: "广东省社会保障卡一人一卡业务确认单", reference: application.id, blocks: [
            .field("申请编号", application.id),
            .field("业务类型", application.kind.chinese),
            .field("姓名", application.name),
            .field("社会保障号码", application.socialSecurityNumber),
            .gap,
            .heading("申请人名下省内社会保障卡"),
            .table(header: ["社保卡号", "发卡地区", "状态"], rows: cards.map { [$0.cardNumber, $0.regionCode, $0.state] }),
            .gap,
            .paragraph(guidance),
            .paragraph("新卡领卡启用后，请及时办理旧卡账户资金结转，交回旧卡并注销旧卡账户。"),
            .paragraph("本人确认名下存在以上社会保障卡，同意按《广东省社会保障卡经办规程》附件10办理“一人一卡”清理。"),
            .gap,
            .signature("申请人签字"),
            .field("经办人", clerk),
            .field("终端机编号", terminal),
            .field("日期", formatter.string(from: date)),
        ])
    }
}

/// Where 一人一卡 stands for an application.
public enum OnePersonOneCardCheck: Hashable, Sendable {
    /// No other cards, no form: the card may be made.
    case clear
    /// Other cards found; the form was printed or filed for signature.
    case formPrinted(cards: [ExistingCard], DeliveredDocument)
    /// The form waits for the applicant's signature (`recordSignature`).
    case awaitingSignature(cards: [ExistingCard])
    /// Signed; the system still reports the cards: they are cleaned up in the province system.
    case awaitingCleanUp(cards: [ExistingCard])
    /// Signed and the system reports no other card: the card may be made.
    case cleanedUp

    /// True when the issuance may go on.
    public var allowsIssuance: Bool {
        switch self {
        case .clear, .cleanedUp: true
        case .formPrinted, .awaitingSignature, .awaitingCleanUp: false
        }
    }
}

public enum OnePersonOneCardError: Error, Hashable, Sendable {
    /// No 确认单 was printed for the application (`check` prints it when other cards are found).
    case noFormPrinted(applicationID: String)
    /// The 确认单 printed for the application was not signed (附件10 三).
    case notSigned(applicationID: String)
}
