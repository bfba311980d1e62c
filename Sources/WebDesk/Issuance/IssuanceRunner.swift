import Foundation
import InstantIssue
import Synchronization

/// Runs issuances in the server on a thread of their own, one per printer at a time, and keeps
/// the last one of each application for its page (`LiveIssuance`). The signed-in clerk is the
/// clerk the workflow journals and puts in the 台账.
final class IssuanceRunner: Sendable {
    let station: Station
    let slot: PrinterSlot
    let adviser: DeskAdvice.Adviser
    let readBack: (@Sendable (IssuedCard) throws -> String)?
    private let live = Mutex<[String: LiveIssuance]>([:])

    init(station: Station, slot: PrinterSlot, adviser: @escaping DeskAdvice.Adviser,
         readBack: (@Sendable (IssuedCard) throws -> String)?) {
        self.station = station; self.slot = slot; self.adviser = adviser; self.readBack = readBack
    }

    enum Start { case started(LiveIssuance), busy(PrinterSlot.Holder) }

    func issuance(_ applicationID: String) -> LiveIssuance? { live.withLock { $0[applicationID] } }

    /// Starts `request` for `clerk` unless the printer is busy.
    func start(_ request: IssuanceRequest, clerk: String) -> Start {
        let id = request.application.id
        if let holder = slot.claim(.init(clerk: clerk, applicationID: id, what: Text("为 \(id) 制卡", "making the card of \(id)"))) {
            return .busy(holder)
        }
        let issuance = LiveIssuance(applicationID: id, clerk: clerk, name: request.name)
        live.withLock { $0[id] = issuance }
        let (station, adviser, readBack, slot) = (station, adviser, readBack, slot)
        Thread.detachNewThread {
            defer { slot.release() }
            do {
                let issued = try IssuanceWorkflow(station: station).issue(request, clerk: clerk) { progress in
                    if case .preview(let path) = progress {
                        issuance.post(LiveIssuance.event(progress), facePath: path)
                    } else {
                        issuance.post(LiveIssuance.event(progress))
                    }
                }
                if let readBack {
                    let text = (try? readBack(issued)).map { Text(verbatim: $0) }
                        ?? Text("读回失败", "reading back failed")
                    issuance.post(IssuanceEvent(kind: .readBack, zh: text.zh, en: text.en, cardNumber: issued.cardNumber.value))
                }
                issuance.post(IssuanceEvent(kind: .done, zh: "制卡成功：卡号 \(issued.cardNumber)", en: "card made: \(issued.cardNumber)",
                                            cardNumber: issued.cardNumber.value))
            } catch {
                let advice = adviser(error)
                issuance.post(IssuanceEvent(kind: .failed, zh: advice.problemChinese, en: advice.problemEnglish,
                                            nextZh: advice.nextChinese, nextEn: advice.nextEnglish))
            }
        }
        return .started(issuance)
    }
}
