import Synchronization
import XCTest
@testable import SSCardDriver
@testable import SSCardPrinter

/// A printer's bulk endpoints without a device: records what the host writes and plays back
/// packets as a USB device would (a transfer ends at a short packet, a zero-length packet, a
/// full buffer, or a timeout with what had come).
final class FakeBulkPipe: USBBulkPipe, @unchecked Sendable {
    // @unchecked Sendable: the tests use one pipe from one thread at a time (the transport
    // locks around it).
    let maxPacketSizeOut: Int
    let maxPacketSizeIn: Int
    /// Bytes the device accepts per OUT call before it "times out" (nil = all).
    var acceptPerCall: Int?
    /// Every OUT transfer, as asked.
    var outTransfers: [[UInt8]] = []
    /// What the device accepted, in order.
    var received: [UInt8] = []
    /// Packets queued by the device, each at most maxPacketSizeIn (empty = zero-length packet).
    var packets: [[UInt8]] = []
    /// Answer every complete command with this reply (split into packets).
    var autoReply: ((_ command: [UInt8]) -> [UInt8]?)?
    var inError: LibUSBError?
    var closed = 0
    var inCalls: [(maxLength: Int, timeout: Int)] = []

    init(out: Int = 512, in: Int = 512) {
        maxPacketSizeOut = out
        maxPacketSizeIn = `in`
    }

    var description: String { "fake bulk pipe" }

    func queue(_ bytes: [UInt8], zeroLengthPacket: Bool = false) {
        var rest = bytes[...]
        while !rest.isEmpty {
            packets.append(Array(rest.prefix(maxPacketSizeIn)))
            rest = rest.dropFirst(maxPacketSizeIn)
        }
        if zeroLengthPacket { packets.append([]) }
    }

    func bulkOut(_ bytes: ArraySlice<UInt8>, timeoutMilliseconds: Int) -> (transferred: Int, error: LibUSBError?) {
        outTransfers.append(Array(bytes))
        let n = min(bytes.count, acceptPerCall ?? bytes.count)
        received += bytes.prefix(n)
        if let autoReply, received.last == 0x0D, let reply = autoReply(received) {
            received.removeAll()
            queue(reply)
        }
        return (n, n < bytes.count ? .timeout : nil)
    }

    func bulkIn(maxLength: Int, timeoutMilliseconds: Int) -> (bytes: [UInt8], error: LibUSBError?) {
        inCalls.append((maxLength, timeoutMilliseconds))
        if let inError { return ([], inError) }
        var out: [UInt8] = []
        while let packet = packets.first {
            guard out.count + packet.count <= maxLength else { return (out, nil) }
            packets.removeFirst()
            out += packet
            if packet.count < maxPacketSizeIn { return (out, nil) }  // short or zero-length packet
            if out.count == maxLength { return (out, nil) }
        }
        return (out, .timeout)
    }

    func close() { closed += 1 }
}

final class USBTransportFramingTests: XCTestCase {
    let deadline = { TransportDeadline(.seconds(2)) }

    func testTransferSizesAreWholePacketsUpToTheMaximum() {
        let framing = USBBulkFraming(maxTransferSize: 16_384)
        let panel = 82_296 + 9
        let sizes = framing.transferSizes(for: panel, maxPacketSize: 512)
        XCTAssertEqual(sizes.reduce(0, +), panel)
        XCTAssertEqual(sizes.dropLast(), Array(repeating: 16_384, count: 5))
        XCTAssertEqual(sizes.last, panel - 5 * 16_384)
        // A maximum that is not a multiple of the packet size is rounded down; never below one packet.
        XCTAssertEqual(USBBulkFraming(maxTransferSize: 1_000).transferSizes(for: 2_000, maxPacketSize: 64), [960, 960, 80])
        XCTAssertEqual(USBBulkFraming(maxTransferSize: 10).transferSizes(for: 100, maxPacketSize: 64), [64, 36])
        // A short command is one transfer; zero-length packets only when asked and the last packet is full.
        XCTAssertEqual(framing.transferSizes(for: 5, maxPacketSize: 64), [5])
        XCTAssertEqual(framing.transferSizes(for: 128, maxPacketSize: 64), [128])
        let zlp = USBBulkFraming(maxTransferSize: 16_384, sendsZeroLengthPacket: true)
        XCTAssertEqual(zlp.transferSizes(for: 128, maxPacketSize: 64), [128, 0])
        XCTAssertEqual(zlp.transferSizes(for: 130, maxPacketSize: 64), [130])
        XCTAssertEqual(zlp.transferSizes(for: 0, maxPacketSize: 64), [0])
    }

    func testAPanelGoesOutWholeInPacketAlignedTransfers() throws {
        let pipe = FakeBulkPipe(out: 64)
        let command = EscapeCommand.downloadPanel(.init(panel: .black, levels: .two, data: MonochromeBitmap().escapeWireData()))
        try USBBulkFraming(maxTransferSize: 4_096).send(command.bytes, over: pipe, deadline: deadline())
        XCTAssertEqual(pipe.received, command.bytes)
        XCTAssertTrue(pipe.outTransfers.dropLast().allSatisfy { $0.count == 4_096 })
        XCTAssertEqual(pipe.outTransfers.count, (82_305 + 4_095) / 4_096)
    }

    func testATransferCutByATimeoutIsContinued() throws {
        let pipe = FakeBulkPipe(out: 64)
        pipe.acceptPerCall = 100
        let bytes = [UInt8](repeating: 7, count: 1_000)
        try USBBulkFraming().send(bytes, over: pipe, deadline: deadline())
        XCTAssertEqual(pipe.received, bytes)
        XCTAssertEqual(pipe.outTransfers.map(\.count), [1_000, 900, 800, 700, 600, 500, 400, 300, 200, 100])
    }

    func testSendTimesOutAtTheDeadline() {
        let pipe = FakeBulkPipe(out: 64)
        pipe.acceptPerCall = 0
        XCTAssertThrowsError(try USBBulkFraming().send([1, 2, 3], over: pipe, deadline: TransportDeadline(.milliseconds(20)))) {
            guard case .timeout = $0 as? PrinterTransportError else { return XCTFail("\($0)") }
        }
    }

    func testRepliesAreReassembledFromPackets() throws {
        let framing = USBBulkFraming(readPackets: 2, continuationTimeout: .milliseconds(30))
        var assembler = EscapeReplyAssembler()

        // A short packet ends a reply with no terminator.
        let pipe = FakeBulkPipe(in: 8)
        pipe.queue(Array("OK".utf8))
        XCTAssertEqual(try framing.receiveReply(over: pipe, assembler: &assembler, deadline: deadline()), Array("OK".utf8))
        XCTAssertEqual(pipe.inCalls.first?.maxLength, 16)

        // A reply over several packets, ended by a zero-length packet after a full one.
        pipe.queue(Array("SMART CARD READY".utf8), zeroLengthPacket: true)
        XCTAssertEqual(try framing.receiveReply(over: pipe, assembler: &assembler, deadline: deadline()),
                       Array("SMART CARD READY".utf8))

        // Terminators cut replies inside one transfer; the second waits in the assembler.
        pipe.queue(Array("OK\r5,00 V\r".utf8))
        XCTAssertEqual(try framing.receiveReply(over: pipe, assembler: &assembler, deadline: deadline()), Array("OK".utf8))
        XCTAssertEqual(try framing.receiveReply(over: pipe, assembler: &assembler, deadline: deadline()), Array("5,00 V".utf8))

        // Full packets with neither terminator nor zero-length packet: the pause ends the reply.
        pipe.queue(Array("CONTACTLESS CARD".utf8))
        let started = ContinuousClock.now
        XCTAssertEqual(try framing.receiveReply(over: pipe, assembler: &assembler, deadline: deadline()),
                       Array("CONTACTLESS CARD".utf8))
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(1))
    }

    func testNoReplyIsATimeoutAndAStallIsAUSBError() {
        var assembler = EscapeReplyAssembler()
        let pipe = FakeBulkPipe()
        XCTAssertThrowsError(try USBBulkFraming().receiveReply(over: pipe, assembler: &assembler,
                                                               deadline: TransportDeadline(.milliseconds(30)))) {
            XCTAssertEqual($0 as? PrinterTransportError, .timeout("waiting for the printer's reply"))
        }
        pipe.inError = .pipe
        XCTAssertThrowsError(try USBBulkFraming().receiveReply(over: pipe, assembler: &assembler, deadline: deadline())) {
            XCTAssertEqual($0 as? PrinterTransportError, .usb(call: "libusb_bulk_transfer (IN)", error: .pipe))
        }
    }

    func testTransportExchangesAndReopensAfterAFailure() throws {
        let opened = Mutex(0)
        let pipes = Mutex<[FakeBulkPipe]>([])
        let transport = USBPrinterTransport(configuration: .init()) { () throws(PrinterTransportError) -> any USBBulkPipe in
            let pipe = FakeBulkPipe(out: 64, in: 64)
            pipe.autoReply = { $0 == EscapeCommand.readCardPosition.bytes ? Array("SMART CARD".utf8) : Array("OK".utf8) }
            opened.withLock { $0 += 1 }
            pipes.withLock { $0.append(pipe) }
            return pipe
        }
        XCTAssertEqual(opened.withLock { $0 }, 0, "nothing opens before the first command")
        XCTAssertEqual(try transport.exchange(.readCardPosition, timeout: .seconds(1)), .value("SMART CARD"))
        XCTAssertEqual(try transport.exchange(.startSequence, timeout: .seconds(1)), .ok)
        XCTAssertEqual(opened.withLock { $0 }, 1)

        pipes.withLock { $0[0].inError = .noDevice }  // unplugged
        XCTAssertThrowsError(try transport.exchange(.startSequence, timeout: .seconds(1)))
        XCTAssertEqual(pipes.withLock { $0[0].closed }, 1)
        XCTAssertEqual(try transport.exchange(.readCardPosition, timeout: .seconds(1)), .value("SMART CARD"))
        XCTAssertEqual(opened.withLock { $0 }, 2, "plugged in again: opened again")
        transport.close()
        XCTAssertEqual(pipes.withLock { $0[1].closed }, 1)
    }

    func testDeviceSelectorParsing() {
        XCTAssertEqual(USBPrinterTransport.DeviceSelector(parsing: "0f49"), .evolis)
        XCTAssertEqual(USBPrinterTransport.DeviceSelector(parsing: "0f49:0a00"), .init(vendorID: 0x0F49, productID: 0x0A00))
        XCTAssertEqual(USBPrinterTransport.DeviceSelector(parsing: "001/004"), .busAddress(bus: 1, address: 4))
        XCTAssertEqual(USBPrinterTransport.DeviceSelector(parsing: "/dev/bus/usb/003/017"), .busAddress(bus: 3, address: 17))
        for bad in ["", "f49", "0f49:", "0f49:0a00:1", "1/2/3", "x/4", "zzzz"] {
            XCTAssertNil(USBPrinterTransport.DeviceSelector(parsing: bad), bad)
        }
        let printer = USBDeviceInfo(bus: 1, address: 4, vendorID: 0x0F49, productID: 0x0A00, portPath: [1, 4], hasPrinterInterface: true)
        XCTAssertTrue(USBPrinterTransport.DeviceSelector.evolis.matches(printer))
        XCTAssertFalse(USBPrinterTransport.DeviceSelector(vendorID: 0x0A5F).matches(printer))
        XCTAssertTrue(USBPrinterTransport.DeviceSelector.busAddress(bus: 1, address: 4).matches(printer))
        XCTAssertEqual(printer.description, "usb 0f49:0a00 bus 1 address 4 port 1.4 (printer class)")
    }

    func testListingDevicesWorksWithoutAPrinter() throws {
        // libusb itself runs here; the machine may have no USB devices at all.
        do {
            let devices = try USBPrinterTransport.devices()
            XCTAssertFalse(devices.contains { $0.vendorID == 0 && $0.productID == 0 && $0.bus == 0 })
        } catch {
            // A container without /dev/bus/usb: libusb_init fails; that is an error, not a trap.
            XCTAssertEqual((error as? PrinterTransportError)?.printerError(during: .status).code, -3001)
        }
        XCTAssertThrowsError(try USBPrinterTransport(configuration: .init(selector: .init(vendorID: 0xFFFE)))
            .send(EscapeCommand.readCardPosition.bytes, timeout: .seconds(1)))
    }
}
