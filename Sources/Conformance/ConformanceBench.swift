import Foundation
import ProvinceSimulator
import SSCardDriver
import SSCardSimulator

/// What the library under test reaches while it is tested, all simulated and all on this
/// machine: pcscd with vsmartcard's vpcd (a private one, or the running one), the cards the
/// cases serve into a vpcd reader, the province simulator with its HSM over HTTP on loopback,
/// and a virtual printer speaking Escape on loopback. It writes a driver.json in the format of
/// docs/configuration.md pointing at them; a library that reads `SSCARD_DRIVER_CONFIG` (ours)
/// uses it, another one must be configured for the same reader by hand.
final class ConformanceBench {
    let reader: String
    let slot: Int
    let directory: URL
    let stack: VirtualReaderStack
    let province: SimulatedCardManagementSystem
    private let provinceServer: ProvinceSimulatorServer
    let printer: VirtualPrinter
    private let printerServer: VirtualPrinterServer
    let configurationPath: String
    /// The 终端机编号 the driver.json names.
    static let terminal = "SSDESK000001"

    /// Starts everything; throws a sentence saying what could not start.
    init(reader: String, useRunningPCSCD: Bool) throws {
        guard let slot = VirtualReaderStack.readerNames.firstIndex(of: reader) else {
            throw BenchError("--reader \(reader) is not a vpcd reader (\(VirtualReaderStack.readerNames.joined(separator: ", "))): the cards are simulated and served through vpcd")
        }
        self.reader = reader
        self.slot = slot
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("sscard-conformance-\(UUID().uuidString)")
        // 0700: it holds the desk's credential and the province simulator's keys.
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let stack = VirtualReaderStack(configuration: .init(mode: useRunningPCSCD ? .useRunning : .privatePCSCD))
        do { try stack.start() } catch {
            try? FileManager.default.removeItem(at: directory)
            throw BenchError("pcscd with vpcd did not start: \(error)")
        }
        // What has started is stopped again when a later part fails.
        var started: [() -> Void] = [{ stack.stop() }]
        do {
            let province = try SimulatedCardManagementSystem(path: directory.appendingPathComponent("province-sim.sqlite").path)
            let provinceServer = ProvinceSimulatorServer(system: province, port: 0)
            do { try provinceServer.start() } catch { throw BenchError("the province simulator did not start: \(error)") }
            started.append { provinceServer.stop() }
            try province.addDesk(Self.terminal).write(to: directory.appendingPathComponent("desk.credential").path)
            let printer = VirtualPrinter.stocked(encoderSlot: slot)
            let printerServer = VirtualPrinterServer(printer: printer, configuration: .init(listen: .loopback(port: 0), outputDirectory: directory))
            try printerServer.start()
            started.append { printerServer.stop() }
            guard case .tcp(_, let printerPort)? = printerServer.endpoint else { throw BenchError("the virtual printer has no TCP port") }
            let driver: [String: Any] = [
                "contactReader": reader,
                "stringEncoding": "gb18030",
                "cardTimeoutSeconds": 3,
                "securityModule": "province",
                "province": ["url": "http://127.0.0.1:\(provinceServer.port)", "terminal": Self.terminal, "credentialFile": "desk.credential"],
                "printer": ["kind": "escape-tcp", "escapeHost": "127.0.0.1", "escapePort": Int(printerPort), "hopperCount": 2],
            ]
            configurationPath = directory.appendingPathComponent("driver.json").path
            try JSONSerialization.data(withJSONObject: driver, options: [.prettyPrinted, .sortedKeys])
                .write(to: URL(fileURLWithPath: configurationPath))
            self.stack = stack
            self.province = province
            self.provinceServer = provinceServer
            self.printer = printer
            self.printerServer = printerServer
        } catch {
            for stop in started.reversed() { stop() }
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// The environment the probe runs the library in.
    var environment: [String: String] { ["SSCARD_DRIVER_CONFIG": configurationPath] }

    func stop() {
        printerServer.stop()
        try? printer.eject(to: .reject)
        provinceServer.stop()
        stack.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Serves `card` in the bench's reader and waits until pcscd sees it.
    func insert(_ card: any VirtualCard) throws -> ServedCard {
        let served = ServedCard(card: card, slot: slot)
        do { try served.connector.start() } catch { throw BenchError("the card could not be served: \(error)") }
        try waitForReader(present: true)
        return served
    }

    /// Takes the card out and waits until pcscd sees the reader empty.
    func remove(_ served: ServedCard) {
        served.connector.isMute = false
        served.connector.stop()
        try? waitForReader(present: false)
    }

    func waitForReader(present: Bool) throws {
        do {
            _ = try PCSCContext().waitForCard(in: reader, present: present, timeout: .seconds(10))
        } catch {
            throw BenchError("pcscd did not see the card \(present ? "arrive" : "leave") in \(reader): \(error)")
        }
    }
}

/// A card in the bench's reader and the APDUs it exchanged.
final class ServedCard: @unchecked Sendable {
    // @unchecked Sendable: `exchanges` is only touched while holding `lock`.
    let card: any VirtualCard
    let connector: VPCDConnector
    private let lock = NSLock()
    private var exchanges: [VPCDConnector.APDUExchange] = []

    init(card: any VirtualCard, slot: Int) {
        self.card = card
        connector = VPCDConnector(card: card, configuration: .slot(slot))
        connector.onAPDU = { [weak self] exchange in self?.record(exchange) }
    }

    private func record(_ exchange: VPCDConnector.APDUExchange) { lock.withLock { exchanges.append(exchange) } }

    /// The exchanges so far, and forgets them.
    func takeExchanges() -> [VPCDConnector.APDUExchange] { lock.withLock { defer { exchanges = [] }; return exchanges } }
}

/// The bench could not be set up: the run cannot start (exit status 2).
struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
