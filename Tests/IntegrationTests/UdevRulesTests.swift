import Foundation
import XCTest

/// udev/60-sscard.rules against sample devices as udev describes them (`udevadm info` of a real
/// CCID reader, an Evolis printer and unrelated devices): readers and card printers get group
/// sscard, mode 0660; nothing else is touched; no rule opens a device to the world.
final class UdevRulesTests: XCTestCase {
    static func rules() throws -> UdevRules {
        let url = CProgramHarness.packageRoot.appendingPathComponent("udev/60-sscard.rules")
        return try UdevRules(text: String(contentsOf: url, encoding: .utf8))
    }

    /// A USB device node as the usb_id builtin leaves it (50-udev-default.rules).
    static func usbDevice(vendor: String, product: String, interfaces: String, action: String = "add") -> UdevRules.Device {
        UdevRules.Device(
            properties: ["ACTION": action, "SUBSYSTEM": "usb", "DEVTYPE": "usb_device",
                         "DEVNAME": "/dev/bus/usb/001/007", "ID_VENDOR_ID": vendor, "ID_MODEL_ID": product,
                         "ID_USB_INTERFACES": interfaces],
            attributes: ["idVendor": vendor, "idProduct": product, "bDeviceClass": "00"])
    }

    static let desk = UdevRules.Outcome(group: "sscard", mode: "0660")
    static let untouched = UdevRules.Outcome()

    func testCCIDReaderDeviceGetsTheGroup() throws {
        let rules = try Self.rules()
        // SCM Microsystems SCR3310 (04e6:5116): one CCID interface.
        XCTAssertEqual(rules.apply(to: Self.usbDevice(vendor: "04e6", product: "5116", interfaces: ":0b0000:")), Self.desk)
        // A keyboard with a reader (HID + CCID), and an ICCD token (protocol 01).
        XCTAssertEqual(rules.apply(to: Self.usbDevice(vendor: "046a", product: "0070", interfaces: ":030101:0b0000:")), Self.desk)
        XCTAssertEqual(rules.apply(to: Self.usbDevice(vendor: "1050", product: "0407", interfaces: ":030101:0b0001:")), Self.desk)
        // Re-triggered (`udevadm trigger` sends change): the same.
        XCTAssertEqual(rules.apply(to: Self.usbDevice(vendor: "04e6", product: "5116", interfaces: ":0b0000:", action: "change")), Self.desk)
    }

    /// The old rule matched the reader's usb_interface, which has no device node: nothing changed.
    func testInterfacesWithoutADeviceNodeAreNotMatched() throws {
        let rules = try Self.rules()
        let interface = UdevRules.Device(
            properties: ["ACTION": "add", "SUBSYSTEM": "usb", "DEVTYPE": "usb_interface", "INTERFACE": "11/0/0"],
            attributes: ["bInterfaceClass": "0b", "bInterfaceSubClass": "00", "bInterfaceProtocol": "00"])
        XCTAssertEqual(rules.apply(to: interface), Self.untouched)
        XCTAssertFalse(rules.allKeys.contains { $0.value == "usb_interface" && $0.operation == "==" })
    }

    func testEvolisPrinterGetsTheGroup() throws {
        let rules = try Self.rules()
        // Evolis (vendor 0f49) printers: a printer-class interface, and a vendor-specific one.
        XCTAssertEqual(rules.apply(to: Self.usbDevice(vendor: "0f49", product: "1001", interfaces: ":070102:")), Self.desk)
        XCTAssertEqual(rules.apply(to: Self.usbDevice(vendor: "0f49", product: "1011", interfaces: ":ff0000:")), Self.desk)
        XCTAssertEqual(rules.apply(to: Self.usbDevice(vendor: "0f49", product: "1001", interfaces: ":070102:", action: "remove")), Self.untouched)
    }

    func testOtherPrinterMakersOnlyTheirPrinters() throws {
        let rules = try Self.rules()
        XCTAssertEqual(rules.apply(to: Self.usbDevice(vendor: "0a5f", product: "0220", interfaces: ":070102:")), Self.desk)
        // A Zebra barcode scanner (HID only) is not a card printer.
        XCTAssertEqual(rules.apply(to: Self.usbDevice(vendor: "0a5f", product: "0100", interfaces: ":030101:")), Self.untouched)
    }

    func testUnrelatedDevicesAreUntouched() throws {
        let rules = try Self.rules()
        // A USB stick, an office printer (Debian's 50-udev-default.rules gives it to lp), a
        // vendor-specific interface whose subclass happens to be 0b, a hub.
        for device in [
            Self.usbDevice(vendor: "0781", product: "5567", interfaces: ":080650:"),
            Self.usbDevice(vendor: "03f0", product: "2b17", interfaces: ":070102:"),
            Self.usbDevice(vendor: "1234", product: "5678", interfaces: ":ff0b00:"),
            Self.usbDevice(vendor: "1d6b", product: "0002", interfaces: ":090000:"),
        ] {
            XCTAssertEqual(rules.apply(to: device), Self.untouched, "\(device.properties)")
        }
        var block = Self.usbDevice(vendor: "0f49", product: "1001", interfaces: ":070102:")
        block.properties["SUBSYSTEM"] = "block"
        XCTAssertEqual(rules.apply(to: block), Self.untouched)
    }

    /// Every rule that sets a mode gives the device to group sscard, and no mode lets others in;
    /// no uaccess tag or owner hands a device to whoever sits at the console.
    func testNoWorldAccessAndOnlyTheGroup() throws {
        let rules = try Self.rules()
        for rule in rules.rules where rule.keys.contains(where: { $0.name == "MODE" }) {
            let mode = rule.keys.first { $0.name == "MODE" }!.value
            XCTAssertEqual(mode.last, "0", "line \(rule.line): MODE=\(mode) gives others access")
            XCTAssertTrue(rule.keys.contains { $0.name == "GROUP" && $0.value == "sscard" }, "line \(rule.line)")
        }
        XCTAssertFalse(rules.allKeys.contains { $0.name == "OWNER" || $0.name == "TAG" })
        XCTAssertGreaterThanOrEqual(rules.allKeys.filter { $0.name == "GROUP" }.count, 3)
    }

    /// The evaluator itself: an unknown key is refused, not skipped; `|` alternatives and globs.
    func testEvaluatorRefusesWhatItDoesNotUnderstand() throws {
        XCTAssertThrowsError(try UdevRules(text: #"SUBSYSTEMS=="usb", GROUP="sscard""#))
        XCTAssertThrowsError(try UdevRules(text: #"SUBSYSTEM=="usb" GROUP="sscard""#))
        XCTAssertThrowsError(try UdevRules(text: #"SUBSYSTEM=="usb", GOTO="nowhere""#))
        let rules = try UdevRules(text: #"ATTR{idVendor}=="0a5f|0f4?", GROUP="g""#)
        XCTAssertEqual(rules.apply(to: Self.usbDevice(vendor: "0f49", product: "1", interfaces: "")).group, "g")
        XCTAssertEqual(rules.apply(to: Self.usbDevice(vendor: "0a5f", product: "1", interfaces: "")).group, "g")
        XCTAssertNil(rules.apply(to: Self.usbDevice(vendor: "0f5f", product: "1", interfaces: "")).group)
    }
}
