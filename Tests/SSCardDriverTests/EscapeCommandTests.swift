import XCTest
@testable import SSCardDriver
@testable import SSCardPrinter

/// The Escape language on the wire: exact bytes of every command the driver sends, the
/// decoder's round trip and its handling of split, padded and broken streams.
final class EscapeCommandTests: XCTestCase {
    private func wire(_ text: String) -> [UInt8] { [0x1B] + Array(text.utf8) + [0x0D] }

    func testExactBytesOfEachCommand() {
        let expected: [(EscapeCommand, String)] = [
            (.startSequence, "Ss"), (.endSequence, "Se"), (.insert, "Si"), (.insertToContactStation, "Sis"),
            (.ejectToReject, "Ser"), (.selectFront, "Sr"), (.selectBack, "Sv"),
            (.setRibbon(.ymcko), "Pr;ymcko"), (.setRibbon(.ko), "Pr;ko"), (.setRibbon(.k), "Pr;k"),
            (.setErrorManagement(.host), "Pem;2"), (.setErrorManagement(.printer), "Pem;0"),
            (.feedFromHopper(nil), "Pcim;F"), (.feedFromHopper(2), "Pcim;F;2"),
            (.readCardPosition, "Rlr;p"), (.readRejectBox, "Rlr;h"),
            (.readFeederSensor(nil), "Rse;f"), (.readFeederSensor(3), "Rse;f;3"), (.readCoverSensor, "Rse;o"),
            (.readRibbonCount, "Rrt;count"), (.other(name: "Pneab", parameters: ["A", "1"]), "Pneab;A;1"),
            (.other(name: "Xfault", parameters: ["jamAtPrint", "sticky"]), "Xfault;jamAtPrint;sticky"),
        ]
        for (command, text) in expected {
            XCTAssertEqual(command.bytes, wire(text), "\(command)")
            XCTAssertEqual(command.description, text)
        }
        XCTAssertEqual(EscapeCommand.insertToContactStation.bytes, [0x1B, 0x53, 0x69, 0x73, 0x0D])
    }

    func testPanelDownloadBytesAreHeaderDataCR() {
        let data: [UInt8] = [0x0D, 0x1B, 0x00, 0xFF]  // binary: CR and ESC inside the data
        let command = EscapeCommand.downloadPanel(.init(panel: .black, levels: .two, data: data))
        XCTAssertEqual(command.bytes, [0x1B] + Array("Db;k;2;".utf8) + data + [0x0D])
        XCTAssertEqual(command.description, "Db;k;2;<4 bytes>")
    }

    func testDecoderRoundTripsEveryCommandAndCanonicalisesOther() throws {
        let panel = MonochromeBitmap(width: 1016, height: 648, filled: true)
        let commands: [EscapeCommand] = [
            .setErrorManagement(.host), .setRibbon(.ymcko), .startSequence, .selectFront, .feedFromHopper(9),
            .readFeederSensor(1), .readCoverSensor, .readRibbonCount, .readCardPosition, .readRejectBox,
            .downloadPanel(.init(panel: .black, levels: .two, data: panel.escapeWireData())),
            .downloadPanel(.init(panel: .overlay, levels: .two, data: MonochromeBitmap().escapeWireData())),
            .endSequence, .insert, .insertToContactStation, .ejectToReject, .other(name: "Pneab", parameters: ["E"]),
        ]
        XCTAssertEqual(try EscapeCommandDecoder.decodeAll(commands.flatMap(\.bytes)), commands)
        XCTAssertEqual(try EscapeCommandDecoder.decodeAll(EscapeCommand.other(name: "Sis", parameters: []).bytes),
                       [.insertToContactStation])
        XCTAssertEqual(try EscapeCommandDecoder.decodeAll(wire("Pcim;F;12")), [.other(name: "Pcim", parameters: ["F", "12"])])
    }

    func testDecoderWaitsForSplitBytesAndSkipsNULPadding() {
        let k = EscapeCommand.downloadPanel(.init(panel: .black, levels: .two, data: [UInt8](repeating: 0x0D, count: 82_296)))
        let stream = [0, 0] + EscapeCommand.startSequence.bytes + k.bytes + [0, 0, 0] + EscapeCommand.endSequence.bytes
        var decoder = EscapeCommandDecoder()
        var out: [EscapeCommand] = []
        var i = 0
        for size in [1, 2, 3, 5, 7, 4_096, 50_000, 100_000] where i < stream.count {
            decoder.append(stream[i..<min(stream.count, i + size)])
            i += size
            while let r = decoder.next() { out.append(try! r.get()) }
        }
        decoder.append(stream[min(i, stream.count)...])
        while let r = decoder.next() { out.append(try! r.get()) }
        XCTAssertEqual(out, [.startSequence, k, .endSequence])
        XCTAssertEqual(decoder.pendingByteCount, 0)
    }

    func testDecoderReportsAndSkipsBadInput() {
        var decoder = EscapeCommandDecoder()
        decoder.append(Array("junk".utf8) + EscapeCommand.startSequence.bytes)
        XCTAssertEqual(decoder.next(), .failure(.garbageBeforeEscape(count: 4)))
        XCTAssertEqual(decoder.next(), .success(.startSequence))

        // Panel data of the wrong size: the byte after the expected length is not CR.
        decoder.append([0x1B] + Array("Db;k;2;".utf8) + [UInt8](repeating: 1, count: 82_296 + 10) + [0x0D])
        XCTAssertEqual(decoder.next(), .failure(.panelNotTerminated(panel: .black, expectedBytes: 82_296)))

        var bad = EscapeCommandDecoder()
        bad.append([0x1B] + Array("Db;q;2;".utf8))
        XCTAssertEqual(bad.next(), .failure(.badPanelHeader("Db;q;2")))

        XCTAssertThrowsError(try EscapeCommandDecoder.decodeAll(Array(EscapeCommand.readCardPosition.bytes.dropLast()))) {
            XCTAssertEqual($0 as? EscapeDecodingError, .truncated(count: 6))
        }
    }
}
