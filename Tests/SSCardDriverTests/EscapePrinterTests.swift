import Synchronization
import XCTest
@testable import SSCardDriver
@testable import SSCardPrinter

/// A printer that answers from a closure and records every command it was sent.
final class ScriptedTransport: PrinterTransport {
    private struct State {
        var sent: [EscapeCommand] = []
        var pending: [[UInt8]] = []
    }
    private let state = Mutex(State())
    private let answer: @Sendable (EscapeCommand) -> EscapeReply?

    /// `answer` returns nil to leave a command unanswered (a timeout).
    init(_ answer: @escaping @Sendable (EscapeCommand) -> EscapeReply?) {
        self.answer = answer
    }

    var sent: [EscapeCommand] { state.withLock { $0.sent } }
    var sentText: [String] { sent.map(\.description) }

    func send(_ bytes: [UInt8], timeout: Duration) throws(PrinterTransportError) {
        let commands = try! EscapeCommandDecoder.decodeAll(bytes)
        state.withLock { s in
            for c in commands {
                s.sent.append(c)
                if let reply = answer(c) { s.pending.append(Array(reply.text.utf8)) }
            }
        }
    }

    func receiveReply(timeout: Duration) throws(PrinterTransportError) -> [UInt8] {
        if let reply = state.withLock({ s in s.pending.isEmpty ? nil : s.pending.removeFirst() }) { return reply }
        throw .timeout("waiting for the reply")
    }

    func discardPendingInput() { state.withLock { $0.pending.removeAll() } }
    func close() {}
    var endpointDescription: String { "script" }
}

/// EscapePrinter's dialogues, command by command, against scripted replies (no socket).
final class EscapePrinterTests: XCTestCase {
    /// A simple printer model: where the card is, and which replies to force.
    final class Model: @unchecked Sendable {
        // @unchecked Sendable: guarded by `lock`.
        let lock = NSLock()
        var position = "OK"
        var forced: [String: String] = [:]
        var downloaded = false

        func answer(_ c: EscapeCommand) -> EscapeReply? {
            lock.lock(); defer { lock.unlock() }
            if let f = forced[c.description] { return f == "-" ? nil : EscapeReply(text: f) }
            switch c {
            case .readCardPosition: return EscapeReply(text: position)
            case .insertToContactStation: position = "SMART CARD"
            case .insert: position = "CARD"
            case .startSequence: downloaded = false
            case .downloadPanel: downloaded = true
            case .endSequence where !downloaded: position = "OK"  // Pneab;E keeps a printed card
            case .ejectToReject: position = "OK"
            case .readFeederSensor(let n): return .value(n == 2 ? "0,00 Volts" : "5,00 Volts")
            case .readCoverSensor: return .value("5,00 Volts")
            case .readRibbonCount: return .value("245")
            case .readRejectBox: return .ok
            default: break
            }
            return .ok
        }
    }

    func makePrinter(_ model: Model, hoppers: Int = 2) -> (EscapePrinter, ScriptedTransport) {
        let transport = ScriptedTransport { model.answer($0) }
        return (EscapePrinter(transport: transport, configuration: .init(hopperCount: hoppers, commandTimeout: .milliseconds(50))),
                transport)
    }

    func testLoadSendsSetupOnceThenFeederAndSis() throws {
        let model = Model()
        let (printer, transport) = makePrinter(model)
        try printer.loadCard(fromHopper: 2)
        XCTAssertEqual(transport.sentText, ["Pem;2", "Pneab;E", "Pcrm;D", "Rlr;p", "Pcim;F;2", "Sis", "Rlr;p"])

        // A card already at the contact station: one query, nothing moves.
        try printer.loadCard(fromHopper: 1)
        XCTAssertEqual(transport.sentText.dropFirst(7), ["Rlr;p"])
    }

    func testSingleHopperPrinterSendsNoHopperNumbers() throws {
        let model = Model()
        let (printer, transport) = makePrinter(model, hoppers: 1)
        try printer.loadCard(fromHopper: nil)
        XCTAssertTrue(transport.sentText.contains("Pcim;F"))
        _ = try printer.status()
        XCTAssertTrue(transport.sentText.contains("Rse;f"))
        // 《广东省社会保障卡经办规程》附件9 iLoadCard: 对于单卡盒的机器，不用理会参数n的值 — n = 2 is not an error.
        XCTAssertNoThrow(try printer.loadCard(fromHopper: 2))
        XCTAssertFalse(transport.sentText.contains { $0.hasPrefix("Pcim;F;") }, "no hopper number is ever sent")
    }

    func testStatusReadsSensors() throws {
        let model = Model()
        model.position = "SMART CARD"
        let (printer, transport) = makePrinter(model)
        let status = try printer.status()
        XCTAssertEqual(status.hoppers.map(\.hasCards), [true, false])
        XCTAssertFalse(status.coverOpen)
        XCTAssertEqual(status.ribbonPanelsRemaining, 245)
        XCTAssertEqual(status.cardPosition, .contactStation)
        XCTAssertFalse(status.rejectBoxFull)
        XCTAssertEqual(transport.sentText.dropFirst(3), ["Rse;f;1", "Rse;f;2", "Rse;o", "Rrt;count", "Rlr;p", "Rlr;h"])

        model.forced = ["Rse;o": "0,00 Volts", "Rrt;count": "ERR RIB DETECTION", "Rlr;h": "CARD", "Rlr;p": "ERR CARD JAM"]
        let bad = try printer.status()
        XCTAssertTrue(bad.coverOpen)
        XCTAssertEqual(bad.ribbonPanelsRemaining, 0)
        XCTAssertTrue(bad.rejectBoxFull)
        XCTAssertEqual(bad.cardPosition, .jammed)
    }

    func testPrintSendsTheGuidesSequence() throws {
        let model = Model()
        model.position = "SMART CARD"
        let (printer, transport) = makePrinter(model)
        var k = MonochromeBitmap()
        k.set(x: 10, y: 10)
        try printer.printPanels(PrintJob(name: "K", panels: PanelSet(black: k)))
        XCTAssertEqual(transport.sentText.dropFirst(3), ["Rlr;p", "Si", "Pr;k", "Ss", "Sr", "Db;k;2;<82296 bytes>", "Se"])
        guard case .downloadPanel(let d) = transport.sent[8] else { return XCTFail() }
        XCTAssertEqual(try MonochromeBitmap(escapeWireData: d.data), k)

        // An empty job moves the card and prints nothing.
        try printer.printPanels(PrintJob(name: "nothing"))
        XCTAssertEqual(transport.sentText.dropFirst(10), ["Rlr;p"])
    }

    func testEjectGoodAndRejectSequences() throws {
        let model = Model()
        model.position = "CARD"
        let (printer, transport) = makePrinter(model)
        try printer.eject(to: .good)
        XCTAssertEqual(transport.sentText.dropFirst(3), ["Rlr;p", "Ss", "Pneab;A;1", "Se"])
        model.lock.withLock { model.position = "CARD" }
        try printer.eject(to: .reject)
        XCTAssertEqual(transport.sentText.dropFirst(7), ["Rlr;p", "Pneab;A;1", "Pcrm;D", "Ser"])
        // No card: nothing to do.
        try printer.eject(to: .good)
        XCTAssertEqual(transport.sentText.dropFirst(11), ["Rlr;p"])
        // A jammed card is rejected whatever exit was asked.
        model.forced = ["Rlr;p": "ERR CARD JAM"]
        try printer.eject(to: .good)
        XCTAssertEqual(transport.sentText.suffix(4), ["Rlr;p", "Pneab;A;1", "Pcrm;D", "Ser"])
    }

    func testErrorsAndTimeouts() {
        let model = Model()
        let (printer, _) = makePrinter(model)
        model.forced = ["Sis": "ERR FEEDER EMPTY"]
        XCTAssertThrowsError(try printer.loadCard(fromHopper: 2)) { XCTAssertEqual($0 as? PrinterError, .hopperEmpty(hopper: 2)) }
        model.forced = ["Sis": "ERR CARD JAM"]
        XCTAssertThrowsError(try printer.loadCard(fromHopper: 1)) { XCTAssertEqual($0 as? PrinterError, .jamAtLoad(hopper: 1)) }
        model.forced = ["Rlr;p": "-"]
        XCTAssertThrowsError(try printer.status()) {
            XCTAssertEqual($0 as? PrinterError, .timeout(operation: "reading the printer's status"))
        }
        model.forced = [:]
        XCTAssertThrowsError(try printer.moveToPrint()) { XCTAssertEqual($0 as? PrinterError, .noCardAtStation) }
        model.forced = ["Rlr;p": "WHAT"]
        XCTAssertThrowsError(try printer.moveToPrint()) { XCTAssertEqual(($0 as? PrinterError)?.code, -3001) }
    }

    func testSetupRefusalsOfUnknownSettingsAreIgnored() throws {
        let model = Model()
        model.forced = ["Pneab;E": "ERROR CDE"]
        let (printer, transport) = makePrinter(model)
        _ = try printer.status()
        XCTAssertEqual(transport.sentText.prefix(3), ["Pem;2", "Pneab;E", "Pcrm;D"])
    }
}
