import Foundation
import SSCardDriver
import SSCardPrinter
import SSCardSimulator

/// Full iPrint through the printer backend: render the province layout face, move the card
/// out of the reader, download the panels with the Escape protocol over a loopback socket to
/// the virtual printer (zero mechanical delay, the chip contact unwired), print and eject.
///
///   swift run -c release sscard-bench iprint [--count N]   (default 200)
struct IPrintBenchmark {
    let count: Int

    func run() throws {
        let runs = count
        let printer = VirtualPrinter(configuration: .init(rejectBoxCapacity: runs + 10, ribbonPanels: 5 * (runs + 20), chipContact: .unwired))
        let factory = PreMadeCardFactory()
        printer.addCards((0..<(runs + 10)).map { SimulatedSSCard(image: try! factory.blankCard(.sample(sequence: $0))) }, toHopper: 1)
        let server = VirtualPrinterServer(printer: printer, configuration: .init(listen: .loopback(port: 0)))
        try server.start()
        defer { server.stop() }
        guard let endpoint = server.endpoint else { throw CardConnectionError.poisoned(reader: "virtual printer") }
        let escape = EscapePrinter(transport: SocketPrinterTransport(endpoint: endpoint))
        // A channel source with no reader: iPrint needs none, and nothing waits on pcscd.
        let driver = SSCardInterface(securityModule: nil, printer: escape, channelSource: { _, _ in nil })
        let items = try BenchmarkFace.items()

        var timing = Timing()
        var failures = 0
        for i in 0..<(runs + 5) {
            if driver.iLoadCard(1).code != 0 { failures += 1; continue }
            if i < 5 { _ = driver.iPrint(1, items); continue }   // warm-up
            timing.measure { if driver.iPrint(1, items).code != 0 { failures += 1 } }
        }
        report.value("iprint.failures", Double(failures), unit: "calls")
        report.line("iPrint (render + Escape panels over loopback + print + eject), virtual printer at zero delay:")
        report.line("  \(report.timing("iprint", timing)), failures \(failures), cards printed \(server.printedCards.count)")
    }
}
