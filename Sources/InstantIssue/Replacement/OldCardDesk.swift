import Foundation
import GRDB
import CardManagement

/// 补卡/换卡 at the counter (《广东省社会保障卡经办规程》第二十三条至第三十一条): before the new card
/// is made, the desk checks the old card with the card-management system, has the card handed in
/// for a 换卡 confirmed by its chip, asks the system to cancel it, and records what became of
/// the physical card (and a change of bank) in the 台账. The card-management system refuses a
/// 补卡/换卡's 制卡中 until the old card is cancelled, so skipping a step fails there too.
///
/// Request ids are made from the terminal, the application and the step, so repeating a step
/// after an unknown outcome sends the same id (the system answers it once).
public struct OldCardDesk: Sendable {
    let system: any CardManagementSystem
    let ledger: any StationLedger
    let terminal: String

    public init(station: Station) {
        self.init(system: station.cardManagement, ledger: station.ledger, terminal: station.configuration.terminal)
    }

    init(system: any CardManagementSystem, ledger: any StationLedger, terminal: String) {
        self.system = system; self.ledger = ledger; self.terminal = terminal
    }

    /// 台账 actions of this desk.
    public static let chipConfirmedAction = "oldCard.chipConfirmed"
    public static let cancelledAction = "oldCard.cancelled"
    public static let bankChangedAction = "holder.bankChanged"

    /// The old card and what the clerk must do next.
    public func check(applicationID: String) throws -> OldCardCheck {
        OldCardCheck(card: try system.oldCard(applicationID: applicationID))
    }

    /// 换卡: the chip of the card handed in (read with iReadCardBas at the counter) must be the old
    /// card's; the system then locks it (第三十一条一（二）). Recorded in the 台账.
    @discardableResult
    public func confirmChip(applicationID: String, chipCardNumber: String, chipSocialSecurityNumber: String,
                            clerk: String) throws -> OldCard {
        try Self.requireClerk(clerk)
        let old = try system.oldCard(applicationID: applicationID)
        guard old.kind == .renewal else { throw OldCardDeskError.noCardToRead(applicationID: applicationID) }
        let confirmed = try system.confirmOldCardChip(OldCardChipConfirmation(
            requestID: requestID(applicationID, "chip"), applicationID: applicationID, cardNumber: chipCardNumber,
            socialSecurityNumber: chipSocialSecurityNumber, terminal: terminal, clerk: clerk))
        try ledger.append(clerk: clerk, action: Self.chipConfirmedAction, subject: confirmed.cardNumber,
                          details: PreMadeCardInventory.json(["application": applicationID, "state": confirmed.state.rawValue]))
        return confirmed
    }

    /// Asks the system to cancel the old card (注销, 第二十七条一（四）) and records what became of it:
    /// 补卡 `.lost`; 换卡 `.collected` / `.destroyed`, or `.toOldBank` when the bank changes
    /// (第三十一条). A change of bank is noted for the holder in the 台账 as well.
    @discardableResult
    public func cancel(applicationID: String, disposition: OldCardDisposition, clerk: String) throws -> OldCard {
        try Self.requireClerk(clerk)
        let old = try system.oldCard(applicationID: applicationID)
        let cancelled = try system.cancelOldCard(OldCardCancellation(
            requestID: requestID(applicationID, "cancel-" + disposition.rawValue), applicationID: applicationID,
            cardNumber: old.cardNumber, disposition: disposition, terminal: terminal, clerk: clerk))
        try ledger.append(clerk: clerk, action: Self.cancelledAction, subject: cancelled.cardNumber, details: PreMadeCardInventory.json([
            "application": applicationID, "kind": cancelled.kind.rawValue, "disposition": disposition.rawValue,
        ]))
        if cancelled.bankChanges {
            try ledger.append(clerk: clerk, action: Self.bankChangedAction, subject: applicationID, details: PreMadeCardInventory.json([
                "oldCard": cancelled.cardNumber, "oldBank": cancelled.bank ?? "", "newBank": cancelled.newBank,
            ]))
        }
        return cancelled
    }

    /// Before a 补卡/换卡 card is made: its old card must be cancelled (第二十七条一（四）), else
    /// `.oldCardNotCancelled` names the card and its state. A new application, or a 补卡/换卡 that
    /// names no card (`NOT_A_REPLACEMENT`), passes.
    public func requireOldCardCancelled(_ application: Application) throws {
        guard application.kind != .new else { return }
        let old: OldCard
        do { old = try system.oldCard(applicationID: application.id) } catch CardManagementError.refused(code: "NOT_A_REPLACEMENT", _) {
            return
        }
        guard old.state == .cancelled else {
            throw OldCardDeskError.oldCardNotCancelled(applicationID: application.id, cardNumber: old.cardNumber, state: old.state)
        }
    }

    private func requestID(_ applicationID: String, _ step: String) -> String {
        let safe = applicationID.unicodeScalars.map { $0.isASCII && $0.value > 0x20 && $0.value < 0x7F ? String($0) : String(format: "%%%X", $0.value) }.joined()
        return String("old-\(terminal)-\(step)-\(safe)".prefix(128))
    }

    static func requireClerk(_ clerk: String) throws {
        guard !clerk.trimmingCharacters(in: .whitespaces).isEmpty else { throw AuditLedgerError.clerkRequired }
    }
}

/// The old card and the clerk's next step (《规程》第二十七条至第三十一条).
public struct OldCardCheck: Hashable, Sendable {
    public var card: OldCard

    public init(card: OldCard) { self.card = card }

    public enum NextStep: Hashable, Sendable {
        /// 补卡 with the card not 正式挂失: the holder reports it lost formally at the bank first.
        case formalLossReport
        /// 补卡, 正式挂失: cancel it as lost.
        case cancelAsLost
        /// 换卡: read the chip of the card handed in.
        case readChip
        /// 换卡, a card reported lost: release the report at the bank, or make it a 补卡.
        case releaseLossOrReplace
        /// 换卡, chip confirmed: cancel it (collected, destroyed, or to the old bank).
        case cancelHandedIn
        /// Cancelled: the new card may be made (`issue`).
        case issue
    }

    public var next: NextStep {
        switch (card.kind, card.state) {
        case (_, .cancelled): .issue
        case (.renewal, .locked): card.chipConfirmed ? .cancelHandedIn : .readChip
        case (.renewal, .normal): .readChip
        case (.renewal, _): .releaseLossOrReplace
        case (_, .reportedLost): .cancelAsLost
        default: .formalLossReport
        }
    }
}

/// What the desk refuses before asking the system.
public enum OldCardDeskError: Error, Hashable, Sendable {
    /// A 补卡's card is lost: there is no chip to read.
    case noCardToRead(applicationID: String)
    /// A 补卡/换卡 whose old card is not cancelled yet cannot be made (第二十七条一（四）).
    case oldCardNotCancelled(applicationID: String, cardNumber: String, state: OldCardState)
}
