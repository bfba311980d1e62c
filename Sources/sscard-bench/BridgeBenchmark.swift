import BrowserBridge
import Foundation
import SSCardDriver
import SSCardSimulator
import Synchronization

/// iReadCardBas through the browser bridge (a WebSocket client on loopback, as a page would
/// call it) next to the same call on the Swift driver directly, interleaved in one run over
/// the same pcscd + vpcd card, so both medians see the same machine. Goal (docs/bridge.md):
/// the bridge within 1.2× the direct call and at most 1 ms added.
///
///   bash scripts/isolated.sh .build/release/sscard-bench bridge [--count N] [--json]
struct BridgeBenchmark {
    let count: Int
    let useRunningPCSCD: Bool

    func run() throws {
        let card = SimulatedSSCard(image: try PreMadeCardFactory().personalisedCard(.sample(sequence: 1), holder: .sample))
        let desk = try VirtualDesk(cards: [card], useRunningPCSCD: useRunningPCSCD)
        defer { desk.close() }
        let driver = SSCardInterface(
            configuration: DriverConfiguration(contactReader: desk.readerName(slot: 0)), securityModule: SimulatedHSM())
        let server = BridgeServer(driver: driver, configuration: BridgeConfiguration(port: 0, ratePerSecond: 1e6, rateBurst: 1_000_000))
        let ready = DispatchSemaphore(value: 0)
        let port = Mutex(0)
        let task = Task.detached { try await server.run { p in port.withLock { $0 = p }; ready.signal() } }
        defer { task.cancel() }
        guard ready.wait(timeout: .now() + 60) == .success else { throw BridgeBenchmarkError.notStarted }
        let p = port.withLock { $0 }
        let client = try BridgeSocketClient(port: p, origin: "http://127.0.0.1:\(p)")
        let request = #"{"function":"iReadCardBas","iType":1,"id":1}"#

        for _ in 0..<min(20, count) {
            _ = driver.iReadCardBas(1)
            _ = try client.call(request)
        }
        // What the bridge alone costs: a call it answers without the driver (an unknown function).
        let unknown = #"{"function":"iNoSuchFunction","id":1}"#
        var direct = Timing(), bridged = Timing(), bridgeOnly = Timing()
        var failures = 0
        for _ in 0..<count {
            direct.measure { if driver.iReadCardBas(1).code != 0 { failures += 1 } }
            try bridged.measure { if !(try client.call(request)).contains(#""success":"1""#) { failures += 1 } }
            try bridgeOnly.measure { if !(try client.call(unknown)).contains(#""success":"-13""#) { failures += 1 } }
        }
        let d = direct.percentile(0.5), b = bridged.percentile(0.5)
        let ratio = Double(b.components.attoseconds + b.components.seconds * 1_000_000_000_000_000_000)
            / Double(d.components.attoseconds + d.components.seconds * 1_000_000_000_000_000_000)
        report.line("iReadCardBas, driver direct vs through the browser bridge (WebSocket on loopback), interleaved:")
        report.line("  direct  \(report.timing("bridge.direct", direct))")
        report.line("  bridge  \(report.timing("bridge.bridged", bridged))")
        report.line("  bridge round trip without the driver (unknown function, −13): \(report.timing("bridge.alone", bridgeOnly))")
        report.value("bridge.ratio", ratio, unit: "×")
        report.value("bridge.failures", Double(failures), unit: "count")
        report.line("  medians: direct \(Timing.ms(d)), bridge \(Timing.ms(b)); added \(Timing.ms(b - d)), ratio \(String(format: "%.3f", ratio))× "
              + "(goal ≤ 1.2× and ≤ 1 ms added), failures \(failures)")
    }
}

enum BridgeBenchmarkError: Error {
    case notStarted
}
