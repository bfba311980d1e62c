import CoreMetrics
import Foundation
import Logging
import XCTest
import SSCardDriver
import SSCardSimulator
import InstantIssue
import Sockets
import StationOperations

/// The masking log handler: what it must never let through, and what it leaves alone.
final class LogMaskingTests: XCTestCase {
    func testSocialSecurityAndCardNumbersKeepOnlyTheirFirstSixAndLastFour() {
        XCTAssertEqual(LogMasking.mask("申请人 440106199001011234 已受理"), "申请人 440106********1234 已受理")
        XCTAssertEqual(LogMasking.mask("ssn=44010619900101123X."), "ssn=440106********123X.")
        XCTAssertEqual(LogMasking.mask("ssn=44010619900101123x"), "ssn=440106********123x")
        XCTAssertEqual(LogMasking.mask("bank card 6222020012345678901"), "bank card 622202*********8901")
        XCTAssertEqual(LogMasking.mask("old id 440106900101123"), "old id 440106*****1123")
        XCTAssertEqual(LogMasking.mask("SSN440106199001011234"), "SSN440106********1234")
    }

    func testShortNumbersAndOrdinaryTextStayAsTheyAre() {
        for text in ["card A01000001 in hopper 2", "step print took 1234 ms", "code -3007", "14 digits 12345678901234", "张三", ""] {
            XCTAssertEqual(LogMasking.mask(text), text)
        }
    }

    func testSecretNamedMetadataIsHiddenAndTheRestMasked() {
        let masked = LogMasking.mask([
            "pin": "123456", "newPIN": "654321", "hsmKey": "00112233445566778899AABBCCDDEEFF", "token": "s3cret",
            "externalAuthMAC": "0102030405060708", "application": "DEMO-0001",
            "holder": .dictionary(["ssn": "440106199001011234"]), "list": .array(["440106199001011234"]),
        ])
        for key in ["pin", "newPIN", "hsmKey", "token", "externalAuthMAC"] {
            XCTAssertEqual(masked[key], "‹masked›", key)
        }
        XCTAssertEqual(masked["application"], "DEMO-0001")
        XCTAssertEqual(masked["holder"], .dictionary(["ssn": "440106********1234"]))
        XCTAssertEqual(masked["list"], .array(["440106********1234"]))
    }

    struct Leaky: Error, CustomStringConvertible {
        var description: String { "the province refused 440106199001011234" }
    }

    func testTheHandlerMasksMessageMetadataAndAttachedErrorBeforeTheyAreWritten() {
        let captured = CapturedLog()
        var logger = Logger(label: "sscard.station") { label in
            MaskingLogHandler(inner: CapturedLog.Handler(log: captured))
        }
        logger[metadataKey: "pin"] = "123456"
        logger[metadataKey: "desk"] = "440106199001011234"
        logger.warning("refused 440106199001011234", error: Leaky(), metadata: ["key": "DEADBEEF", "card": "6222020012345678901"])
        let text = captured.text
        XCTAssertEqual(captured.all.count, 1, text)
        for leak in ["440106199001011234", "123456", "DEADBEEF", "6222020012345678901"] {
            XCTAssertFalse(text.contains(leak), "\(leak) in \(text)")
        }
        XCTAssertTrue(text.contains("refused 440106********1234"), text)
        XCTAssertTrue(text.contains("error.message=the province refused 440106********1234"), text)
        XCTAssertTrue(text.contains("pin=‹masked›"), text)
    }

    func testLevelsAreTheFourNamedOnesFromOptionOrEnvironment() throws {
        XCTAssertEqual(try StationLogging.requested(option: "debug", environment: [:]), .debug)
        XCTAssertEqual(try StationLogging.requested(option: nil, environment: ["SSCARD_LOG_LEVEL": "WARNING"]), .warning)
        XCTAssertEqual(try StationLogging.requested(option: "error", environment: ["SSCARD_LOG_LEVEL": "debug"]), .error)
        XCTAssertNil(try StationLogging.requested(option: nil, environment: [:]))
        XCTAssertThrowsError(try StationLogging.requested(option: "verbose", environment: [:]))
        XCTAssertEqual(StationLogLevel.allCases.map(\.level), [.error, .warning, .info, .debug])
    }
}

/// The Prometheus text format written over swift-metrics.
final class PrometheusMetricsTests: XCTestCase {
    func testCountersGaugesAndHistogramsInTheTextFormat() {
        let metrics = PrometheusMetrics()
        Counter(label: "sscard_cards_issued_total", factory: metrics).increment(by: 2)
        Counter(label: "sscard_issuance_refusals_total", dimensions: [("step", "reserve"), ("cause", "a\"b\\c\nd")], factory: metrics).increment()
        Meter(label: "sscard_hopper_cards", dimensions: [("hopper", "1")], factory: metrics).set(17)
        let timer = CoreMetrics.Timer(label: "sscard_issuance_step_seconds", dimensions: [("step", "print")], factory: metrics)
        timer.recordMilliseconds(300)
        timer.recordSeconds(20)
        Counter(label: "bad.name-here", factory: metrics).increment()
        let text = metrics.exposition()
        let lines = text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("# TYPE sscard_cards_issued_total counter"), text)
        XCTAssertTrue(lines.contains("sscard_cards_issued_total 2"), text)
        XCTAssertTrue(lines.contains(#"sscard_issuance_refusals_total{cause="a\"b\\c\nd",step="reserve"} 1"#), text)
        XCTAssertTrue(lines.contains("# TYPE sscard_hopper_cards gauge"), text)
        XCTAssertTrue(lines.contains(#"sscard_hopper_cards{hopper="1"} 17"#), text)
        XCTAssertTrue(lines.contains("# TYPE sscard_issuance_step_seconds histogram"), text)
        XCTAssertTrue(lines.contains(#"sscard_issuance_step_seconds_bucket{step="print",le="0.25"} 0"#), text)
        XCTAssertTrue(lines.contains(#"sscard_issuance_step_seconds_bucket{step="print",le="0.5"} 1"#), text)
        XCTAssertTrue(lines.contains(#"sscard_issuance_step_seconds_bucket{step="print",le="30"} 2"#), text)
        XCTAssertTrue(lines.contains(#"sscard_issuance_step_seconds_bucket{step="print",le="+Inf"} 2"#), text)
        XCTAssertTrue(lines.contains(#"sscard_issuance_step_seconds_sum{step="print"} 20.3"#), text)
        XCTAssertTrue(lines.contains(#"sscard_issuance_step_seconds_count{step="print"} 2"#), text)
        XCTAssertTrue(lines.contains("bad_name_here 1"), text)
        XCTAssertEqual(lines.filter { $0 == "# TYPE sscard_issuance_step_seconds histogram" }.count, 1)
    }
}

/// The desk's logs and metrics on the simulated stack: an issued card and a refused one are
/// counted and served by a real `GET /metrics`; the station's log names each event; the APDU
/// trace of the whole issuance holds no name and no full 社会保障号码.
final class StationObservabilityTests: PCSCStackTestCase {
    func testAnIssuanceIsCountedLoggedAndServedOnGETMetrics() async throws {
        let metrics = PrometheusMetrics()
        let stationLog = CapturedLog()
        let trace = CapturedLog()
        let desk = try StationDesk(traceAPDUs: true, logger: stationLog.logger("sscard.station"),
                                   apduLogger: trace.logger("sscard.driver.apdu"), metrics: StationMetrics(factory: metrics))
        defer { desk.close() }
        let request = try desk.request("DEMO-0001")
        _ = try desk.issue("DEMO-0001")
        // The same application again: refused before any card moves.
        XCTAssertThrowsError(try desk.issue("DEMO-0001")) { error in
            XCTAssertEqual((error as? IssuanceError)?.outcome, .refused)
        }

        let ready = AsyncStream<Int>.makeStream()
        let station: Station = desk.station
        let stationMetrics = desk.metrics
        let server = Task {
            try await MetricsEndpoint.serve(metrics: metrics, port: 0, refresh: { stationMetrics.observe(station) }) { port in
                ready.continuation.yield(port)
            }
        }
        defer { server.cancel() }
        var ports = ready.stream.makeAsyncIterator()
        let next = await ports.next()
        let port = try XCTUnwrap(next)
        let (head, body) = try Self.get(port: port, path: "/metrics")
        XCTAssertTrue(head.hasPrefix("HTTP/1.1 200"), head)
        XCTAssertTrue(head.lowercased().contains("content-type: text/plain; version=0.0.4"), head)
        let lines = body.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains("sscard_cards_issued_total 1"), body)
        XCTAssertTrue(lines.contains(#"sscard_issuance_refusals_total{cause="other",step="reserve"} 1"#), body)
        for step in ["reserve", "feed", "identify", "writeChip", "writeCertificates", "print", "reportProduced"] {
            XCTAssertTrue(lines.contains(#"sscard_issuance_step_seconds_count{step="\#(step)"} 1"#), "\(step): \(body)")
        }
        // The virtual printer was stocked with 4 cards in each of hoppers 1 and 2; one was used.
        let hopperCards = lines.filter { $0.hasPrefix("sscard_hopper_cards{") }.compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }
        XCTAssertEqual(hopperCards.reduce(0, +), 7, body)
        XCTAssertTrue(lines.contains("sscard_recovery_backlog 0"), body)
        XCTAssertTrue(lines.contains { $0.hasPrefix("sscard_ribbon_panels_remaining ") }, body)
        XCTAssertFalse(try Self.get(port: port, path: "/other").head.hasPrefix("HTTP/1.1 200"))

        // The station's log: started, issued, refused with its step.
        let log = stationLog.text
        XCTAssertTrue(log.contains("info issuance started"), log)
        XCTAssertTrue(log.contains("info card issued"), log)
        XCTAssertTrue(log.contains("warning issuance refused"), log)
        XCTAssertTrue(log.contains("step=reserve"), log)

        // The trace: headers and status words, never the holder.
        let traced = trace.text
        XCTAssertTrue(traced.contains("> 00 A4 04 00"), traced)
        XCTAssertTrue(traced.contains("90 00"), traced)
        let ssn = request.socialSecurityNumber.value
        var forbidden = [request.name, ssn, String(ssn.suffix(8)), Array(ssn.utf8).spacedHexString]
        forbidden.append(try XCTUnwrap(GB18030.encode(request.name)).spacedHexString)
        for secret in forbidden {
            XCTAssertFalse(traced.contains(secret), "the trace holds \(secret)")
        }
    }

    /// Failures by cause, the recovery backlog and recovery's outcome: a printer jam (制卡失败), then
    /// the network lost after print (awaiting 制卡补登) and recovered.
    func testFailuresAreCountedByCauseAndRecoveryEmptiesTheBacklog() throws {
        let metrics = PrometheusMetrics()
        let stationLog = CapturedLog()
        let desk = try StationDesk(logger: stationLog.logger("sscard.station"), metrics: StationMetrics(factory: metrics))
        defer { desk.close() }
        desk.printer.inject(.jamAtPrint)
        XCTAssertThrowsError(try desk.issue("DEMO-0001"))
        var lines = metrics.exposition().split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains(#"sscard_issuance_failures_total{cause="driver_-3006",outcome="card_failed",step="print"} 1"#),
                      lines.joined(separator: "\n"))
        XCTAssertTrue(stationLog.text.contains("error issuance failed"), stationLog.text)

        desk.observer.at(IssuanceStep.print.journalName(.done)) {
            desk.cardManagement.faults.inject(.unreachable, count: 100, only: .report)
        }
        XCTAssertThrowsError(try desk.issue("DEMO-0001"))
        lines = metrics.exposition().split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains(
            #"sscard_issuance_failures_total{cause="province_unreachable",outcome="printed_awaiting_report",step="reportProduced"} 1"#),
                      lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains("sscard_recovery_backlog 1"), lines.joined(separator: "\n"))
        XCTAssertFalse(lines.contains { $0.hasPrefix("sscard_cards_issued_total") }, "nothing issued yet")

        desk.cardManagement.faults.clear()
        try desk.open()
        _ = try StationRecovery(station: desk.station).recoverAll(clerk: StationDesk.clerk, asking: desk.recoveryClerk)
        lines = metrics.exposition().split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains(#"sscard_recoveries_total{outcome="backfilled"} 1"#), lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains("sscard_recovery_backlog 0"), lines.joined(separator: "\n"))
        XCTAssertTrue(stationLog.text.contains("info recovered: 制卡补登 done"), stationLog.text)
    }

    /// GET `path` over plain HTTP on loopback.
    static func get(port: Int, path: String) throws -> (head: String, body: String) {
        let socket = try StreamSocket.connect(host: "127.0.0.1", port: UInt16(port), deadline: .now + .seconds(10))
        defer { socket.close() }
        try socket.sendAll(Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n\r\n".utf8))
        var bytes: [UInt8] = []
        while true {
            let chunk = try socket.receive(deadline: .now + .seconds(10))
            if chunk.isEmpty { break }
            bytes += chunk
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        return (parts[0], parts.dropFirst().joined(separator: "\r\n\r\n"))
    }
}
