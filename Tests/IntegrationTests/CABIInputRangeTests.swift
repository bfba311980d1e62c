import Foundation
import SSCardDriver
import XCTest

/// Numbers from a C caller or a configuration file that used to kill the caller's process
/// (a Swift trap is SIGILL in the caller): each now answers a code naming the item or key.
/// Every call goes through Tests/CProgram/interface_check.c in a process of its own, so a trap
/// fails the test instead of killing the test runner. No card, printer or service is needed:
/// the items are refused before anything moves (the printer is at port 1, where nobody answers).
final class CABIInputRangeTests: XCTestCase {
    private var files: [URL] = []

    override func tearDown() {
        for file in files { try? FileManager.default.removeItem(at: file) }
        files = []
        super.tearDown()
    }

    private func configuration(_ json: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("range-\(UUID().uuidString).json")
        try Data(json.utf8).write(to: url)
        files.append(url)
        return url
    }

    /// The C program with `json` as its configuration (SSCARD_DRIVER_CONFIG); a trapping child
    /// dies quietly (no backtrace) and its calls come back as code Int.min.
    private func program(_ json: String) throws -> CProgramHarness {
        try CProgramHarness(environment: ["SSCARD_DRIVER_CONFIG": try configuration(json).path, "SWIFT_BACKTRACE": "enable=no"])
    }

    private static let printer = #"{"printer": {"kind": "escape-tcp", "escapeHost": "127.0.0.1", "escapePort": 1}}"#

    /// iPrint(n, items…) with `items` (GB18030, hex on the wire); nil items are NULL.
    private func print(_ c: CProgramHarness, _ items: [String?]) -> (code: Int, text: String) {
        let wire = (0..<8).map { i in i < items.count ? items[i].map { (GB18030.encode($0) ?? []).hexString } ?? "-" : "-" }
        return c.call((["print", "1"] + wire).joined(separator: " "))
    }

    func testHugePositionsAndSizesAreRefusedNamingTheItem() throws {
        let c = try program(Self.printer)
        for (index, item) in [(0, "ABC|SimSun|9|1e300|10"), (0, "ABC|SimSun|9|10|1e300"), (2, "ABC|SimSun|9|9223372036854775807|10"),
                              (5, "ABC|SimSun|9|-9223372036854775808|10"), (1, "ABC|SimSun|9|1011.5|10"), (3, "ABC|SimSun|9|10|638"),
                              (0, "ABC|SimSun|1e300|10|10"), (4, "ABC|SimSun|9|1.7976931348623157e308|1.7976931348623157e308")] {
            var items = [String?](repeating: nil, count: 8)
            items[index] = item
            let answer = print(c, items)
            XCTAssertEqual(answer.code, -14, "\(item): \(answer.text)")
            XCTAssertTrue(answer.text.contains("sData\(index + 1)"), "\(item): \(answer.text)")
        }
        for photo in ["QUJD|46|127|1e300|300", "QUJD|46|127|234|1e300", "QUJD|1e300|127|234|300", "QUJD|46|9223372036854775807|234|300"] {
            var items = [String?](repeating: nil, count: 8)
            items[7] = photo
            let answer = print(c, items)
            XCTAssertEqual(answer.code, -14, "\(photo): \(answer.text)")
            XCTAssertTrue(answer.text.contains("sPhoto2"), "\(photo): \(answer.text)")
        }
        // The process lived through all of it, and a good item still reaches the printer (−3001: nobody at port 1).
        XCTAssertEqual(print(c, ["ABC|SimSun|9|320|180"]).code, -3001)
    }

    func testPositionsAreOnTheCardInTheConfiguredUnit() throws {
        let c = try program(#"{"printUnits": "mm", "printer": {"kind": "escape-tcp", "escapeHost": "127.0.0.1", "escapePort": 1}}"#)
        let off = print(c, ["ABC|SimSun|9|86|10"])     // the card is 85.6 mm wide
        XCTAssertEqual(off.code, -14, off.text)
        XCTAssertTrue(off.text.contains("sData1") && off.text.contains("85.6"), off.text)
        XCTAssertEqual(print(c, ["ABC|SimSun|9|27|15"]).code, -3001)
    }

    func testAnEmptyFontChainIsAConfigurationErrorNamingIt() throws {
        let json = #"{"fontChain": [], "printer": {"kind": "escape-tcp", "escapeHost": "127.0.0.1", "escapePort": 1}}"#
        // Through SSCARD_DRIVER_CONFIG: the first call (iPrint) answers −5.
        let c = try program(json)
        let first = print(c, ["ABC|SimSun|9|320|180"])
        XCTAssertEqual(first.code, -5, first.text)
        XCTAssertTrue(first.text.contains("fontChain"), first.text)
        // Through SSCardDriver_Configure: refused, and the driver the library had stays.
        let good = try program(Self.printer)
        let refused = good.call("configure " + (try configuration(json)).path)
        XCTAssertEqual(refused.code, -5, refused.text)
        XCTAssertTrue(refused.text.contains("fontChain"), refused.text)
        XCTAssertEqual(print(good, ["ABC|SimSun|9|320|180"]).code, -3001)
    }

    func testEveryKeyOutOfRangeIsNamedAtOnce() throws {
        let json = #"""
            {"cardTimeoutSeconds": 0, "hoppers": {"ICBC": 12},
             "fontChain": [{"path": "/usr/share/fonts/truetype/babelstone/BabelStoneHan.ttf", "faceIndex": -1}],
             "printer": {"kind": "evolis-usb", "hopperCount": 0, "escapePort": 0, "usbVendorID": "zz", "usbProductID": "0x1001",
                         "escapeHost": "", "virtualEncoderSlot": 7}}
            """#
        let c = try program(json)
        let answer = c.call("load 1")
        XCTAssertEqual(answer.code, -5, answer.text)
        for key in ["cardTimeoutSeconds", "hoppers.ICBC", "fontChain[0].faceIndex", "printer.hopperCount", "printer.escapePort",
                    "printer.usbVendorID", "printer.usbProductID", "printer.escapeHost", "printer.virtualEncoderSlot"] {
            XCTAssertTrue(answer.text.contains(key), "\(key) in \(answer.text)")
        }
    }

    func testACertificateWhoseVersionIsHugeIsRefusedNamingTheItem() throws {
        // A self-signed P-256 certificate whose version INTEGER is 2^63 − 1 (OpenSSL parses it).
        let huge = "MIIBezCCASCgCgIIf/////////8CFHJDX+9Gb1Cbebd2CkOmWGdKqtEcMAoGCCqGSM49BAMCMA8xDTALBgNVBAMMBGZ1enowHhcNMjYxMjA2MDY0NzQwWhcN"
            + "MjYxMjA3MDY0NzQwWjAPMQ0wCwYDVQQDDARmdXp6MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEAS2TdFjujHwBTVQN1/DUzh4e0to6mgEHY3oq/Y5juyUM"
            + "dRq8YD+JNK8AsFfNIakExNQkx2YnHx70mMLL9uwd46NTMFEwHQYDVR0OBBYEFJx48MTXVw6DRy4+Zw+bNqJzABt9MB8GA1UdIwQYMBaAFJx48MTXVw6DRy4+"
            + "Zw+bNqJzABt9MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSQAwRgIhALZ8rh0G6VghN160HoKeOI4iI29MOHkPsFWCbx0pODT+AiEAyVxJlXqNIef0"
            + "gVA2kxWHOpOBs3oq3t4cKwO+70duDGg="
        let c = try program("{}")
        let answer = c.call("ca2", strings: ["\(huge)|\(huge)|0A0B|00112233445566778899AABBCCDDEEFF|12345678"])
        XCTAssertEqual(answer.code, -14, answer.text)
        XCTAssertTrue(answer.text.contains("签名证书") && answer.text.contains("version"), answer.text)
    }

    func testAnOutOfRangeVirtualEncoderSlotIsRefusedBeforeTheSimulatorIsBuilt() throws {
        // The library: refused whatever the printer kind (a virtual printer is refused anyway).
        for kind in ["escape-tcp", "virtual"] {
            let c = try program(#"{"printer": {"kind": "\#(kind)", "escapePort": 1, "virtualEncoderSlot": 7}}"#)
            let answer = c.call("readbas 1")
            XCTAssertEqual(answer.code, -5, answer.text)
            XCTAssertTrue(answer.text.contains("printer.virtualEncoderSlot"), answer.text)
        }
        // issue-station, which does build the virtual printer and its vpcd connector: an error
        // naming the key, not a trap in VPCDFraming.
        let config = try configuration(#"{"printer": {"kind": "virtual", "virtualEncoderSlot": 7}}"#)
        var environment = ProcessInfo.processInfo.environment
        environment["SSCARD_DRIVER_CONFIG"] = config.path
        environment["SWIFT_BACKTRACE"] = "enable=no"
        environment["SSCARD_STATION_CONFIG"] = nil
        let run = try ToolRunner.execute(ToolRunner.productsDirectory.appendingPathComponent("issue-station"),
                                         ["printer", "status"], environment: environment)
        XCTAssertEqual(run.reason, .exit, run.output)
        XCTAssertNotEqual(run.status, 0, run.output)
        XCTAssertTrue(run.output.contains("virtualEncoderSlot"), run.output)
    }
}
