import SSCardDriver

/// 领卡启用 (《广东省社会保障卡经办规程》附件9): the applicant took the card. Ends the issuance in
/// the journal and tells the card-management system, idempotently (the request id survives a
/// crash); the card face is then deleted under the default `cardFaceRetention`.
///
/// Only after the handover (`Handover`): the recipient's ID checked, the holder's own PIN set
/// (not for an agent), the handover receipt printed and its signing recorded
/// (第十二条、第十四条、第十八条). Otherwise `HandoverError.incomplete` names what is missing.
public struct Activation: Sendable {
    public let station: Station
    public init(station: Station) { self.station = station }

    /// Activates the card made for `applicationID` and returns its number. Refused unless that
    /// issuance reached 制卡成功 (or its activation was interrupted).
    @discardableResult
    public func activate(applicationID: String, clerk: String) throws -> CardNumber {
        guard let last = try station.journal.entries(for: applicationID).last else {
            // On the outlet's shared books: a card made at another desk of the outlet.
            if station.ledger.isShared, let (card, phase) = try Handover(station: station).sharedProducedCard(applicationID) {
                return try activateShared(applicationID: applicationID, card: card, phase: phase, clerk: clerk)
            }
            throw ActivationError.noCard(applicationID)
        }
        let record = try last.resumeData(as: IssuanceRecord.self)
        let interrupted = last.step == .activate && last.stage == .start
        guard last.phaseAfter == .activated || last.phaseAfter == .reported || interrupted, let cardNumber = record.cardNumber else {
            throw ActivationError.notProduced(applicationID, phase: last.phaseAfter)
        }
        if last.phaseAfter == .activated {
            station.cardFaceIssuanceCompleted(record)  // a crash may have come before the face went
            return cardNumber
        }
        if station.ledger.isShared, !interrupted, case (_, .activated)? = try Handover(station: station).sharedProducedCard(applicationID) {
            // Another desk of the outlet activated the card this desk made: the journal catches up.
            try station.record(record, .activate, .start, from: last.phaseAfter, to: last.phaseAfter)
            try station.record(record, .activate, .done, from: last.phaseAfter, to: .activated)
            station.cardFaceIssuanceCompleted(record)
            return cardNumber
        }
        if !interrupted {
            // An interrupted activation had passed this check before it started.
            let handover = try Handover(station: station).status(applicationID: applicationID)
            guard handover.isComplete else { throw HandoverError.incomplete(applicationID, missing: handover.missing) }
        }
        try station.record(record, .activate, .start, from: last.phaseAfter, to: last.phaseAfter)
        try station.cardManagement.activate(applicationID: applicationID, cardNumber: cardNumber.value,
                                            requestID: record.requestID("activate"))
        try station.stock.appendLedger(clerk: clerk, action: "领卡启用", subject: applicationID, details: "卡号 \(cardNumber)")
        try station.record(record, .activate, .done, from: last.phaseAfter, to: .activated)
        station.cardFaceIssuanceCompleted(record)
        station.logger.info("card activated (领卡启用)", metadata: ["application": "\(applicationID)", "card": "\(cardNumber.value)"])
        return cardNumber
    }
}

extension Activation {
    /// 领卡启用 at a desk of the outlet other than the one that made the card (shared books):
    /// this desk has no journal of the issuance, so the outlet's 台账 is the record — the
    /// handover complete, then the card-management system told (a request id of this desk, the
    /// same on a repeat) and the 领卡启用 entry appended. The card face stays with the desk that
    /// made it (deleted there under its retention, or when that desk runs activate).
    func activateShared(applicationID: String, card: CardNumber, phase: IssuancePhase, clerk: String) throws -> CardNumber {
        if phase == .activated { return card }
        let handover = try Handover(station: station).status(applicationID: applicationID)
        guard handover.isComplete else { throw HandoverError.incomplete(applicationID, missing: handover.missing) }
        try station.cardManagement.activate(applicationID: applicationID, cardNumber: card.value,
                                            requestID: "\(station.configuration.terminal)-\(applicationID)-outlet-activate")
        try station.stock.appendLedger(clerk: clerk, action: "领卡启用", subject: applicationID, details: "卡号 \(card)")
        station.logger.info("card activated (领卡启用) for another desk of the outlet",
                            metadata: ["application": "\(applicationID)", "card": "\(card.value)"])
        return card
    }
}

public enum ActivationError: Error, Hashable, Sendable, CustomStringConvertible {
    case noCard(String)
    case notProduced(String, phase: IssuancePhase)

    public var chinese: String {
        switch self {
        case .noCard(let a): "申请 \(a) 在本网点没有制卡记录"
        case .notProduced(let a, let p): "申请 \(a) 的卡尚未制卡成功（当前：\(p)），不能领卡启用"
        }
    }

    public var english: String {
        switch self {
        case .noCard(let a): "application \(a) has no card made at this desk"
        case .notProduced(let a, let p): "the card of application \(a) is not produced yet (now: \(p)); it cannot be activated"
        }
    }

    public var description: String { chinese + " " + english }
}
