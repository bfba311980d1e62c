import Foundation
import GRDB
import SSCardDriver

/// 逾期未领卡 (《广东省社会保障卡经办规程》第三十二条): a card made at the desk and not taken (领卡启用)
/// within six months is returned: the desk lists it (超期预警), hands the card to the service bank
/// and rolls its data back to the city card authority (市内再次分发) within 10 working days of the
/// alert, recording when, by whom and why (回收时间、回收人、回收原因).
public struct UncollectedCards: Sendable {
    let station: Station

    public init(station: Station) { self.station = station }

    /// 台账 action of a card returned (subject: the application id).
    public static let returnedAction = "card.returnedUncollected"
    /// 第三十二条一（一）: six months.
    public static let defaultMonths = 6
    /// 第三十二条一（三）: 10 working days after the alert.
    public static let returnWorkingDays = 10

    /// Cards issued at this desk more than `months` months ago (China time) and neither
    /// activated nor returned, oldest first; with `includeReturned`, the returned ones too.
    public func list(months: Int = UncollectedCards.defaultMonths, includeReturned: Bool = false) throws -> [UncollectedCard] {
        guard (1...120).contains(months) else { throw UncollectedCardError.badPeriod(months) }
        if station.ledger.isShared { return try sharedList(months: months, includeReturned: includeReturned) }
        let now = station.database.clock()
        let calendar = Self.calendar
        return try station.database.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT c.card_number, c.application_id, c.updated_at,
                       (SELECT recorded_at FROM audit_ledger WHERE action = ? AND subject = c.application_id ORDER BY seq LIMIT 1) AS returned_at,
                       (SELECT clerk FROM audit_ledger WHERE action = ? AND subject = c.application_id ORDER BY seq LIMIT 1) AS returned_by
                FROM pre_made_card c
                WHERE c.state = 'issued'
                  AND NOT EXISTS (SELECT 1 FROM audit_ledger WHERE action = '领卡启用' AND subject = c.application_id)
                ORDER BY c.updated_at
                """, arguments: [Self.returnedAction, Self.returnedAction]).compactMap { row -> UncollectedCard? in
                let issuedText: String = row["updated_at"]
                guard let issued = StationTimestamp(text: issuedText)?.date,
                      let alert = calendar.date(byAdding: .month, value: months, to: issued), alert <= now else { return nil }
                let returnedAt: String? = row["returned_at"]
                guard includeReturned || returnedAt == nil else { return nil }
                let returnBy = Self.adding(workingDays: Self.returnWorkingDays, to: alert)
                return UncollectedCard(applicationID: row["application_id"], cardNumber: row["card_number"], issuedAt: issued,
                                       alertedAt: alert, returnBy: returnBy, late: returnedAt == nil && now > returnBy,
                                       returnedAt: returnedAt.flatMap { StationTimestamp(text: $0)?.date }, returnedBy: row["returned_by"])
            }
        }
    }

    /// Records that the card of `applicationID` was handed to the service bank and its data rolled
    /// back to the city card authority (第三十二条二). Refused for a card not on the overdue list.
    @discardableResult
    public func recordReturn(applicationID: String, clerk: String, months: Int = UncollectedCards.defaultMonths,
                             reason: String = "逾期6个月未领取") throws -> UncollectedCard {
        try OldCardDesk.requireClerk(clerk)
        guard let card = try list(months: months, includeReturned: true).first(where: { $0.applicationID == applicationID }) else {
            throw UncollectedCardError.notOverdue(applicationID: applicationID)
        }
        guard card.returnedAt == nil else { return card }
        try station.ledger.append(clerk: clerk, action: Self.returnedAction, subject: applicationID, details: PreMadeCardInventory.json([
            "cardNumber": card.cardNumber, "reason": reason, "late": card.late,
        ]))
        return try list(months: months, includeReturned: true).first { $0.applicationID == applicationID } ?? card
    }

    /// `list` on the outlet's shared books: the cards the outlet's 台账 says were made (制卡成功,
    /// 制卡补登; made at any desk of the outlet, as the outlet's safe is one) and the outlet's
    /// stock still holds as issued to the application, neither activated nor returned.
    private func sharedList(months: Int, includeReturned: Bool) throws -> [UncollectedCard] {
        let now = station.database.clock()
        var made: [String: (card: String, at: Date)] = [:]
        var activated = Set<String>()
        var returned: [String: AuditLedgerEntry] = [:]
        let actions: Set = [Handover.producedAction, Handover.backfilledAction, Handover.activatedAction, Self.returnedAction]
        for entry in try station.ledger.entries(actions: actions) {
            switch entry.action {
            case Handover.producedAction, Handover.backfilledAction:
                guard let card = entry.namedCard else { continue }
                made[entry.subject] = (card.value, entry.recordedAt.date)
            case Handover.activatedAction: activated.insert(entry.subject)
            case Self.returnedAction: if returned[entry.subject] == nil { returned[entry.subject] = entry }
            default: break
            }
        }
        var out: [UncollectedCard] = []
        for (application, card) in made.sorted(by: { ($0.value.at, $0.key) < ($1.value.at, $1.key) }) where !activated.contains(application) {
            guard let alert = Self.calendar.date(byAdding: .month, value: months, to: card.at), alert <= now else { continue }
            let back = returned[application]
            guard includeReturned || back == nil else { continue }
            guard let number = CardNumber(card.card), case .issued(let owner)? = try station.stock.card(number)?.state,
                  owner == application else { continue }
            let returnBy = Self.adding(workingDays: Self.returnWorkingDays, to: alert)
            out.append(UncollectedCard(applicationID: application, cardNumber: card.card, issuedAt: card.at, alertedAt: alert,
                                       returnBy: returnBy, late: back == nil && now > returnBy,
                                       returnedAt: back?.recordedAt.date, returnedBy: back?.clerk))
        }
        return out
    }

    static var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        return calendar
    }

    /// `days` working days after `date`, Saturdays and Sundays skipped (the station does not
    /// know the public holidays: the deadline is the earliest it can be).
    static func adding(workingDays days: Int, to date: Date) -> Date {
        var result = date, left = days
        while left > 0 {
            result = calendar.date(byAdding: .day, value: 1, to: result)!
            if !calendar.isDateInWeekend(result) { left -= 1 }
        }
        return result
    }
}

/// A produced card nobody took.
public struct UncollectedCard: Hashable, Sendable {
    public var applicationID: String
    public var cardNumber: String
    /// When the card was made (制卡成功).
    public var issuedAt: Date
    /// When it became overdue (six months later): the alert.
    public var alertedAt: Date
    /// The last day to return it (10 working days after the alert).
    public var returnBy: Date
    /// Not returned and past `returnBy`.
    public var late: Bool
    public var returnedAt: Date?
    public var returnedBy: String?
}

public enum UncollectedCardError: Error, Hashable, Sendable {
    case badPeriod(Int)
    case notOverdue(applicationID: String)
}
