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
