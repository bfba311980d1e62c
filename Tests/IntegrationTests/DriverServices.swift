import CardManagement
import Foundation
import ProvinceSimulator
import SSCardDriver
import SSCardSimulator
import XCTest

/// What libSSCardDriver.so reaches over its real seams in the C-ABI tests: the province
/// simulator (its HSM through the card-management contract) on a loopback port, and a virtual
/// printer speaking Escape on another, its contact station on vpcd slot 0. The library links
/// neither; a driver.json points it at both, as docs/c-abi.md tells a developer to.
final class DriverServices {
    let directory: URL
    let cardManagement: SimulatedCardManagementSystem
    let province: ProvinceSimulatorServer
    let printer: VirtualPrinter
    let printerServer: VirtualPrinterServer
    /// The driver configuration written for the library.
    let configurationPath: String

    /// `extra` adds or replaces top-level keys of driver.json.
    init(extra: [String: Any] = [:]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("services-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        cardManagement = try SimulatedCardManagementSystem(path: directory.appendingPathComponent("province-sim.sqlite").path)
        province = ProvinceSimulatorServer(system: cardManagement, port: 0)
        try province.start()
        // The desk's credential, as `province-sim desks add` hands it out (mode 0600).
        let credentialFile = directory.appendingPathComponent("desk.credential").path
        try cardManagement.addDesk("SSDESK000001").write(to: credentialFile)
        printer = VirtualPrinter.stocked()
        printerServer = VirtualPrinterServer(printer: printer, configuration: .init(listen: .loopback(port: 0), outputDirectory: directory))
        try printerServer.start()
        guard case .tcp(_, let printerPort)? = printerServer.endpoint else { throw XCTSkip("the printer server has no TCP port") }
        var driver: [String: Any] = [
            "securityModule": "province",
            "province": ["url": "http://127.0.0.1:\(province.port)", "terminal": "SSDESK000001", "credentialFile": "desk.credential"],
            "printer": ["kind": "escape-tcp", "escapeHost": "127.0.0.1", "escapePort": Int(printerPort)],
        ]
        driver.merge(extra) { $1 }
        configurationPath = directory.appendingPathComponent("driver.json").path
        try JSONSerialization.data(withJSONObject: driver).write(to: URL(fileURLWithPath: configurationPath))
    }

    var environment: [String: String] { ["SSCARD_DRIVER_CONFIG": configurationPath] }

    /// Puts sample application DEMO-0001 in production (制卡中) with `card`, so the province HSM
    /// gives that card's PKI secrets, as it does only for a card being made.
    func putInProduction(_ card: SimulatedSSCard, cardNumber: String) throws {
        let id = TestCards.cardID(of: card)
        try cardManagement.report(IssuanceReport(
            requestID: "test-\(UUID().uuidString)", applicationID: "DEMO-0001", status: .inProduction, cardNumber: cardNumber,
            cardIdentificationCode: id.hex, terminal: "SSDESK000001", clerk: "test"))
    }

    deinit {
        printerServer.stop()
        try? printer.eject(to: .reject)
        province.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
