import Foundation
import CardManagement
import InstantIssue
import SSCardDriver
import SSCardPrinter
import SSCardSimulator
import ProvinceSimulator

/// What the card work costs on a real reader: the APDUs and bytes of one whole issuance (chip
/// in process, embedded card-management simulator, virtual printer at zero delay) and of one
/// iReadCardBas, counted on the way to the simulated card, and the wire time they imply at
/// 9,600 and 115,200 bit/s under `WireModel`'s assumptions. `--sequence` lists every APDU
/// of the issuance.
///
///   bash scripts/isolated.sh .build/release/sscard-bench wire [--sequence] [--json]
struct WireBenchmark {
    var listSequence = false
    let model = WireModel()

    func run() throws {
        let issuance = try oneIssuance()
        let read = try oneBasicRead()
        report.line("Card traffic on a real reader (T=1, IFSC 32, IFSD 254, 12 etu a byte, \(model.turnaroundMilliseconds) ms turnaround a block exchange):")
        summarise("issuance", "one issuance (identify, blank check, EF05/EF06 write and read back, CA)", issuance)
        summarise("iReadCardBas", "iReadCardBas (SSSE, EF05, internal + external authentication, EF06)", read)
        if listSequence {
            report.line("APDUs of one issuance:")
            for (i, e) in issuance.enumerated() {
                report.line(String(format: "  %3d %@  → %d bytes", i + 1, e.trace, e.responseBytes))
            }
        }
    }

    private func summarise(_ key: String, _ title: String, _ exchanges: [APDUCounter.Exchange]) {
        let t = model.traffic(exchanges)
        report.value("wire.\(key).apdus", Double(t.apdus), unit: "APDUs")
        report.value("wire.\(key).command_bytes", Double(t.commandBytes), unit: "bytes")
        report.value("wire.\(key).response_bytes", Double(t.responseBytes), unit: "bytes")
        report.value("wire.\(key).line_bytes_out", Double(t.lineBytesOut), unit: "bytes")
        report.value("wire.\(key).line_bytes_in", Double(t.lineBytesIn), unit: "bytes")
        report.value("wire.\(key).block_exchanges", Double(t.blockExchanges), unit: "block exchanges")
        report.line("  \(title):")
        report.line("    \(t.apdus) APDUs, \(t.commandBytes) bytes to the card, \(t.responseBytes) bytes back; "
                    + "with T=1 framing \(t.lineBytesOut) + \(t.lineBytesIn) bytes in \(t.blockExchanges) block exchanges")
        let turnaround = model.turnaroundSeconds(t)
        for rate in [9_600.0, 115_200.0] {
            let line = model.lineSeconds(t, bitRate: rate)
            report.value("wire.\(key).ms_at_\(Int(rate))", (line + turnaround) * 1000, unit: "ms")
            report.line(String(format: "    at %7d bit/s: %7.1f ms on the line + %5.1f ms turnaround = %7.1f ms",
                               Int(rate), line * 1000, turnaround * 1000, (line + turnaround) * 1000))
        }
    }

    /// The APDUs of one card issued end to end through the station's workflow.
    private func oneIssuance() throws -> [APDUCounter.Exchange] {
        let work = URL(fileURLWithPath: try PrivateFile.makeTemporaryFolder(prefix: "sscard-bench-wire-"), isDirectory: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let printer = VirtualPrinter(configuration: .init(rejectBoxCapacity: 5, ribbonPanels: 50, mechanicalDelay: .zero, chipContact: .unwired))
        let counter = APDUCounter(ContactStationChannel(printer: printer))
        printer.addCards([SimulatedSSCard(image: try PreMadeCardFactory().blankCard(.sample(sequence: 1)))], toHopper: 1)
        let configuration = StationConfiguration(
            databasePath: work.appendingPathComponent("station.sqlite").path,
            cardManagement: .init(kind: .embedded, simulatorDatabasePath: work.appendingPathComponent("sim.sqlite").path),
            outputDirectory: work.appendingPathComponent("faces").path)
        let system = try SimulatedCardManagementSystem(path: configuration.resolvedSimulatorDatabasePath, seedSamples: false)
        let station = Station(configuration: configuration, database: try StationDatabase(path: configuration.databasePath),
                              driverConfiguration: DriverConfiguration(), printer: printer, cardManagement: system,
                              channelSource: { kind, _ in
                                  guard case .contact = kind else { return nil }
                                  return counter
                              })
        defer { try? station.database.close() }
        try station.inventory.bookCards(in: printer, returnFileFolder: work, by: "bench")
        let application = Application(
            id: "WIRE-1", name: "张三", socialSecurityNumber: SimulatedApplications.citizenNumber("41160219850115001"),
            sex: "1", ethnicity: "01", birthDate: "19850115", birthPlace: "411602", bank: SimulatedApplications.bank,
            regionCode: SimulatedApplications.regionCode, photoJPEG: SimulatedApplications.samplePhotoJPEG)
        try system.add(application)
        let request = try IssuanceRequest(application: application, name: application.name, photoJPEG: application.photoJPEG)
        _ = try IssuanceWorkflow(station: station).issue(request, clerk: "bench")
        return counter.exchanges
    }

    /// The APDUs of one iReadCardBas of a personalised card with the simulated HSM.
    private func oneBasicRead() throws -> [APDUCounter.Exchange] {
        let card = SimulatedSSCard(image: try PreMadeCardFactory().personalisedCard(.sample(sequence: 1), holder: .sample))
        let counter = APDUCounter(SimulatedCardChannel(card: card))
        let driver = SSCardInterface(securityModule: SimulatedHSM(), channelSource: { kind, _ in
            guard case .contact = kind else { return nil }
            return counter
        })
        let result = driver.iReadCardBas(1)
        guard result.code == 0 else { throw CardError.malformedData("iReadCardBas answered \(result.code): \(result.output)") }
        return counter.exchanges
    }
}
