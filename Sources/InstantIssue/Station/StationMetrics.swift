import CardManagement
import CoreMetrics
import Foundation
import SSCardDriver

/// The desk's metrics, recorded through swift-metrics (docs/technician.md, metrics): the
/// program chooses the backend (`issue-station` bootstraps the Prometheus one); without one
/// they cost nothing. Label values are few and fixed — a step, an outcome, a cause class,
/// a hopper — never an application, a card number or a person.
public struct StationMetrics: Sendable {
    let factory: any MetricsFactory

    /// `factory` nil: the process's backend (`MetricsSystem.factory`), looked up at each record
    /// so a backend bootstrapped after the station opened is used.
    public init(factory: (any MetricsFactory)? = nil) {
        self.factory = factory ?? ProcessBackend()
    }

    /// A card made and reported 制卡成功.
    func cardIssued() {
        Counter(label: "sscard_cards_issued_total", factory: factory).increment()
    }

    /// An issuance that ended without a card: refused (nothing left the hopper, or the clerk
    /// cancelled) or failed (a card was spoiled or the issuance awaits recovery).
    func issuanceStopped(_ error: IssuanceError) {
        let cause = Self.cause(error.underlying ?? error)
        switch error.outcome {
        case .refused, .cancelled:
            Counter(label: "sscard_issuance_refusals_total", dimensions: [("step", error.step.rawValue), ("cause", cause)],
                    factory: factory).increment()
        case .cardFailed, .needsRecovery, .printedAwaitingReport:
            Counter(label: "sscard_issuance_failures_total",
                    dimensions: [("step", error.step.rawValue), ("cause", cause), ("outcome", Self.outcome(error.outcome))],
                    factory: factory).increment()
        }
    }

    /// How long one step of an issuance took (its journal `start` to `done`).
    func stepTook(_ step: IssuanceStep, _ duration: Duration) {
        let nanoseconds = duration.components.seconds * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000
        Timer(label: "sscard_issuance_step_seconds", dimensions: [("step", step.rawValue)], factory: factory)
            .recordNanoseconds(nanoseconds)
    }

    /// One unfinished issuance that recovery acted on, by how it ended.
    func recovered(_ result: RecoveryResult) {
        let outcome = switch result {
        case .backfilled: "backfilled"
        case .failed: "failed"
        case .activated: "activated"
        case .stillPending: "still_pending"
        }
        Counter(label: "sscard_recoveries_total", dimensions: [("outcome", outcome)], factory: factory).increment()
    }

    /// Cards taken into stock from a return file (YZKCG).
    func imported(cards: Int) {
        Counter(label: "sscard_imported_cards_total", factory: factory).increment(by: cards)
    }

    /// Gauges read from the desk as it is now: cards in each hopper (the printer's count when
    /// it reports one, else the books' — the books in force, `station.stock`: on the outlet's
    /// PostgreSQL books this desk's hoppers there, not the desk's local SQLite), ribbon panels
    /// left, unfinished issuances.
    /// Costs nothing when no backend records (a one-shot command, the benchmark): the gauges
    /// ask the printer for its status, which the card cycle should not pay for.
    /// Blocks while the printer and the books answer: call it from a plain thread, never from
    /// a task of Swift's cooperative pool (`MetricsEndpoint` runs its refresh off the pool).
    public func observe(_ station: Station) {
        if let backend = factory as? ProcessBackend, backend.current is NOOPMetricsHandler { return }
        if let status = try? station.driver.printer?.status() {
            for hopper in status.hoppers {
                let count = hopper.cardCount ?? Hopper(hopper.number).flatMap { try? station.stock.cards(inHopper: $0).count }
                if let count {
                    Meter(label: "sscard_hopper_cards", dimensions: [("hopper", String(hopper.number))], factory: factory).set(count)
                }
            }
            if let panels = status.ribbonPanelsRemaining {
                Meter(label: "sscard_ribbon_panels_remaining", factory: factory).set(panels)
            }
        }
        if let pending = try? StationRecovery(station: station).pending() {
            Meter(label: "sscard_recovery_backlog", factory: factory).set(pending.count)
        }
    }

    static func outcome(_ outcome: IssuanceError.Outcome) -> String {
        switch outcome {
        case .refused: "refused"
        case .cancelled: "cancelled"
        case .cardFailed: "card_failed"
        case .needsRecovery: "needs_recovery"
        case .printedAwaitingReport: "printed_awaiting_report"
        }
    }

    /// A cause class for a label: the driver's code, the province link, the workflow's own check.
    static func cause(_ error: any Error) -> String {
        switch error {
        case let e as IssuanceError: return e.underlying.map(cause) ?? "other"
        case let e as InterfaceError: return "driver_\(e.code.rawValue)"
        case let e as CardManagementError:
            switch e {
            case .unknownApplication: return "province_unknown_application"
            case .wrongState: return "province_wrong_state"
            case .refused: return "province_refused"
            case .unreachable: return "province_unreachable"
            case .outcomeUnknown: return "province_no_answer"
            case .serverError: return "province_server_error"
            }
        case let e as WorkflowFailure:
            switch e {
            case .unknownCard: return "unknown_card"
            case .cardChanged: return "card_changed"
            case .notBlank: return "card_not_blank"
            case .readBackDiffers: return "read_back_differs"
            }
        case is CancelledByClerk: return "cancelled_by_clerk"
        case is InventoryError: return "inventory"
        case is CardFaceNameError: return "application_id"
        default: return "other"
        }
    }
}

/// `MetricsSystem.factory` at the moment of each call.
private struct ProcessBackend: MetricsFactory {
    var current: any MetricsFactory { MetricsSystem.factory }
    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        current.makeCounter(label: label, dimensions: dimensions)
    }
    func makeFloatingPointCounter(label: String, dimensions: [(String, String)]) -> any FloatingPointCounterHandler {
        current.makeFloatingPointCounter(label: label, dimensions: dimensions)
    }
    func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        current.makeMeter(label: label, dimensions: dimensions)
    }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        current.makeRecorder(label: label, dimensions: dimensions, aggregate: aggregate)
    }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        current.makeTimer(label: label, dimensions: dimensions)
    }
    func destroyCounter(_ handler: any CounterHandler) { current.destroyCounter(handler) }
    func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) { current.destroyFloatingPointCounter(handler) }
    func destroyMeter(_ handler: any MeterHandler) { current.destroyMeter(handler) }
    func destroyRecorder(_ handler: any RecorderHandler) { current.destroyRecorder(handler) }
    func destroyTimer(_ handler: any TimerHandler) { current.destroyTimer(handler) }
}
