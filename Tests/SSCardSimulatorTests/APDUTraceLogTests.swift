import Foundation
import Logging
import Synchronization
import XCTest
import SSCardDriver
import SSCardSimulator

/// Lines a logger wrote, for tests: every message with its metadata.
final class CapturedLog: Sendable {
    private let lines = Mutex<[String]>([])
    var all: [String] { lines.withLock { $0 } }
    var text: String { all.joined(separator: "\n") }

    func logger(_ label: String) -> Logger {
        Logger(label: label) { _ in Handler(log: self) }
    }

    struct Handler: LogHandler {
        let log: CapturedLog
        var logLevel: Logger.Level = .trace
        var metadata: Logger.Metadata = [:]
        var metadataProvider: Logger.MetadataProvider?
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            let all = metadata.merging(event.metadata ?? [:]) { $1 }
            log.lines.withLock { $0.append("\(event.level) \(event.message) \(all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })") }
        }
    }
}

/// driver.json's `traceAPDUs`: every APDU of a read and of the PIN functions is logged with its
/// header and status word, and neither the PIN, the holder's name nor the 社会保障号码 —
/// as text, ASCII hex or GB18030 hex — nor any record content appears.
final class APDUTraceLogTests: XCTestCase {
    func desk(trace: Bool, log: CapturedLog) throws -> SSCardInterface {
        let image = try PreMadeCardFactory().personalisedCard(.sample(sequence: 1), holder: .sample)
        let channel = SimulatedCardChannel(card: SimulatedSSCard(image: image))
        return SSCardInterface(configuration: DriverConfiguration(traceAPDUs: trace), securityModule: SimulatedHSM(),
                               channelSource: { kind, _ in kind == .contact ? channel : nil },
                               apduLogger: log.logger("sscard.driver.apdu"))
    }

    func testATracedReadAndPINChangeShowHeadersAndStatusWordsButNoSecretsOrPersonalData() throws {
        let log = CapturedLog()
        let driver = try desk(trace: true, log: log)
        let read = driver.iReadCardBas(1)
        XCTAssertEqual(read.code, 0, read.output)
        XCTAssertTrue(read.output.contains("张三"), "the read itself returns the holder: \(read.output)")
        XCTAssertEqual(driver.iVerifyPIN(1, pinEntry: ScriptedPINs(current: "123456").entry).code, 0)
        XCTAssertEqual(driver.iChangePIN(1, pinEntry: ScriptedPINs(current: "123456", new: "975310", again: "975310").entry).code, 0)
        XCTAssertEqual(driver.iVerifyPIN(1, pinEntry: ScriptedPINs(current: "975310").entry).code, 0)

        let text = log.text
        XCTAssertGreaterThan(log.all.count, 5, text)
        // Headers and status words: SELECT of the SSSE in full, VERIFY's header, 9000.
        XCTAssertTrue(text.contains("> 00 A4 04 00"), text)
        XCTAssertTrue(text.contains("00 20 00 00"), "VERIFY's header is shown: \(text)")
        XCTAssertTrue(text.contains("90 00"), text)
        XCTAssertTrue(text.contains("bytes masked›"), text)
        XCTAssertTrue(text.contains("µs"), text)

        // The card's timings are numbers too: left out of the search.
        let withoutTimings = text.replacingOccurrences(of: #"\[\d+ µs\]"#, with: "", options: .regularExpression)
        let holder = CardHolder.sample
        var forbidden = ["123456", "975310", holder.name, holder.socialSecurityNumber, String(holder.socialSecurityNumber.suffix(8))]
        for pin in ["123456", "975310"] {
            forbidden.append(Array(pin.utf8).spacedHexString)                       // ASCII
            forbidden.append(try XCTUnwrap(BCD.encode(pin)).spacedHexString)       // BCD: 12 34 56
        }
        forbidden.append(Array(Array(holder.socialSecurityNumber.utf8).prefix(9)).spacedHexString)
        forbidden.append(try XCTUnwrap(GB18030.encode(holder.name)).spacedHexString)
        for secret in forbidden {
            XCTAssertFalse(withoutTimings.contains(secret), "the trace holds \(secret):\n\(text)")
        }
    }

    func testNoTraceWhenTheSwitchIsOff() throws {
        let log = CapturedLog()
        let driver = try desk(trace: false, log: log)
        XCTAssertEqual(driver.iReadCardBas(1).code, 0)
        XCTAssertEqual(log.all, [])
    }

    func testTheSwitchIsReadFromDriverJSON() throws {
        let on = try JSONDecoder().decode(DriverConfiguration.self, from: Data(#"{"traceAPDUs": true}"#.utf8))
        XCTAssertTrue(on.traceAPDUs)
        XCTAssertFalse(try JSONDecoder().decode(DriverConfiguration.self, from: Data("{}".utf8)).traceAPDUs)
    }

    func testMaskedFormsOfCommandsAndResponses() {
        // SELECT shows its file name; READ RECORD's answer is masked; VERIFY's PIN is masked.
        XCTAssertEqual(APDUTrace.masked(command: [0x00, 0xA4, 0x04, 0x00, 0x02, 0x3F, 0x00]), "00 A4 04 00 02 3F 00")
        XCTAssertEqual(APDUTrace.masked(command: [0x00, 0x20, 0x00, 0x00, 0x03, 0x12, 0x34, 0x56]), "00 20 00 00 03 ‹3 bytes masked›")
        XCTAssertEqual(APDUTrace.masked(command: [0x04, 0xDC, 0x08, 0x04, 0x04, 0xD5, 0xC5, 0xC8, 0xFD, 0x00]),
                       "04 DC 08 04 04 ‹4 bytes masked› 00")
        XCTAssertEqual(APDUTrace.masked(response: [0xD5, 0xC5, 0x90, 0x00], to: [0x00, 0xB2, 0x08, 0x04, 0x00]), "‹2 bytes masked› 90 00")
        XCTAssertEqual(APDUTrace.masked(response: [0x01, 0x02, 0x90, 0x00], to: [0x00, 0x84, 0x00, 0x00, 0x08]), "01 02 90 00")
        XCTAssertEqual(APDUTrace.masked(response: [0x63, 0xC5], to: [0x00, 0x20, 0x00, 0x00]), "63 C5")
        XCTAssertEqual(APDUTrace.masked(command: [0x00, 0xB2, 0x08, 0x04, 0x00]), "00 B2 08 04 00")
    }
}
