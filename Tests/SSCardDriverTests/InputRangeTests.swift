import Foundation
import XCTest
@testable import SSCardDriver
@testable import SSCardPrinter

/// The ranges numbers from a caller or a configuration must keep before they are used
/// (docs/c-abi.md §2.1): the driver configuration checked whole, iPrint items on the card in
/// their unit, and the renderer and font chain refusing what they cannot draw.
final class InputRangeTests: XCTestCase {
    private func decode(_ json: String) throws -> DriverConfiguration {
        try JSONDecoder().decode(DriverConfiguration.self, from: Data(json.utf8))
    }

    func testTheDefaultsAndTheDocumentedExampleHaveNoProblems() throws {
        XCTAssertEqual(DriverConfiguration().problems, [])
        let example = try decode(#"""
            {"contactReader": "Evolis", "securityModule": "province",
             "province": {"url": "http://127.0.0.1:8735", "terminal": "SSDESK000001", "timeoutSeconds": 10},
             "printer": {"kind": "evolis-usb", "usbVendorID": "0f49", "encoderReader": "Evolis"},
             "hoppers": {"中国工商银行": 1, "中国农业银行": 2}}
            """#)
        XCTAssertEqual(example.problems, [])
    }

    func testEveryKeyOutOfRangeIsNamed() throws {
        let configuration = try decode(#"""
            {"cardTimeoutSeconds": 601, "hoppers": {"A": 0, " ": 3},
             "fontChain": [{"path": "", "faceIndex": 70000}],
             "printer": {"hopperCount": 10, "escapeHost": "a b", "escapePort": 0, "usbVendorID": "0x0f49", "usbProductID": "12345",
                         "virtualEncoderSlot": -1}}
            """#)
        let keys = configuration.problems.map(\.key)
        XCTAssertEqual(keys, ["cardTimeoutSeconds", "printer.hopperCount", "printer.escapeHost", "printer.escapePort",
                              "printer.usbVendorID", "printer.usbProductID", "printer.virtualEncoderSlot", "hoppers",
                              "hoppers.A", "fontChain[0].path", "fontChain[0].faceIndex"])
        XCTAssertEqual(try decode(#"{"fontChain": []}"#).problems.map(\.key), ["fontChain"])
        XCTAssertThrowsError(try configuration.validate()) { error in
            let text = "\(error)"
            for key in keys { XCTAssertTrue(text.contains(key), "\(key) in \(text)") }
        }
    }

    func testLoadRefusesAFileOutOfRangeNamingTheFileAndTheKeys() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ranges-\(UUID().uuidString).json")
        try Data(#"{"printer": {"virtualEncoderSlot": 7}, "fontChain": []}"#.utf8).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        XCTAssertThrowsError(try DriverConfiguration.load(path: url.path)) { error in
            guard case .invalid(let path, let reason) = error as? ConfigurationError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, url.path)
            XCTAssertTrue(reason.contains("printer.virtualEncoderSlot: 7") && reason.contains("fontChain: is empty"), reason)
        }
    }

    func testTheCardTimeoutIsADurationWithinItsRange() {
        var configuration = DriverConfiguration()
        XCTAssertEqual(configuration.cardTimeout, .seconds(10))
        configuration.cardTimeoutSeconds = .nan
        XCTAssertEqual(configuration.cardTimeout, .seconds(10))
        configuration.cardTimeoutSeconds = 1e300
        XCTAssertEqual(configuration.cardTimeout, .seconds(600))
        configuration.cardTimeoutSeconds = -5
        XCTAssertEqual(configuration.cardTimeout, .milliseconds(1))
    }

    func testUSBIdsAreOneToFourHexDigits() {
        XCTAssertEqual(DriverConfiguration.PrinterSettings.usbID("0f49"), 0x0F49)
        XCTAssertEqual(DriverConfiguration.PrinterSettings.usbID("FFFF"), 0xFFFF)
        for bad in ["", "+f49", "-1", "0x0f49", "10000", "zz", "0f 4"] {
            XCTAssertNil(DriverConfiguration.PrinterSettings.usbID(bad), bad)
        }
    }

    func testItemPositionsAndBoxesMustLieOnTheCardInTheirUnit() {
        func refusal(_ items: [String], _ units: PrintUnits = .dot300) -> InterfaceError? {
            do { _ = try PrintItems(items, units: units) } catch { return error }
            return nil
        }
        let none = Array(repeating: "", count: 8)
        for (index, item) in [(0, "A|宋体|9|1e300|10"), (1, "A|宋体|9|10|1e300"), (2, "A|宋体|9|9223372036854775807|0"),
                              (3, "A|宋体|9|1011.1|0"), (4, "A|宋体|9|0|637.7")] {
            var items = none
            items[index] = item
            let error = refusal(items)
            XCTAssertEqual(error?.code, .badParameter, item)
            XCTAssertTrue(error?.message.contains("sData\(index + 1)") == true, "\(item): \(String(describing: error))")
        }
        var edge = none
        edge[0] = "A|宋体|9|1011|637"      // the corner itself is on the card (the renderer checks the box)
        XCTAssertNil(refusal(edge))
        var millimetres = none
        millimetres[0] = "A|宋体|9|85.7|10"
        XCTAssertTrue(refusal(millimetres, .millimetre)?.message.contains("85.6 × 53.98 mm") == true)
        millimetres[0] = "A|宋体|9|85.5|10"
        XCTAssertNil(refusal(millimetres, .millimetre))
        for photo in ["QUJD|0|0|1012|10", "QUJD|0|0|10|638", "QUJD|0|0|1e300|1", "QUJD|1e300|0|1|1"] {
            var items = none
            items[6] = photo
            XCTAssertTrue(refusal(items)?.message.contains("sPhoto1") == true, photo)
        }
    }

    func testTheRendererRefusesATypedJobItCannotDraw() {
        let renderer = CardFaceFixtures.renderer
        for (size, left, top) in [(9.0, 1e300, 10.0), (9.0, 10.0, .infinity), (1e300, 10.0, 10.0), (9.0, .nan, 10.0), (0.0, 10.0, 10.0)] {
            let job = CardFaceJob(texts: [PrintTextItem(itemName: "sData2", text: "张三", fontName: "宋体", sizePoints: size, left: left, top: top)],
                                  photos: [])
            do {
                _ = try renderer.render(job)
                XCTFail("rendered \(size) \(left) \(top)")
            } catch {
                guard case .badGeometry(let item, _, _) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(item, "sData2")
                XCTAssertEqual(error.interfaceError.code, .badParameter)
            }
        }
        // A line 100,000 characters long stops at the canvas and is refused as off the card.
        let long = CardFaceJob(texts: [PrintTextItem(itemName: "sData1", text: String(repeating: "张", count: 100_000), fontName: "宋体",
                                                     sizePoints: 9, left: 320, top: 180)], photos: [])
        XCTAssertThrowsError(try renderer.render(long)) { error in
            guard case .outsideCard(let item, _) = error as? CardFaceError else { return XCTFail("\(error)") }
            XCTAssertEqual(item, "sData1")
        }
    }

    func testAnEmptyChainOrANegativeFaceIndexIsAnError() {
        XCTAssertThrowsError(try FontChain(faces: [])) { error in
            XCTAssertEqual(error as? CardFaceError, .emptyFontChain)
            XCTAssertEqual((error as? CardFaceError)?.interfaceCode, .libraryLoadError)
        }
        XCTAssertThrowsError(try FontChain(faces: [.init(path: DriverConfiguration.defaultFontChain[1].path, faceIndex: -1)])) { error in
            guard case .fontUnavailable(_, let index, _, _) = error as? CardFaceError else { return XCTFail("\(error)") }
            XCTAssertEqual(index, -1)
        }
    }
}
