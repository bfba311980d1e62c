import BrowserBridge
import Foundation
import SSCardDriver
import SSCardSimulator
import Synchronization
import XCTest

/// The calls the bridge logged in a test.
final class CallLog: Sendable {
    private let records = Mutex<[BridgeCallRecord]>([])
    func append(_ r: BridgeCallRecord) { records.withLock { $0.append(r) } }
    var all: [BridgeCallRecord] { records.withLock { $0 } }
}

/// A bridge on a free loopback port over a driver whose contact reader holds one simulated
/// card (a channel source: no pcscd), with the simulated HSM as its security module and a
/// virtual printer whose chip contact is not wired. Stopped when released.
final class BridgeTestDesk {
    let card: SimulatedSSCard
    let hsm = SimulatedHSM()
    let printer: VirtualPrinter
    let driver: SSCardInterface
    let server: BridgeServer
    let log = CallLog()
    let port: Int
    private let task: Task<Void, any Error>

    init(_ adjust: (inout BridgeConfiguration) -> Void = { _ in }) throws {
        card = SimulatedSSCard(image: try PreMadeCardFactory().personalisedCard(.sample(sequence: 3), holder: .sample))
        let channel = SimulatedCardChannel(card: card)
        printer = VirtualPrinter(configuration: .init(hopperCount: 2, chipContact: .unwired))
        driver = SSCardInterface(configuration: DriverConfiguration(), securityModule: hsm, printer: printer,
                                 channelSource: { kind, _ in kind == .contact ? channel : nil })
        var configuration = BridgeConfiguration(port: 0)
        adjust(&configuration)
        let log = self.log
        server = BridgeServer(driver: driver, configuration: configuration) { log.append($0) }
        (task, port) = try Self.start(server)
    }

    deinit { task.cancel() }

    /// Runs `server` on a task of its own and waits for its port.
    static func start(_ server: BridgeServer) throws -> (Task<Void, any Error>, Int) {
        let ready = DispatchSemaphore(value: 0)
        let port = Mutex(0)
        let task = Task.detached { try await server.run { p in port.withLock { $0 = p }; ready.signal() } }
        guard ready.wait(timeout: .now() + 60) == .success else {
            task.cancel()
            throw XCTSkip("the bridge did not start")
        }
        return (task, port.withLock { $0 })
    }

    /// The desk's own origin, always allowed.
    var ownOrigin: String { "http://127.0.0.1:\(port)" }

    func client(origin: String? = nil) throws -> BridgeSocketClient {
        try BridgeSocketClient(port: port, origin: origin ?? ownOrigin)
    }
}

/// One reply, decoded and checked for the dialect's shape.
struct Reply {
    let object: [String: Any]
    var functionName: String { object["functionName"] as? String ?? "<none>" }
    var success: String { object["success"] as? String ?? "<none>" }
    var pOutInfo: String { object["pOutInfo"] as? String ?? "<none>" }
    var code: Int { success == "1" ? 0 : Int(success) ?? 99_999 }

    init(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8))
        object = try XCTUnwrap(parsed as? [String: Any], "reply is an object: \(text)", file: file, line: line)
        XCTAssertTrue(object["functionName"] is String, "functionName: \(text)", file: file, line: line)
        XCTAssertTrue(object["success"] is String, "success is text: \(text)", file: file, line: line)
        XCTAssertTrue(object["pOutInfo"] is String, "pOutInfo: \(text)", file: file, line: line)
        XCTAssertTrue(success == "1" || (Int(success).map { $0 < 0 } ?? false), "success is \"1\" or a negative code: \(text)", file: file, line: line)
    }
}

extension BridgeSocketClient {
    /// Sends `request` as JSON and decodes the reply.
    func request(_ request: [String: Any], file: StaticString = #filePath, line: UInt = #line) throws -> Reply {
        let data = try JSONSerialization.data(withJSONObject: request)
        return try Reply(try call(String(decoding: data, as: UTF8.self)), file: file, line: line)
    }
}
