import Foundation
import Logging
import SSCardDriver
import SSCardPrinter
import CardManagement

/// One instant issuance through the Swift driver API (docs/recovery.md, the steps of one card):
/// reserve → iLoadCard → read and match → 制卡中 → blank check → write EF05/EF06 and read back
/// → iWriteCaStep1 → CA → iWriteCaStep2 → render and iPrint → 制卡成功.
///
/// Every side effect is journaled before and after (`IssuanceStep`), so a crash anywhere leaves
/// what `StationRecovery` needs. A failure before the face is printed is handled at once as 制卡失败
/// (`CardFailure`): the card goes to the reject box, spoiled or returned, the failure reported.
/// Cancellation is checked between steps.
public struct IssuanceWorkflow: Sendable {
    public let station: Station
    /// How often a retryable card-management call is tried before the workflow gives up.
    public var reportAttempts = 3
    /// Pause before repeating a retryable card-management call.
    public var retryPause: Duration = .milliseconds(500)

    public init(station: Station) { self.station = station }

    /// Issues one card. Returns the issued card; throws `IssuanceError` saying where the
    /// application and its card stand and what the clerk does next.
    public func issue(_ request: IssuanceRequest, clerk: String, cancellation: IssuanceCancellation = IssuanceCancellation(),
                      progress: @escaping (IssuanceProgress) -> Void = { _ in }) throws(IssuanceError) -> IssuedCard {
        let run = IssuanceRun(workflow: self, request: request, clerk: clerk, cancellation: cancellation, progress: progress)
        let log = station.logger
        log.info("issuance started", metadata: ["application": "\(request.application.id)", "clerk": "\(clerk)"])
        defer { station.metrics.observe(station) }
        do {
            let card = try run.perform()
            log.info("card issued", metadata: ["application": "\(card.applicationID)", "card": "\(card.cardNumber.value)"])
            station.metrics.cardIssued()
            return card
        } catch {
            station.metrics.issuanceStopped(error)
            let metadata: Logger.Metadata = ["application": "\(error.applicationID)", "step": "\(error.step.rawValue)",
                                             "outcome": "\(StationMetrics.outcome(error.outcome))"]
            switch error.outcome {
            case .refused, .cancelled: log.warning("issuance refused: \(error.english)", metadata: metadata)
            case .cardFailed, .needsRecovery, .printedAwaitingReport: log.error("issuance failed: \(error.english)", metadata: metadata)
            }
            throw error
        }
    }

    /// Calls `body`, repeating a retryable card-management failure `reportAttempts` times with the
    /// same request (the same request id keeps it idempotent).
    func retrying<T>(_ step: IssuanceStep, progress: (IssuanceProgress) -> Void, _ body: () throws -> T) throws -> T {
        var attempt = 1
        while true {
            do {
                return try body()
            } catch let error as CardManagementError where error.isRetryable && attempt < reportAttempts {
                station.logger.warning("card-management call retried: \(error.english)", metadata: ["step": "\(step.rawValue)", "attempt": "\(attempt + 1)"])
                progress(.retrying(step, attempt: attempt + 1, reason: error.chinese))
                attempt += 1
                Thread.sleep(forTimeInterval: retryPause / .seconds(1))
            }
        }
    }
}

/// A card made and reported: what the clerk hands over after 领卡启用.
public struct IssuedCard: Sendable, Hashable {
    public var applicationID: String
    public var cardNumber: CardNumber
    public var cardIdentificationCode: CardIdentificationCode
    /// The card-face picture (PNG) as rendered for printing.
    public var facePath: String?
}

/// The state of one `issue` call.
final class IssuanceRun {
    let workflow: IssuanceWorkflow
    let station: Station
    let request: IssuanceRequest
    let clerk: String
    let cancellation: IssuanceCancellation
    let progress: (IssuanceProgress) -> Void
    var record: IssuanceRecord
    var phase: IssuancePhase = .applied
    var currentStep: IssuanceStep = .reserve

    init(workflow: IssuanceWorkflow, request: IssuanceRequest, clerk: String, cancellation: IssuanceCancellation,
         progress: @escaping (IssuanceProgress) -> Void) {
        self.workflow = workflow
        station = workflow.station
        self.request = request
        self.clerk = clerk
        self.cancellation = cancellation
        self.progress = progress
        record = IssuanceRecord(applicationID: request.application.id, attempt: 1, bank: request.application.bank,
                                terminal: station.configuration.terminal)
    }

    var applicationID: String { request.application.id }
    var driver: SSCardInterface { station.driver }
    var system: any CardManagementSystem { station.cardManagement }

    func perform() throws(IssuanceError) -> IssuedCard {
        try checkApplicationID()
        try checkNothingUnfinished()
        do {
            return try personalise()
        } catch let error as IssuanceError {
            throw error
        } catch {
            throw handleFailure(error)
        }
    }

    /// The application id names the card-face file: one that could lead it out of its folder
    /// (`../x`, `a/b`) is refused before any card is touched.
    private func checkApplicationID() throws(IssuanceError) {
        guard !FileNamePart.isSafe(applicationID) else { return }
        let problem = CardFaceNameError(part: .applicationID, value: applicationID)
        throw IssuanceError(applicationID: applicationID, step: .reserve, outcome: .refused,
                            chinese: problem.chinese, english: problem.english, underlying: problem)
    }

    /// An application with an unfinished issuance must be recovered first; one already issued
    /// is refused by the inventory (one application, one card).
    private func checkNothingUnfinished() throws(IssuanceError) {
        do {
            let entries = try station.journal.entries(for: applicationID)
            if let last = entries.last, !last.isFinal {
                if last.phaseAfter == .reported {
                    throw IssuanceError(applicationID: applicationID, step: .reserve, outcome: .refused,
                                        chinese: "申请 \(applicationID) 的卡已制成（卡号 \(last.cardNumber?.value ?? "")），等待领卡启用",
                                        english: "application \(applicationID) already has its card (\(last.cardNumber?.value ?? "")), awaiting activation")
                }
                throw IssuanceError(applicationID: applicationID, step: .reserve, outcome: .needsRecovery,
                                    chinese: "申请 \(applicationID) 有未完成的制卡记录",
                                    english: "application \(applicationID) has an unfinished issuance")
            }
            record.attempt = entries.filter { $0.step == .reserve && $0.stage == .done }.count + 1
        } catch let error as IssuanceError {
            throw error
        } catch {
            throw IssuanceError(applicationID: applicationID, step: .reserve, outcome: .refused,
                                chinese: "无法读取流水记录：\(error)", english: "cannot read the journal: \(error)", underlying: error)
        }
    }

    /// Runs `body` between a `start` and a `done` journal entry; the phase becomes `to`.
    private func step<T>(_ step: IssuanceStep, to next: IssuancePhase? = nil, _ body: () throws -> T) throws -> T {
        currentStep = step
        try station.record(record, step, .start, from: phase, to: phase)
        progress(.started(step))
        let started = ContinuousClock.now
        let value = try body()
        let took = ContinuousClock.now - started
        station.metrics.stepTook(step, took)
        station.logger.debug("step done", metadata: ["application": "\(applicationID)", "step": "\(step.rawValue)",
                                                    "ms": "\(took / .milliseconds(1))"])
        let after = next ?? phase
        try station.record(record, step, .done, from: phase, to: after)
        phase = after
        progress(.finished(step))
        return value
    }

    private func checkCancelled() throws {
        if cancellation.isCancelled { throw CancelledByClerk() }
    }

    private func personalise() throws -> IssuedCard {
        let application = request.application
        // The bank's hopper comes from one place, the driver configuration's `hoppers`
        // (HopperMap; 附件9 iLoadCard: 系统根据申请人的服务银行自动选择卡盒进卡); a bank it does not
        // name feeds from the hopper its reserved card was loaded into.
        let mappedHopper = station.hopperMap.hopper(forBank: application.bank).flatMap { Hopper(rawValue: $0) }
        let reserved = try step(.reserve, to: .reserved) {
            let card = try station.stock.reserve(bank: application.bank, applicationID: applicationID,
                                                     fromHopper: mappedHopper, by: clerk)
            record.cardNumber = card.cardNumber
            record.cardIdentificationCode = card.cardIdentificationCode
            record.hopper = card.hopper?.rawValue
            return card
        }
        try checkCancelled()
        // Cover, hopper, ribbon and reader are checked while the card is still in its hopper.
        currentStep = .feed
        try driver.checkReadyToFeed(hopper: reserved.hopper?.rawValue ?? 0)

        record.feedStarted = true
        try step(.feed) { try driver.loadCard(hopper: reserved.hopper?.rawValue ?? 0) }

        // The hopper may feed another card than the one reserved: the chip says which it is.
        let challenge = try step(.identify, to: .loaded) {
            let challenge = try driver.beginBasicReadOfFedCard(timeout: .seconds(3))
            guard let fed = try station.stock.card(identifiedBy: challenge.cardIdentificationCode) else {
                throw WorkflowFailure.unknownCard(challenge.cardIdentificationCode)
            }
            let card = try station.stock.confirmFedCard(fed.cardNumber, applicationID: applicationID, by: clerk)
            record.cardNumber = card.cardNumber
            record.cardIdentificationCode = card.cardIdentificationCode
            return challenge
        }
        let cardNumber = record.cardNumber!
        let cardID = challenge.cardIdentificationCode

        try step(.reportInProduction) {
            _ = try workflow.retrying(.reportInProduction, progress: progress) {
                try system.report(report(.inProduction))
            }
        }

        try step(.checkBlank) {
            let keys = try system.authenticationKey(for: challenge, access: .read, applicationID: applicationID)
            let info = try driver.completeBasicRead(hsmKeys: keys)
            guard info.cardNumber == cardNumber.value else { throw WorkflowFailure.cardChanged(expected: cardNumber, found: info.cardNumber) }
            guard info.socialSecurityNumber.isEmpty && info.name.isEmpty else { throw WorkflowFailure.notBlank(cardNumber) }
        }
        try checkCancelled()

        let issueDate = station.today()
        // Drawn beside the chip and CA steps; taken up below, before the card moves.
        let preparation = CardFacePreparation(
            holder: CardFaceHolder(name: request.name, socialSecurityNumber: request.socialSecurityNumber.value,
                                   cardNumber: cardNumber.value, issueDate: issueDate, photoJPEG: request.photoJPEG),
            configuration: driver.configuration)
        let chip = try ChipPersonalisation(
            request: request, issueDate: issueDate,
            expiryDate: ChipPersonalisation.expiryDate(issueDate: issueDate, years: station.configuration.cardValidityYears))
        record.chipWriteStarted = true
        try step(.writeChip, to: .chipWritten) {
            let cardInfo = CardInfoArgument(cardIdentificationCode: cardID, cardNumber: cardNumber)
            for (address, data) in [(chip.ef05Address, chip.ef05Data), (chip.ef06Address, chip.ef06Data)] {
                let write = try driver.beginCardWrite(reader: .contact, cardInfo: cardInfo, fileAddress: address)
                let keys = try system.authenticationKey(for: write, access: .write, applicationID: applicationID)
                _ = try driver.completeCardWrite(hsmKeys: keys, data: data)
            }
            // EF06 is read back with the read key: what the chip holds must be what was written.
            let read = try driver.beginCardRead(reader: .contact, cardInfo: cardInfo, fileAddress: chip.ef06Address)
            let keys = try system.authenticationKey(for: read, access: .read, applicationID: applicationID)
            let back = try driver.completeCardRead(hsmKeys: keys)
            guard back == chip.ef06Data else { throw WorkflowFailure.readBackDiffers }
        }
        try checkCancelled()

        try step(.writeCertificates, to: .caWritten) {
            defer { station.securityModule.forget(cardID) }
            let signingKey = try driver.prepareCertificates()
            let certificateRequest = CACertificateRequest(
                socialSecurityNumber: request.socialSecurityNumber.value, cardNumber: cardNumber.value, name: request.name,
                regionCode: application.regionCode, cardIdentificationCode: cardID, signingPublicKey: signingKey)
            var items = try system.issueCertificates(certificateRequest, applicationID: applicationID)
            defer { items.wipeSecrets() }
            try driver.loadCertificates(items)
        }
        try checkCancelled()

        // The face is rendered (and refused, if it cannot print) before the card moves, once:
        // the preview written is the very face printed.
        let prepared = try preparation.wait()
        record.facePath = try CardFacePreview.write(png: prepared.png, directory: station.configuration.outputDirectory,
                                                    applicationID: applicationID, cardNumber: cardNumber)
        progress(.preview(path: record.facePath!))
        try step(.print, to: .printed) { try driver.printCard(rendered: prepared.face, exit: prepared.job.exit) }

        do {
            try step(.reportProduced, to: .reported) {
                _ = try workflow.retrying(.reportProduced, progress: progress) {
                    try system.report(report(.produced))
                }
                try station.stock.markIssued(cardNumber, applicationID: applicationID, by: clerk)
                try station.stock.appendLedger(clerk: clerk, action: "制卡成功", subject: applicationID,
                                               details: "卡号 \(cardNumber) 卡识别码 \(cardID.hex) 第\(record.attempt)次")
            }
        } catch {
            // Printed, not confirmed: the card is good but the books are not; 制卡补登 finishes it.
            let cause = IssuanceError.cause(error)
            throw IssuanceError(applicationID: applicationID, step: .reportProduced, outcome: .printedAwaitingReport(cardNumber: cardNumber),
                                chinese: "卡面已打印，上报制卡成功失败：\(cause.chinese)",
                                english: "the face is printed but reporting 制卡成功 failed: \(cause.english)", underlying: error)
        }
        return IssuedCard(applicationID: applicationID, cardNumber: cardNumber, cardIdentificationCode: cardID,
                          facePath: record.facePath)
    }

    private func report(_ status: ReportedStatus, reason: String? = nil) -> IssuanceReport {
        IssuanceReport(requestID: record.requestID(status.rawValue), applicationID: applicationID, status: status,
                       cardNumber: record.cardNumber?.value ?? "", cardIdentificationCode: record.cardIdentificationCode?.hex ?? "",
                       reason: reason, terminal: station.configuration.terminal, clerk: clerk)
    }

    /// A step before the face was printed failed (or the clerk cancelled): 制卡失败 at once when
    /// a card was reserved; if that cannot finish now, recovery will.
    private func handleFailure(_ error: any Error) -> IssuanceError {
        let cancelled = error is CancelledByClerk
        let cause = cancelled ? ("制卡员取消", "cancelled by the clerk") : IssuanceError.cause(error)
        let failedStep = currentStep
        guard record.cardNumber != nil else {
            // Nothing reserved: nothing to undo, but the journal is closed so the application
            // is not left looking unfinished (if this write fails, recovery closes it).
            _ = try? station.record(record, .cancel, .done, from: phase, to: .cancelled)
            return IssuanceError(applicationID: applicationID, step: failedStep, outcome: cancelled ? .cancelled : .refused,
                                 chinese: "\(failedStep.chinese)失败：\(cause.0)", english: "\(failedStep.english) failed: \(cause.1)",
                                 underlying: error)
        }
        record.failureReason = "\(failedStep.chinese)：\(cause.0)"
        do {
            let ended = try CardFailure(station: station, clerk: clerk, progress: progress)
                .fail(record, phase: phase, lastStep: failedStep)
            let outcome: IssuanceError.Outcome = cancelled && !record.feedStarted ? .cancelled
                : ended.leftHopper ? .cardFailed(cardNumber: ended.cardNumber, spoiled: ended.spoiled)
                : .refused
            return IssuanceError(applicationID: applicationID, step: failedStep, outcome: outcome,
                                 chinese: "\(failedStep.chinese)失败：\(cause.0)", english: "\(failedStep.english) failed: \(cause.1)",
                                 underlying: error)
        } catch {
            let second = IssuanceError.cause(error)
            return IssuanceError(applicationID: applicationID, step: failedStep, outcome: .needsRecovery,
                                 chinese: "\(failedStep.chinese)失败：\(cause.0)；制卡失败处理未完成：\(second.chinese)",
                                 english: "\(failedStep.english) failed: \(cause.1); handling the failed card did not finish: \(second.english)",
                                 underlying: error)
        }
    }
}

/// The clerk cancelled between steps.
struct CancelledByClerk: Error {}

/// Why the workflow itself stopped a card.
enum WorkflowFailure: Error, CustomStringConvertible {
    case unknownCard(CardIdentificationCode)
    case cardChanged(expected: CardNumber, found: String)
    case notBlank(CardNumber)
    case readBackDiffers

    var description: String {
        switch self {
        case .unknownCard(let id): "制卡机送出的卡（卡识别码 \(id)）不在本网点库存中 the fed card (卡识别码 \(id)) is not in this desk's stock"
        case .cardChanged(let expected, let found): "读到的卡号 \(found) 不是 \(expected) the card read is \(found), not \(expected)"
        case .notBlank(let number): "预制卡 \(number) 的芯片已有个人信息 the chip of pre-made card \(number) already holds personal data"
        case .readBackDiffers: "芯片读回的个人信息与写入的不一致 the chip's data read back differs from what was written"
        }
    }
}
