import Glibc
import XCTest
import Sockets
@testable import SSCardDriver
@testable import SSCardPrinter

/// Printer replies: parsing, values, reassembly from pieces, and what each `ERR` means as a
/// `PrinterError` with its national code.
final class EscapeReplyTests: XCTestCase {
    func testParsing() {
        XCTAssertEqual(EscapeReply(text: "OK"), .ok)
        XCTAssertEqual(EscapeReply(bytes: Array("OK ".utf8)), .ok)
        XCTAssertEqual(EscapeReply(text: "ERROR CDE"), .error("ERROR CDE"))
        XCTAssertEqual(EscapeReply(text: "ERR RIB DETECTION"), .error("ERR RIB DETECTION"))
        XCTAssertEqual(EscapeReply(text: "SMART CARD"), .value("SMART CARD"))
        XCTAssertEqual(EscapeReply.ok.wireBytes, [0x4F, 0x4B, 0x0D])
    }

    func testValues() {
        XCTAssertEqual(EscapeReply(text: "5,00 Volts").volts, 5.0)
        XCTAssertEqual(EscapeReply(text: "0.25 Volts").volts, 0.25)
        XCTAssertNil(EscapeReply(text: "Volts").volts)
        XCTAssertEqual(EscapeReply(text: "245").integer, 245)
        XCTAssertEqual(EscapeReply(text: "OK").cardPosition, CardPosition.none)
        XCTAssertEqual(EscapeReply(text: "CARD").cardPosition, .printPosition)
        XCTAssertEqual(EscapeReply(text: "SMART CARD").cardPosition, .contactStation)
        XCTAssertEqual(EscapeReply(text: "CONTACTLESS CARD").cardPosition, .contactlessStation)
        XCTAssertEqual(EscapeReply(text: "ERR CARD JAM").cardPosition, .jammed)
        XCTAssertNil(EscapeReply(text: "MAYBE").cardPosition)
    }

    func testAssemblerCutsAtCRLFNULAndShortTransfers() {
        var a = EscapeReplyAssembler()
        a.append(Array("O".utf8))
        XCTAssertNil(a.nextReply())
        a.append(Array("K\r\nSMART CARD\0\0ERR".utf8))
        XCTAssertEqual(a.nextReply(), Array("OK".utf8))
        XCTAssertEqual(a.nextReply(), Array("SMART CARD".utf8))
        XCTAssertNil(a.nextReply())
        XCTAssertEqual(a.partialByteCount, 3)
        a.endOfTransfer()
        XCTAssertEqual(a.nextReply(), Array("ERR".utf8))
        a.append(Array("stale".utf8))
        a.reset()
        XCTAssertEqual(a.partialByteCount, 0)
    }

    func testErrorRepliesMapToPrinterErrorsByOperation() {
        let sis = EscapeCommand.insertToContactStation
        func map(_ text: String, _ op: EscapeOperation) -> PrinterError? {
            EscapeReply(text: text).printerError(during: op, command: sis)
        }
        XCTAssertNil(map("OK", .load(hopper: 2)))
        XCTAssertNil(map("SMART CARD", .load(hopper: 2)))
        XCTAssertEqual(map("ERR FEEDER EMPTY", .load(hopper: 2)), .hopperEmpty(hopper: 2))
        XCTAssertEqual(map("ERR CARD JAM", .load(hopper: 2)), .jamAtLoad(hopper: 2))
        XCTAssertEqual(map("ERR CARD JAM", .print), .jamAtPrint)
        XCTAssertEqual(map("ERR MECHANICAL", .print), .jamAtPrint)
        XCTAssertEqual(map("ERR COVER OPEN", .print), .coverOpen)
        XCTAssertEqual(map("ERR RIBBON OUT", .print), .ribbonOut)
        XCTAssertEqual(map("ERR RIB DETECTION", .print), .ribbonOut)
        XCTAssertEqual(map("ERR REJECT BOX FULL", .load(hopper: 1)), .rejectBoxFull)
        XCTAssertEqual(map("ERR NO CARD", .moveToPrint), .noCardAtStation)
        XCTAssertEqual(map("ERROR CDE", .load(hopper: 1))?.code, -3001)
        XCTAssertTrue(map("ERROR CDE", .load(hopper: 1))!.englishMessage.contains("ERROR CDE"))
        XCTAssertEqual(map("ERR ENCODER vpcd down", .load(hopper: 1))?.code, -3001)

        // The national codes of docs/printer.md.
        XCTAssertEqual(map("ERR FEEDER EMPTY", .load(hopper: 2))?.code, -3004)
        XCTAssertEqual(map("ERR CARD JAM", .load(hopper: 2))?.code, -3005)
        XCTAssertEqual(map("ERR CARD JAM", .print)?.code, -3006)
        XCTAssertEqual(map("ERR COVER OPEN", .print)?.code, -3003)
        XCTAssertEqual(map("ERR RIBBON OUT", .print)?.code, -3007)
    }

    func testEveryKindsReplyTextMapsBackToIt() {
        for kind in EscapeErrorKind.allCases {
            XCTAssertEqual(EscapeErrorKind(replyText: kind.replyText), kind)
        }
    }

    func testTransportErrorsMapToTimeoutOrNotConnected() {
        XCTAssertEqual(PrinterTransportError.timeout("x").printerError(during: .print), .timeout(operation: "printing"))
        XCTAssertEqual(PrinterTransportError.closed("gone").printerError(during: .print).code, -3001)
        XCTAssertEqual(PrinterTransportError.usb(call: "libusb_open", error: .access).printerError(during: .status).code, -3001)
        XCTAssertTrue(LibUSBError.access.description.contains("LIBUSB") || LibUSBError.access.description.contains("ccess"))
        XCTAssertEqual(LibUSBError.access.rawValue, -3)
    }

    /// `.notConnected` keeps what the transport said underneath: the libusb code, the errno.
    func testNotConnectedKeepsTheTransportsCode() throws {
        let usb = PrinterTransportError.usb(call: "libusb_open", error: .access).printerError(during: .status)
        XCTAssertEqual(usb.underlyingError as? LibUSBError, .access)
        guard case .notConnected(let reason, let cause?) = usb else { return XCTFail("\(usb)") }
        XCTAssertEqual(reason, "libusb_open: \(LibUSBError.access)", "the message reads as before")
        XCTAssertEqual(cause, ErrorCause(LibUSBError.access))
        XCTAssertNotEqual(cause, ErrorCause(LibUSBError.busy), "causes compare by code")
        XCTAssertNotEqual(usb, .notConnected(reason: reason), "and a kept cause is part of the error")

        let refused = SocketError("connect to 127.0.0.1:1", code: ECONNREFUSED)
        let socket = PrinterTransportError.socket(refused).printerError(during: .status)
        XCTAssertEqual((socket.underlyingError as? SocketError)?.code, ECONNREFUSED)
        XCTAssertEqual(socket.englishMessage, "the card printer is not connected (connect to 127.0.0.1:1: Connection refused (errno \(ECONNREFUSED)))")

        let closed = PrinterTransportError.closed("gone").printerError(during: .print)
        XCTAssertEqual(closed.underlyingError as? PrinterTransportError, .closed("gone"))
        XCTAssertNil(PrinterError.coverOpen.underlyingError)
        XCTAssertEqual(Set([usb, usb, socket]).count, 2, "still Hashable")
    }

    func testAnUnreachableSocketPrinterIsNotConnectedWithTheErrno() throws {
        let listener = try SocketListener(port: 0)
        let port = listener.port
        listener.close()
        let transport = SocketPrinterTransport(endpoint: .tcp(host: "127.0.0.1", port: port))
        XCTAssertThrowsError(try transport.exchange(.readCardPosition, timeout: .seconds(2))) { error in
            guard case .socket(let cause)? = error as? PrinterTransportError else { return XCTFail("\(error)") }
            XCTAssertEqual(cause.code, ECONNREFUSED)
            XCTAssertEqual(cause.operation, "connect to 127.0.0.1:\(port)")
        }
        let notIPv4 = SocketPrinterTransport(endpoint: .tcp(host: "printer.local", port: 1))
        XCTAssertThrowsError(try notIPv4.send([0x1B], timeout: .seconds(1))) { error in
            guard case .socket(let cause)? = error as? PrinterTransportError else { return XCTFail("\(error)") }
            XCTAssertEqual(cause.code, EINVAL)
        }
    }
}
