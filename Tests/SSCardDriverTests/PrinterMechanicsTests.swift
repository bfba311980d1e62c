import XCTest
import SSCardDriver

/// The printer mechanics' value types: error codes and messages, the hopper map, status.
final class PrinterMechanicsTests: XCTestCase {
    static let everyError: [PrinterError] = [
        .notConnected(reason: "usb"), .timeout(operation: "printing"), .coverOpen, .hopperEmpty(hopper: 2),
        .jamAtLoad(hopper: 2), .jamAtPrint, .ribbonOut, .rejectBoxFull, .noCardAtStation, .invalidHopper(12),
    ]

    func testErrorCodesAreTheDocumentedTable() {
        XCTAssertEqual(Self.everyError.map(\.code), [-3001, -3002, -3003, -3004, -3005, -3006, -3007, -3008, -3009, -14])
    }

    func testErrorCodesAreDistinctNegativeAndClearOfTheCardStatusWordRange() {
        let codes = Self.everyError.map(\.code)
        XCTAssertEqual(Set(codes).count, codes.count)
        for code in codes {
            XCTAssertLessThan(code, 0)
            XCTAssertGreaterThan(code, -0x6100, "−SW codes of card refusals start at −0x6100")
            XCTAssertFalse((-2204 ... -2201).contains(code), "the HSM codes of the national table")
        }
    }

    func testEveryErrorSpeaksChineseAndEnglish() {
        for error in Self.everyError {
            XCTAssertTrue(error.chineseMessage.unicodeScalars.contains { (0x4E00...0x9FFF).contains($0.value) }, "\(error)")
            XCTAssertFalse(error.englishMessage.isEmpty)
            XCTAssertTrue(error.englishMessage.unicodeScalars.allSatisfy { $0.value < 0x3000 }, error.englishMessage)
            XCTAssertEqual(error.description, "\(error.chineseMessage) / \(error.englishMessage)")
        }
        XCTAssertTrue(PrinterError.hopperEmpty(hopper: 3).chineseMessage.contains("3号卡箱"))
        XCTAssertTrue(PrinterError.hopperEmpty(hopper: 3).englishMessage.contains("hopper 3"))
        XCTAssertTrue(PrinterError.notConnected(reason: "no USB device 0f49").description.contains("no USB device 0f49"))
    }

    func testErrorsMatchInCatchWithoutTheirPayload() {
        func fail() throws(PrinterError) { throw .jamAtLoad(hopper: 4) }
        do {
            try fail()
        } catch .jamAtLoad(let hopper) {
            XCTAssertEqual(hopper, 4)
        } catch {
            XCTFail("\(error)")
        }
    }

    func testHopperMapFindsBanksAndFallsBackToTheDefault() throws {
        var map = try HopperMap(["中国工商银行": 1, " 中国农业银行 ": 2, "中国银行": 2], defaultHopper: 3)
        XCTAssertEqual(map.hopper(forBank: "中国工商银行"), 1)
        XCTAssertEqual(map.hopper(forBank: "中国农业银行"), 2, "names are trimmed")
        XCTAssertEqual(map.hopper(forBank: "中国农业银行\n"), 2)
        XCTAssertNil(map.hopper(forBank: "招商银行"))
        XCTAssertEqual(map.hopperToFeed(forBank: "招商银行"), 3)
        XCTAssertEqual(map.banks(inHopper: 2), ["中国农业银行", "中国银行"].sorted())
        try map.assign(bank: "招商银行", toHopper: 4)
        XCTAssertEqual(map.hopperToFeed(forBank: "招商银行"), 4)
        XCTAssertNil(try HopperMap().hopperToFeed(forBank: "x"), "no default: the printer's own")
    }

    func testHopperMapRefusesHoppersOutside1To9() {
        for bad in [0, 10, -1] {
            XCTAssertThrowsError(try HopperMap(["银行": bad])) { XCTAssertEqual($0 as? PrinterError, .invalidHopper(bad)) }
            XCTAssertThrowsError(try HopperMap([:], defaultHopper: bad))
            var map = try! HopperMap()
            XCTAssertThrowsError(try map.assign(bank: "银行", toHopper: bad))
        }
    }

    func testHopperMapFromTheDriverConfiguration() throws {
        let configuration = DriverConfiguration(hoppers: ["中国建设银行": 5])
        XCTAssertEqual(try HopperMap(configuration: configuration).hopper(forBank: "中国建设银行"), 5)
    }

    func testStatusFindsAHopperByNumber() {
        let status = PrinterStatus(
            hoppers: [HopperStatus(number: 1, hasCards: false, cardCount: 0), HopperStatus(number: 2, hasCards: true)],
            defaultHopper: 1, coverOpen: false, ribbonPanelsRemaining: nil, cardPosition: .none, rejectBoxFull: false)
        XCTAssertEqual(status.hopper(2)?.hasCards, true)
        XCTAssertNil(status.hopper(2)?.cardCount)
        XCTAssertNil(status.hopper(3))
    }

    func testExitsAreIPrintsN() {
        XCTAssertEqual(CardExit(rawValue: 1), .good)
        XCTAssertEqual(CardExit(rawValue: 2), .reject)
        XCTAssertNil(CardExit(rawValue: 0))
    }

    func testPrintJobUsesOneYMCKOSideByDefault() {
        XCTAssertEqual(PrintJob(name: "x").ribbonPanels, 5)
    }
}
