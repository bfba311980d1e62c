import Foundation
import SSCardDriver
import SSCardSimulator

/// iReadCardBas end to end through pcscd + vpcd: SELECT, EF05, internal and external
/// authentication with the simulated HSM, EF06 — next to the raw APDU round trip.
struct InterfaceBenchmark {
    let count: Int
    let useRunningPCSCD: Bool

    func run() throws {
        let card = SimulatedSSCard(image: try PreMadeCardFactory().personalisedCard(.sample(sequence: 1), holder: .sample))
        let desk = try VirtualDesk(cards: [card], useRunningPCSCD: useRunningPCSCD)
        defer { desk.close() }
        let driver = SSCardInterface(
            configuration: DriverConfiguration(contactReader: desk.readerName(slot: 0)), securityModule: SimulatedHSM())
        for _ in 0..<min(20, count) { _ = driver.iReadCardBas(1) }
        var timing = Timing()
        var failures = 0
        for _ in 0..<count {
            timing.measure {
                if driver.iReadCardBas(1).code != 0 { failures += 1 }
            }
        }
        let first = driver.iReadCardBas(1)
        report.value("interface.failures", Double(failures), unit: "calls")
        report.line("iReadCardBas through pcscd + vpcd (simulated HSM, personalised card):")
        report.line("  \(report.timing("interface.iReadCardBas", timing)), failures \(failures)")
        report.line("  output: \(first.output)")
    }
}
