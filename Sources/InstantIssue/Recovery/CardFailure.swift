import Foundation
import SSCardDriver
import SSCardPrinter
import CardManagement

/// 制卡失败 (《广东省社会保障卡经办规程》第三十六条二（三）): a card whose face was not printed.
/// The card goes to the reject box; it is spoiled if its chip may hold personal data, else returned
/// to stock (or to its hopper if it never left it); the failure is reported (失败数据处理) so the
/// application can be made again with a new pre-made card. Every part is idempotent: run again
/// after a crash, it finishes what is left.
struct CardFailure {
    let station: Station
    let clerk: String
    let progress: (IssuanceProgress) -> Void

    struct Ended {
        var cardNumber: CardNumber?
        var spoiled: Bool
        /// False when the card never left its hopper (its reservation was released).
        var leftHopper: Bool
    }

    func fail(_ record: IssuanceRecord, phase: IssuancePhase, lastStep: IssuanceStep) throws -> Ended {
        var record = record
        if record.failureReason == nil { record.failureReason = "\(lastStep.chinese)未完成" }
        try station.record(record, .fail, .start, from: phase, to: phase)
        progress(.started(.fail))

        // 1. The card in the printer, if any, is identified and goes to the reject box; the
        //    journal notes it, so a rerun knows the card is out of its hopper.
        if record.feedStarted, record.cardRejected != true, try rejectCardInPrinter(&record) {
            record.cardRejected = true
            try station.record(record, .fail, .start, from: phase, to: phase)
        }
        // A card is out of its hopper once rejected, or once the chip was read at the station.
        let leftHopper = record.cardRejected == true || phase != .applied && phase != .reserved

        // 2. The books: spoiled, returned, or back in its hopper.
        var spoiled = false
        if let cardNumber = record.cardNumber, let card = try station.stock.card(cardNumber) {
            switch card.state {
            case .reserved(let holder) where holder == record.applicationID:
                if record.chipWriteStarted {
                    try station.stock.markSpoiled(cardNumber, reason: "制卡失败：\(record.failureReason!)", by: clerk)
                    spoiled = true
                } else if leftHopper {
                    try station.stock.returnToStock(cardNumber, by: clerk)
                } else {
                    try station.stock.releaseReservation(applicationID: record.applicationID, by: clerk)
                }
            case .spoiled:
                spoiled = true
            default:
                break  // already returned or released by an earlier run
            }
        }

        // 3. The system: 制卡失败 when it was told 制卡中 for this card.
        let status = try station.cardManagement.status(applicationID: record.applicationID)
        if status.state == .inProduction {
            try station.cardManagement.report(IssuanceReport(
                requestID: record.requestID(ReportedStatus.failed.rawValue), applicationID: record.applicationID,
                status: .failed, cardNumber: record.cardNumber?.value ?? "", cardIdentificationCode: record.cardIdentificationCode?.hex ?? "",
                reason: record.failureReason, terminal: station.configuration.terminal, clerk: clerk))
        }

        try station.stock.appendLedger(clerk: clerk, action: "制卡失败", subject: record.applicationID,
                                       details: "卡号 \(record.cardNumber?.value ?? "-") \(spoiled ? "作废" : leftHopper ? "退库" : "留在卡盒") 原因 \(record.failureReason!)")
        try station.record(record, .fail, .done, from: phase, to: .failed)
        station.cardFaceIssuanceCompleted(record)  // the face of a failed card was never handed out
        progress(.finished(.fail))
        return Ended(cardNumber: record.cardNumber, spoiled: spoiled, leftHopper: leftHopper)
    }

    /// Ejects whatever card is at the contact station or print position to the reject box. A card
    /// other than the reserved one (the hopper fed another) takes over the reservation first, so
    /// the books follow the card that really moved. True when a card was ejected.
    private func rejectCardInPrinter(_ record: inout IssuanceRecord) throws -> Bool {
        let printer = try station.driver.requirePrinter()
        let position = try printer.status().cardPosition
        switch position {
        case .none:
            return false
        case .jammed:
            throw RecoveryProblem.cardJammed
        case .contactStation, .printPosition, .contactlessStation:
            if position == .contactStation, let challenge = try? station.driver.beginBasicRead(reader: .contact),
               let fed = try station.stock.card(identifiedBy: challenge.cardIdentificationCode),
               fed.cardNumber != record.cardNumber, case .inHopper = fed.state {
                let moved = try station.stock.confirmFedCard(fed.cardNumber, applicationID: record.applicationID, by: clerk)
                record.cardNumber = moved.cardNumber
                record.cardIdentificationCode = moved.cardIdentificationCode
            }
            try station.driver.printCard(.eject(to: .reject))
            return true
        }
    }
}
