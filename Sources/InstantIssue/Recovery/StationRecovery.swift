import Foundation
import Logging
import SSCardDriver
import SSCardPrinter
import CardManagement

/// What recovery asks the clerk, who can see and hold the card.
public protocol RecoveryClerk {
    /// The station stopped while printing: is the face of card `cardNumber` printed?
    func isFacePrinted(cardNumber: CardNumber) -> Bool
    /// 制卡补登: put the printed card `cardNumber` back into the printer (manual feed) and
    /// answer true, or false when the clerk cannot (the card is not at hand).
    func reinsertPrintedCard(cardNumber: CardNumber) -> Bool
}

/// How one unfinished issuance ended.
public enum RecoveryResult: Sendable, Hashable {
    /// 制卡补登: the printed card's chip was confirmed and 制卡成功 reported.
    case backfilled(applicationID: String, cardNumber: CardNumber)
    /// 制卡失败 handled: the card spoiled or returned, the failure reported.
    case failed(applicationID: String, cardNumber: CardNumber?, spoiled: Bool)
    /// 领卡启用 finished.
    case activated(applicationID: String, cardNumber: CardNumber)
    /// Could not finish now; the journal still holds it.
    case stillPending(applicationID: String, reason: String)
}

/// `issue-station recover` (docs/recovery.md; 《广东省社会保障卡经办规程》第三十六条二（三）): for
/// every unfinished issuance decide, from the journal's last entry, the card and the
/// card-management system:
/// - face printed (or the clerk says so), system still 制卡中 → 制卡补登: confirm the chip holds
///   this applicant's data, report, finish;
/// - face not printed → 制卡失败 (`CardFailure`);
/// - activation interrupted → activate again (same request id).
/// Issuances that reached 制卡成功 and wait for the applicant are left alone.
public struct StationRecovery {
    public let station: Station
    /// How long to wait for a re-inserted card to reach the reader.
    public var cardWait: Duration = .seconds(10)

    public init(station: Station) { self.station = station }

    /// The unfinished issuances recovery will act on (not those awaiting 领卡启用).
    public func pending() throws -> [JournalEntry] {
        try station.journal.unfinished().filter { entry in
            let activating = entry.step == .activate && entry.stage == .start
            return !(entry.phaseAfter == .reported && !activating)
        }
    }

    /// Recovers every pending issuance, oldest first. One that cannot finish now stays pending
    /// and the rest go on.
    public func recoverAll(clerk: String, asking helper: any RecoveryClerk,
                           progress: @escaping (IssuanceProgress) -> Void = { _ in }) throws -> [RecoveryResult] {
        let entries = try pending()
        station.logger.info("recovery started", metadata: ["pending": "\(entries.count)", "clerk": "\(clerk)"])
        defer { station.metrics.observe(station) }
        return entries.map { entry in
            let result: RecoveryResult
            do {
                result = try recover(entry, clerk: clerk, asking: helper, progress: progress)
            } catch {
                let cause = IssuanceError.cause(error)
                result = .stillPending(applicationID: entry.applicationID, reason: cause.chinese + " / " + cause.english)
            }
            log(result, after: entry)
            return result
        }
    }

    /// One line per recovered issuance: info when it finished, warning when it stays pending.
    private func log(_ result: RecoveryResult, after entry: JournalEntry) {
        station.metrics.recovered(result)
        let metadata: Logger.Metadata = ["application": "\(entry.applicationID)", "entry": "\(entry.step.journalName(entry.stage))"]
        switch result {
        case .backfilled(_, let card): station.logger.info("recovered: 制卡补登 done, card \(card.value)", metadata: metadata)
        case .failed(_, let card, let spoiled):
            station.logger.info("recovered: 制卡失败 handled, card \(card?.value ?? "-") \(spoiled ? "spoiled" : "returned to stock")", metadata: metadata)
        case .activated(_, let card): station.logger.info("recovered: 领卡启用 done, card \(card.value)", metadata: metadata)
        case .stillPending(_, let reason): station.logger.warning("recovery could not finish: \(reason)", metadata: metadata)
        }
    }

    /// Recovers the issuance whose last journal entry is `entry`.
    public func recover(_ entry: JournalEntry, clerk: String, asking helper: any RecoveryClerk,
                        progress: @escaping (IssuanceProgress) -> Void = { _ in }) throws -> RecoveryResult {
        var record = try entry.resumeData(as: IssuanceRecord.self)
        let (step, stage) = (entry.step, entry.stage)
        let phase = entry.phaseAfter
        if record.cardNumber == nil, let reserved = try station.stock.reservation(for: record.applicationID) {
            // Killed inside the reservation's transaction window: the books have the card.
            record.cardNumber = reserved.cardNumber
            record.cardIdentificationCode = reserved.cardIdentificationCode
            record.hopper = reserved.hopper?.rawValue
        }

        switch (step, stage) {
        case (.activate, .start):
            let card = try Activation(station: station).activate(applicationID: record.applicationID, clerk: clerk)
            return .activated(applicationID: record.applicationID, cardNumber: card)
        case (.backfill, _):
            return try backfill(record, phase: phase, clerk: clerk, asking: helper, progress: progress)
        case (.fail, _):
            return try failed(record, phase: phase, step: step, clerk: clerk, progress: progress)
        case (.print, .start):
            guard let card = record.cardNumber else { return try failed(record, phase: phase, step: step, clerk: clerk, progress: progress) }
            if try faceSurelyNotPrinted() || !helper.isFacePrinted(cardNumber: card) {
                return try failed(record, phase: phase, step: step, clerk: clerk, progress: progress)
            }
            return try backfill(record, phase: phase, clerk: clerk, asking: helper, progress: progress)
        default:
            if phase == .printed {
                return try backfill(record, phase: phase, clerk: clerk, asking: helper, progress: progress)
            }
            return try failed(record, phase: phase, step: step, clerk: clerk, progress: progress)
        }
    }

    /// A card still at the contact station was never moved to print: its face is blank.
    private func faceSurelyNotPrinted() throws -> Bool {
        try station.driver.requirePrinter().status().cardPosition == .contactStation
    }

    private func failed(_ record: IssuanceRecord, phase: IssuancePhase, step: IssuanceStep, clerk: String,
                        progress: @escaping (IssuanceProgress) -> Void) throws -> RecoveryResult {
        var record = record
        if record.failureReason == nil { record.failureReason = "工作站中断于“\(step.chinese)”，卡面未打印" }
        let ended = try CardFailure(station: station, clerk: clerk, progress: progress).fail(record, phase: phase, lastStep: step)
        return .failed(applicationID: record.applicationID, cardNumber: ended.cardNumber, spoiled: ended.spoiled)
    }

    /// 制卡补登: the face is printed; make the books and the system agree with the card.
    private func backfill(_ record: IssuanceRecord, phase: IssuancePhase, clerk: String, asking helper: any RecoveryClerk,
                          progress: @escaping (IssuanceProgress) -> Void) throws -> RecoveryResult {
        guard let cardNumber = record.cardNumber, let cardID = record.cardIdentificationCode else {
            throw RecoveryProblem.cardNotReinserted(cardNumber: record.cardNumber)
        }
        try station.record(record, .backfill, .start, from: phase, to: phase)
        progress(.started(.backfill))
        let system = station.cardManagement
        let status = try system.status(applicationID: record.applicationID)
        if let other = status.cardNumber, other != cardNumber.value, status.state != .failed {
            throw RecoveryProblem.systemHasAnotherCard(applicationID: record.applicationID, cardNumber: other)
        }
        switch status.state {
        case .produced, .activated:
            break  // our 制卡成功 reached the system before the crash; only the books are behind
        case .inProduction:
            try confirmChip(record, cardNumber: cardNumber, cardID: cardID, asking: helper)
            try system.report(IssuanceReport(
                requestID: record.requestID(ReportedStatus.backfilled.rawValue), applicationID: record.applicationID,
                status: .backfilled, cardNumber: cardNumber.value, cardIdentificationCode: cardID.hex, terminal: station.configuration.terminal,
                clerk: clerk))
            // The confirmed card leaves through the good exit.
            try station.driver.printCard(.eject(to: .good))
        case .awaitingProduction, .failed:
            throw CardManagementError.wrongState(applicationID: record.applicationID, state: status.state)
        }
        if case .reserved = try station.stock.card(cardNumber)?.state {
            try station.stock.markIssued(cardNumber, applicationID: record.applicationID, by: clerk)
        }
        try station.stock.appendLedger(clerk: clerk, action: "制卡补登", subject: record.applicationID,
                                       details: "卡号 \(cardNumber) 卡识别码 \(cardID)")
        try station.record(record, .backfill, .done, from: phase, to: .reported)
        progress(.finished(.backfill))
        return .backfilled(applicationID: record.applicationID, cardNumber: cardNumber)
    }

    /// Reads the printed card back (the clerk re-inserts it) and checks its chip holds this
    /// applicant: 卡识别码, 卡号, 社会保障号码, and the name unless it has `[PINYIN]` placeholders
    /// (《广东省社会保障卡经办规程》第三十四条一（三） lets name checks be skipped then).
    private func confirmChip(_ record: IssuanceRecord, cardNumber: CardNumber, cardID: CardIdentificationCode,
                             asking helper: any RecoveryClerk) throws {
        let printer = try station.driver.requirePrinter()
        if try printer.status().cardPosition != .contactStation {
            guard helper.reinsertPrintedCard(cardNumber: cardNumber) else { throw RecoveryProblem.cardNotReinserted(cardNumber: cardNumber) }
        }
        let challenge = try waitForCard(cardNumber: cardNumber)
        guard challenge.cardIdentificationCode == cardID else {
            throw RecoveryProblem.wrongCard(expected: cardNumber, found: challenge.cardIdentificationCode)
        }
        let keys = try station.cardManagement.authenticationKey(for: challenge, access: .read, applicationID: record.applicationID)
        let info = try station.driver.completeBasicRead(hsmKeys: keys)
        let application = try station.cardManagement.application(id: record.applicationID)
        let nameMatches = application.name.contains("[") || info.name == application.name
        // Both numbers parsed: the chip holds the validated form (`x` → `X`), the system what was applied with.
        let onChip = try? SocialSecurityNumber(info.socialSecurityNumber)
        let applied = try? SocialSecurityNumber(application.socialSecurityNumber)
        guard info.cardNumber == cardNumber.value, let onChip, onChip == applied, nameMatches else {
            throw RecoveryProblem.chipDoesNotMatch(cardNumber: cardNumber)
        }
    }

    /// Step1 of the basic read once the re-inserted card is at the contact station and its
    /// reader sees it.
    private func waitForCard(cardNumber: CardNumber) throws -> HSMAuthenticationChallenge {
        let deadline = ContinuousClock.now + cardWait
        while try station.driver.requirePrinter().status().cardPosition != .contactStation {
            guard ContinuousClock.now < deadline else { throw RecoveryProblem.cardNotReinserted(cardNumber: cardNumber) }
            Thread.sleep(forTimeInterval: 0.2)
        }
        do {
            return try station.driver.beginBasicReadOfFedCard(timeout: max(deadline - ContinuousClock.now, .seconds(1)))
        } catch {
            let unseen = error.code == .noCard || error.code == .readerConnectError
            throw unseen ? RecoveryProblem.cardNotReinserted(cardNumber: cardNumber) : error
        }
    }
}
