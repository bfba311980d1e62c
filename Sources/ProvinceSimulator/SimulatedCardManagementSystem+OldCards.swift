import Foundation
import GRDB
import CardManagement

/// 补卡/换卡 on the simulator (《广东省社会保障卡经办规程》第二十三条至第三十一条), with the rules a
/// desk must keep:
///
/// - 补卡 needs the old card 正式挂失; 临时挂失 is not enough (第二十七条一（一）). Its cancellation
///   says the card is lost.
/// - 换卡 needs the card handed in: the desk reads its chip and the chip's card number and social
///   security number must be the old card's (第二十八条至第三十一条 核实持卡人的社保卡); the card is
///   then 锁定 (第三十一条一（二）). Its cancellation says it was collected or destroyed, or — only
///   when the bank changes — that the holder takes it to the old bank (第三十一条二).
/// - No 制卡中 for a 补卡/换卡 before its old card is 已注销 (第二十七条一（四） 补卡应及时注销原卡账户，
///   换卡应及时回收和注销原卡账户); `reportUnfaulted` checks it.
/// - 解挂 is refused while a 补卡/换卡 of the card is open (第二十六条一（四）, 第二十七条一（四）).
extension SimulatedCardManagementSystem {
    // MARK: CardManagementSystem

    public func oldCard(applicationID: String) throws(CardManagementError) -> OldCard {
        try withFaults(.oldCard) { () throws(CardManagementError) in try oldCardUnfaulted(applicationID: applicationID) }
    }

    @discardableResult
    public func confirmOldCardChip(_ confirmation: OldCardChipConfirmation) throws(CardManagementError) -> OldCard {
        try withFaults(.oldCard) { () throws(CardManagementError) in try confirmOldCardChipUnfaulted(confirmation) }
    }

    @discardableResult
    public func cancelOldCard(_ cancellation: OldCardCancellation) throws(CardManagementError) -> OldCard {
        try withFaults(.oldCard) { () throws(CardManagementError) in try cancelOldCardUnfaulted(cancellation) }
    }

    // MARK: Test and demo helpers (the bank's side: 挂失 and 解挂 are done at the bank, 第二十四条至第二十六条)

    /// 临时挂失 or 正式挂失 of a card in the registry, as the bank would send it.
    public func reportLost(cardNumber: String, formally: Bool) throws(CardManagementError) {
        try transaction { db in
            let state = try Self.heldState(db, cardNumber)
            guard state != .cancelled else { throw Self.refusedCancelled(cardNumber) }
            try db.execute(sql: "UPDATE held_card SET state = ? WHERE card_number = ?",
                           arguments: [(formally ? OldCardState.reportedLost : .temporarilyReportedLost).rawValue, cardNumber])
        }
    }

    /// 解除挂失 (第二十六条): refused while a 补卡/换卡 application of the card is open.
    public func releaseLoss(cardNumber: String) throws(CardManagementError) {
        try transaction { db in
            let state = try Self.heldState(db, cardNumber)
            guard state == .reportedLost || state == .temporarilyReportedLost else {
                throw CardManagementError.refused(code: "NOT_REPORTED_LOST", message: "卡 \(cardNumber) 未挂失 card \(cardNumber) is not reported lost")
            }
            let open = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM application WHERE replacing = ? AND state <> ?",
                                        arguments: [cardNumber, ApplicationStatus.State.activated.rawValue]) ?? 0
            guard open == 0 else {
                throw CardManagementError.refused(code: "REPLACEMENT_OPEN", message: "卡 \(cardNumber) 正在补换卡，不能解挂（《广东省社会保障卡经办规程》第二十六条一（四））"
                                                  + " card \(cardNumber) is being replaced; its loss report cannot be released")
            }
            try db.execute(sql: "UPDATE held_card SET state = ? WHERE card_number = ?", arguments: [OldCardState.normal.rawValue, cardNumber])
        }
    }

    /// Sets the bank of a card in the registry (a test of 变更服务银行, 第三十一条).
    public func setHeldCardBank(cardNumber: String, bank: String) throws(CardManagementError) {
        try transaction { db in
            _ = try Self.heldState(db, cardNumber)
            try db.execute(sql: "UPDATE held_card SET bank = ? WHERE card_number = ?", arguments: [bank, cardNumber])
        }
    }

    /// 一人一卡清理 (《规程》附件10 四、五): the province clerk cancels the person's other cards in the
    /// province system (the desk cannot); the 附件10 确认单 is signed before. Returns the cards
    /// cancelled.
    @discardableResult
    public func cleanUpOtherCards(applicationID: String) throws(CardManagementError) -> [ExistingCard] {
        try transaction { db in
            let record = try Self.record(db, applicationID)
            let others = try SimulatedCardManagementStore.heldCards(db, ssn: record.application.socialSecurityNumber).filter { held in
                held.card.state != Self.cancelled && held.card.cardNumber != record.replacing && held.applicationID != applicationID
            }.map(\.card)
            for card in others {
                try db.execute(sql: "UPDATE held_card SET state = ? WHERE card_number = ?", arguments: [Self.cancelled, card.cardNumber])
            }
            return others
        }
    }

    /// The steps recorded on an old card, oldest first: (event, disposition, clerk).
    public func oldCardEvents(cardNumber: String) throws(CardManagementError) -> [(event: String, disposition: String?, clerk: String)] {
        try reading { db in
            try Row.fetchAll(db, sql: "SELECT event, disposition, clerk FROM old_card_event WHERE card_number = ? ORDER BY seq",
                             arguments: [cardNumber]).map { ($0["event"], $0["disposition"], $0["clerk"]) }
        }
    }

    // MARK: The rules

    func oldCardUnfaulted(applicationID: String) throws(CardManagementError) -> OldCard {
        try reading { db in try Self.oldCard(db, applicationID) }
    }

    func confirmOldCardChipUnfaulted(_ confirmation: OldCardChipConfirmation) throws(CardManagementError) -> OldCard {
        try Self.checkRequestID(confirmation.requestID)
        let content = Self.canonicalJSON(confirmation)
        let at = timestamp()
        return try transaction { db in
            if let answer = try Self.storedAnswer(db, requestID: confirmation.requestID, operation: .oldCard, content: content) {
                return try Self.decode(OldCard.self, answer)
            }
            let old = try Self.oldCard(db, confirmation.applicationID)
            guard old.kind == .renewal else {
                throw CardManagementError.refused(code: "NOT_A_RENEWAL", message: "补卡的原卡已丢失，无卡可读（《广东省社会保障卡经办规程》第二十七条）"
                                                  + " a 补卡 replaces a lost card; there is no card to read")
            }
            guard confirmation.cardNumber == old.cardNumber, confirmation.socialSecurityNumber == old.socialSecurityNumber else {
                throw CardManagementError.refused(code: "OLD_CARD_MISMATCH", message: "交回的卡（芯片卡号 \(confirmation.cardNumber)）不是申请 \(old.applicationID) 要换的卡 \(old.cardNumber)"
                                                  + " the card handed in (chip card number \(confirmation.cardNumber)) is not \(old.cardNumber), the card application \(old.applicationID) replaces")
            }
            switch old.state {
            case .normal, .locked: break
            case .cancelled: throw Self.refusedCancelled(old.cardNumber)
            case .reportedLost, .temporarilyReportedLost:
                throw CardManagementError.refused(code: "OLD_CARD_REPORTED_LOST", message: "卡 \(old.cardNumber) 已挂失，先在银行解挂再换卡（《规程》第二十六条）"
                                                  + " card \(old.cardNumber) is reported lost; release it at the bank before a 换卡")
            }
            try db.execute(sql: "UPDATE held_card SET state = ?, chip_confirmed = 1 WHERE card_number = ?",
                           arguments: [OldCardState.locked.rawValue, old.cardNumber])
            try Self.event(db, old, "chipConfirmed", nil, terminal: confirmation.terminal, clerk: confirmation.clerk, at: at)
            let answer = try Self.oldCard(db, confirmation.applicationID)
            try SimulatedCardManagementStore.recordAnswer(db, id: confirmation.requestID, .init(
                operation: CardManagementOperation.oldCard.rawValue, content: content, answer: Self.canonicalJSON(answer)), at: at)
            return answer
        }
    }

    func cancelOldCardUnfaulted(_ cancellation: OldCardCancellation) throws(CardManagementError) -> OldCard {
        try Self.checkRequestID(cancellation.requestID)
        let content = Self.canonicalJSON(cancellation)
        let at = timestamp()
        return try transaction { db in
            if let answer = try Self.storedAnswer(db, requestID: cancellation.requestID, operation: .oldCard, content: content) {
                return try Self.decode(OldCard.self, answer)
            }
            let old = try Self.oldCard(db, cancellation.applicationID)
            guard cancellation.cardNumber == old.cardNumber else {
                throw CardManagementError.refused(code: "OLD_CARD_MISMATCH", message: "卡 \(cancellation.cardNumber) 不是申请 \(old.applicationID) 要替换的卡 \(old.cardNumber)"
                                                  + " card \(cancellation.cardNumber) is not \(old.cardNumber), the card application \(old.applicationID) replaces")
            }
            guard old.state != .cancelled else { throw Self.refusedCancelled(old.cardNumber) }
            switch old.kind {
            case .replacement:
                guard old.state == .reportedLost else {
                    throw CardManagementError.refused(code: "NOT_FORMALLY_REPORTED_LOST", message: "卡 \(old.cardNumber) 为“\(old.state.rawValue)”，补卡须先办理正式挂失（《广东省社会保障卡经办规程》第二十七条一（一））"
                                                      + " card \(old.cardNumber) is \(old.state.english); a 补卡 needs a formal loss report first")
                }
                guard cancellation.disposition == .lost else { throw Self.refusedDisposition(cancellation.disposition, old) }
            case .renewal:
                guard old.chipConfirmed else {
                    throw CardManagementError.refused(code: "OLD_CARD_NOT_CONFIRMED", message: "换卡须先收回原卡并读芯片确认（《规程》第二十八条至第三十一条）"
                                                      + " a 换卡 needs the old card handed in and its chip read first")
                }
                switch cancellation.disposition {
                case .collected, .destroyed: break
                case .toOldBank where old.bankChanges: break
                case .toOldBank, .lost: throw Self.refusedDisposition(cancellation.disposition, old)
                }
            case .new:
                throw CardManagementError.refused(code: "NOT_A_REPLACEMENT", message: "新申领不替换任何卡 a new application replaces no card")
            }
            try db.execute(sql: "UPDATE held_card SET state = ?, disposition = ? WHERE card_number = ?",
                           arguments: [Self.cancelled, cancellation.disposition.rawValue, old.cardNumber])
            try Self.event(db, old, "cancelled", cancellation.disposition, terminal: cancellation.terminal, clerk: cancellation.clerk, at: at)
            let answer = try Self.oldCard(db, cancellation.applicationID)
            try SimulatedCardManagementStore.recordAnswer(db, id: cancellation.requestID, .init(
                operation: CardManagementOperation.oldCard.rawValue, content: content, answer: Self.canonicalJSON(answer)), at: at)
            return answer
        }
    }

    /// For `reportUnfaulted`: a 补卡/换卡 may go 制卡中 only once its old card is 已注销.
    static func requireOldCardCancelled(_ db: Database, _ record: SimulatedCardManagementStore.ApplicationRecord) throws {
        guard record.application.kind != .new, let replaced = record.replacing else { return }
        let state = try heldState(db, replaced)
        guard state == .cancelled else {
            throw CardManagementError.refused(code: "OLD_CARD_NOT_CANCELLED", message: "原卡 \(replaced) 为“\(state.rawValue)”，须先注销原卡再制新卡（《广东省社会保障卡经办规程》第二十七条一（四））"
                                              + " old card \(replaced) is \(state.english); cancel it before the new card is made")
        }
    }

    // MARK: Rows

    static func oldCard(_ db: Database, _ applicationID: String) throws -> OldCard {
        let record = try record(db, applicationID)
        guard record.application.kind != .new, let replaced = record.replacing else {
            throw CardManagementError.refused(code: "NOT_A_REPLACEMENT", message: "申请 \(applicationID) 不是替换某张卡的补卡或换卡"
                                              + " application \(applicationID) is not a 补卡/换卡 that names the card it replaces")
        }
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM held_card WHERE card_number = ?", arguments: [replaced]) else {
            throw CardManagementError.refused(code: "UNKNOWN_CARD", message: "卡管系统中没有卡 \(replaced) no card \(replaced) in the registry")
        }
        let disposition: String? = row["disposition"]
        return OldCard(applicationID: applicationID, kind: record.application.kind, cardNumber: replaced,
                       socialSecurityNumber: row["ssn"], state: state(row["state"]), bank: row["bank"],
                       newBank: record.application.bank, disposition: disposition.flatMap(OldCardDisposition.init(rawValue:)),
                       chipConfirmed: (row["chip_confirmed"] as Int?) == 1)
    }

    private static func heldState(_ db: Database, _ cardNumber: String) throws -> OldCardState {
        guard let text = try String.fetchOne(db, sql: "SELECT state FROM held_card WHERE card_number = ?", arguments: [cardNumber]) else {
            throw CardManagementError.refused(code: "UNKNOWN_CARD", message: "卡管系统中没有卡 \(cardNumber) no card \(cardNumber) in the registry")
        }
        return state(text)
    }

    /// The registry's state text; the early simulator's plain "挂失" was a formal one.
    private static func state(_ text: String) -> OldCardState {
        if text == "挂失" { return .reportedLost }
        return OldCardState(rawValue: text) ?? .locked
    }

    private static func event(_ db: Database, _ old: OldCard, _ event: String, _ disposition: OldCardDisposition?,
                              terminal: String, clerk: String, at: String) throws {
        try db.execute(sql: """
            INSERT INTO old_card_event (card_number, application_id, event, disposition, terminal, clerk, at) VALUES (?, ?, ?, ?, ?, ?, ?)
            """, arguments: [old.cardNumber, old.applicationID, event, disposition?.rawValue, terminal, clerk, at])
    }

    private static func refusedCancelled(_ cardNumber: String) -> CardManagementError {
        .refused(code: "OLD_CARD_CANCELLED", message: "卡 \(cardNumber) 已注销 card \(cardNumber) is already cancelled")
    }

    private static func refusedDisposition(_ disposition: OldCardDisposition, _ old: OldCard) -> CardManagementError {
        .refused(code: "BAD_DISPOSITION", message: "\(old.kind.chinese)的原卡不能登记为“\(disposition.chinese)”"
                 + (disposition == .toOldBank ? "（未变更服务银行）" : "")
                 + " the old card of a \(old.kind.rawValue) cannot be recorded as \(disposition.english)"
                 + (disposition == .toOldBank ? " (the bank does not change)" : ""))
    }
}
