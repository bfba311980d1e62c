import SSCardDriver
import Synchronization

/// A printer link over USB with libusb-1.0: the bulk OUT and bulk IN endpoints of the
/// printer's USB printer-class interface (class 07), for Evolis printers (vendor 0x0f49) that
/// speak the Escape language. USB 链路.
///
/// Opening finds the device (`DeviceSelector`: vendor/product id, or bus and address), picks
/// its printer-class interface with a bulk OUT and a bulk IN endpoint, asks libusb to detach
/// the kernel's `usblp` driver for as long as the interface is claimed
/// (`libusb_set_auto_detach_kernel_driver`; where that is not supported,
/// `libusb_detach_kernel_driver` and a re-attach on close), and claims it. The device node
/// must be writable by the station's user: udev/60-sscard.rules gives vendor 0f49 to group
/// `sscard` (docs/escape-protocol.md).
///
/// Framing: a command is written as bulk OUT transfers of at most `maxTransferSize` bytes (a
/// multiple of the endpoint's max packet size, so only the last packet of a command is short),
/// optionally followed by a zero-length packet when the command is a whole number of packets.
/// A transfer that times out part-way is continued from where it stopped until the deadline.
/// Replies are read as bulk IN transfers of `readPackets` packets; a reply ends at CR, LF or
/// NUL, or where a transfer ended short (a short packet or a zero-length packet), or when no
/// further packet follows a full one within `continuationTimeout`.
///
/// Every call blocks in libusb's synchronous API up to its timeout: call it off the Swift
/// cooperative pool. Calls are serialised by a lock. A libusb failure closes the device; the
/// next `send` opens it again (a printer switched off and on is found again).
public final class USBPrinterTransport: PrinterTransport {
    /// Which USB device is the printer.
    public struct DeviceSelector: Hashable, Sendable, CustomStringConvertible {
        public var vendorID: UInt16?
        public var productID: UInt16?
        public var bus: UInt8?
        public var address: UInt8?

        public init(vendorID: UInt16? = nil, productID: UInt16? = nil, bus: UInt8? = nil, address: UInt8? = nil) {
            self.vendorID = vendorID
            self.productID = productID
            self.bus = bus
            self.address = address
        }

        /// Any Evolis device (vendor 0x0f49) with a printer-class interface: the first found.
        public static let evolis = DeviceSelector(vendorID: 0x0F49)

        /// The device at `bus` and `address` (as `lsusb` and `/dev/bus/usb/BBB/AAA` show them).
        public static func busAddress(bus: UInt8, address: UInt8) -> DeviceSelector {
            DeviceSelector(bus: bus, address: address)
        }

        /// Parses `0f49`, `0f49:0a00` (hex vendor[:product]), `001/004` or `/dev/bus/usb/001/004`
        /// (bus/address, decimal); nil for anything else.
        public init?(parsing text: String) {
            let t = text.hasPrefix("/dev/bus/usb/") ? String(text.dropFirst("/dev/bus/usb/".count)) : text
            if t.contains("/") {
                let parts = t.split(separator: "/")
                guard parts.count == 2, let b = UInt8(parts[0]), let a = UInt8(parts[1]) else { return nil }
                self.init(bus: b, address: a)
            } else {
                let parts = t.split(separator: ":", omittingEmptySubsequences: false)
                guard (1...2).contains(parts.count), parts.allSatisfy({ $0.count == 4 }),
                      let v = UInt16(parts[0], radix: 16) else { return nil }
                var p: UInt16?
                if parts.count == 2 {
                    guard let pp = UInt16(parts[1], radix: 16) else { return nil }
                    p = pp
                }
                self.init(vendorID: v, productID: p)
            }
        }

        /// Whether `device` is one this selector means.
        public func matches(_ device: USBDeviceInfo) -> Bool {
            (vendorID.map { $0 == device.vendorID } ?? true) && (productID.map { $0 == device.productID } ?? true)
                && (bus.map { $0 == device.bus } ?? true) && (address.map { $0 == device.address } ?? true)
        }

        public var description: String {
            var parts: [String] = []
            if let vendorID { parts.append("vendor \(hex4(vendorID))") }
            if let productID { parts.append("product \(hex4(productID))") }
            if let bus { parts.append("bus \(bus)") }
            if let address { parts.append("address \(address)") }
            return parts.isEmpty ? "any USB device" : parts.joined(separator: ", ")
        }
    }

    /// How the link is found and framed.
    public struct Configuration: Hashable, Sendable {
        public var selector: DeviceSelector
        /// The interface to claim; nil = the first printer-class interface with bulk OUT and IN.
        public var interfaceNumber: Int?
        /// Largest bulk OUT transfer, rounded down to a multiple of the max packet size (a
        /// 400 KB colour panel goes as many transfers). Default 16 KiB.
        public var maxTransferSize: Int
        /// Send a zero-length packet after a command that fills its last packet exactly. Off by
        /// default: the printer class is a byte stream and the Escape CR ends a command.
        public var sendsZeroLengthPacket: Bool
        /// Packets asked for by one bulk IN transfer.
        public var readPackets: Int
        /// How long to wait for another packet after a full one before taking the reply as whole.
        public var continuationTimeout: Duration
        /// Detach the kernel's `usblp` driver while the interface is claimed.
        public var detachesKernelDriver: Bool

        public init(selector: DeviceSelector = .evolis, interfaceNumber: Int? = nil, maxTransferSize: Int = 16_384,
                    sendsZeroLengthPacket: Bool = false, readPackets: Int = 8,
                    continuationTimeout: Duration = .milliseconds(100), detachesKernelDriver: Bool = true) {
            precondition(maxTransferSize > 0 && readPackets > 0, "transfer sizes must be positive")
            self.selector = selector
            self.interfaceNumber = interfaceNumber
            self.maxTransferSize = maxTransferSize
            self.sendsZeroLengthPacket = sendsZeroLengthPacket
            self.readPackets = readPackets
            self.continuationTimeout = continuationTimeout
            self.detachesKernelDriver = detachesKernelDriver
        }

        var framing: USBBulkFraming {
            USBBulkFraming(maxTransferSize: maxTransferSize, sendsZeroLengthPacket: sendsZeroLengthPacket,
                           readPackets: readPackets, continuationTimeout: continuationTimeout)
        }
    }

    public let configuration: Configuration
    private let opener: @Sendable () throws(PrinterTransportError) -> any USBBulkPipe

    private struct Link {
        var pipe: (any USBBulkPipe)?
        var replies = EscapeReplyAssembler()
    }

    // The pipe is a class used only under this lock.
    private let link = Mutex(Link())

    /// A transport to the device `configuration.selector` names; nothing is opened until the
    /// first `send`.
    public convenience init(configuration: Configuration = Configuration()) {
        self.init(configuration: configuration) { () throws(PrinterTransportError) -> any USBBulkPipe in
            try LibUSBPrinterPipe.open(configuration)
        }
    }

    /// A transport over pipes that `opener` makes (tests use a fake endpoint pair).
    package init(configuration: Configuration, opener: @escaping @Sendable () throws(PrinterTransportError) -> any USBBulkPipe) {
        self.configuration = configuration
        self.opener = opener
    }

    deinit {
        close()
    }

    /// The USB devices present, with whether each has a printer-class interface
    /// (`libusb_get_device_list`): for a technician looking for the printer.
    public static func devices() throws(PrinterTransportError) -> [USBDeviceInfo] {
        try LibUSBPrinterPipe.listDevices()
    }

    public var endpointDescription: String {
        link.withLock { $0.pipe?.description } ?? "usb \(configuration.selector)"
    }

    public func send(_ bytes: [UInt8], timeout: Duration) throws(PrinterTransportError) {
        let deadline = TransportDeadline(timeout)
        try link.withLock { l throws(PrinterTransportError) in
            let pipe = try openedPipe(&l)
            do throws(PrinterTransportError) {
                try configuration.framing.send(bytes, over: pipe, deadline: deadline)
            } catch {
                Self.drop(&l)
                throw error
            }
        }
    }

    public func receiveReply(timeout: Duration) throws(PrinterTransportError) -> [UInt8] {
        let deadline = TransportDeadline(timeout)
        return try link.withLock { l throws(PrinterTransportError) -> [UInt8] in
            guard let pipe = l.pipe else { throw .closed("the USB device is not open") }
            do throws(PrinterTransportError) {
                return try configuration.framing.receiveReply(over: pipe, assembler: &l.replies, deadline: deadline)
            } catch {
                if case .timeout = error {} else { Self.drop(&l) }
                throw error
            }
        }
    }

    public func discardPendingInput() {
        link.withLock { l in
            l.replies.reset()
            guard let pipe = l.pipe else { return }
            configuration.framing.drain(pipe)
        }
    }

    public func close() {
        link.withLock { Self.drop(&$0) }
    }

    private func openedPipe(_ l: inout Link) throws(PrinterTransportError) -> any USBBulkPipe {
        if let pipe = l.pipe { return pipe }
        let pipe = try opener()
        l.pipe = pipe
        l.replies.reset()
        return pipe
    }

    private static func drop(_ l: inout Link) {
        l.pipe?.close()
        l.pipe = nil
        l.replies.reset()
    }
}

/// A USB device as libusb lists it.
public struct USBDeviceInfo: Hashable, Sendable, CustomStringConvertible {
    public var bus: UInt8
    public var address: UInt8
    public var vendorID: UInt16
    public var productID: UInt16
    /// Port numbers from the root hub (`libusb_get_port_numbers`), e.g. [1, 4].
    public var portPath: [UInt8]
    /// It has an interface of class 07 (printer).
    public var hasPrinterInterface: Bool

    public init(bus: UInt8, address: UInt8, vendorID: UInt16, productID: UInt16, portPath: [UInt8] = [],
                hasPrinterInterface: Bool) {
        self.bus = bus
        self.address = address
        self.vendorID = vendorID
        self.productID = productID
        self.portPath = portPath
        self.hasPrinterInterface = hasPrinterInterface
    }

    public var description: String {
        let port = portPath.isEmpty ? "" : " port \(portPath.map(String.init).joined(separator: "."))"
        return "usb \(hex4(vendorID)):\(hex4(productID)) bus \(bus) address \(address)\(port)"
            + (hasPrinterInterface ? " (printer class)" : "")
    }
}

// MARK: Framing over bulk endpoints (no libusb here: tests drive it with a fake pipe)

/// One claimed printer interface: its bulk OUT and bulk IN endpoints. libusb's
/// `libusb_bulk_transfer` behind it for a real device; a fake in the tests.
package protocol USBBulkPipe: AnyObject, CustomStringConvertible {
    /// wMaxPacketSize of the bulk OUT endpoint (64 at full speed, 512 at high speed).
    var maxPacketSizeOut: Int { get }
    /// wMaxPacketSize of the bulk IN endpoint.
    var maxPacketSizeIn: Int { get }
    /// One bulk OUT transfer of `bytes` (empty = a zero-length packet): how many bytes went,
    /// and the error, if any (a timeout may come after part of the bytes went).
    func bulkOut(_ bytes: ArraySlice<UInt8>, timeoutMilliseconds: Int) -> (transferred: Int, error: LibUSBError?)
    /// One bulk IN transfer of at most `maxLength` bytes: what came, and the error, if any (a
    /// timeout may come with bytes).
    func bulkIn(maxLength: Int, timeoutMilliseconds: Int) -> (bytes: [UInt8], error: LibUSBError?)
    /// Releases the interface (re-attaching `usblp`) and closes the device. Idempotent.
    func close()
}

/// How commands are cut into bulk OUT transfers and replies gathered from bulk IN transfers.
package struct USBBulkFraming: Hashable, Sendable {
    package var maxTransferSize: Int
    package var sendsZeroLengthPacket: Bool
    package var readPackets: Int
    package var continuationTimeout: Duration

    package init(maxTransferSize: Int = 16_384, sendsZeroLengthPacket: Bool = false, readPackets: Int = 8,
                 continuationTimeout: Duration = .milliseconds(100)) {
        self.maxTransferSize = maxTransferSize
        self.sendsZeroLengthPacket = sendsZeroLengthPacket
        self.readPackets = readPackets
        self.continuationTimeout = continuationTimeout
    }

    /// The sizes of the bulk OUT transfers that carry `count` bytes with packets of
    /// `maxPacketSize`: full transfers of the largest multiple of the packet size not above
    /// `maxTransferSize` (at least one packet), the rest, and a 0 for the zero-length packet
    /// when asked for and the last packet is full.
    package func transferSizes(for count: Int, maxPacketSize: Int) -> [Int] {
        precondition(maxPacketSize > 0, "an endpoint has a positive max packet size")
        let chunk = max(maxPacketSize, maxTransferSize / maxPacketSize * maxPacketSize)
        var sizes = Array(repeating: chunk, count: count / chunk)
        if count % chunk != 0 { sizes.append(count % chunk) }
        if sendsZeroLengthPacket && count % maxPacketSize == 0 { sizes.append(0) }
        return sizes
    }

    /// Writes `bytes` as `transferSizes` transfers, continuing a transfer cut by a timeout until
    /// the deadline.
    package func send(_ bytes: [UInt8], over pipe: any USBBulkPipe, deadline: TransportDeadline) throws(PrinterTransportError) {
        var offset = 0
        for size in transferSizes(for: bytes.count, maxPacketSize: pipe.maxPacketSizeOut) {
            var done = 0
            repeat {
                let (n, error) = pipe.bulkOut(bytes[(offset + done)..<(offset + size)],
                                              timeoutMilliseconds: deadline.remainingMilliseconds(minimum: 1))
                done += max(0, n)
                if let error {
                    if error == .timeout && !deadline.hasPassed { continue }
                    if error == .timeout {
                        throw .timeout("sending to the printer (\(offset + done) of \(bytes.count) bytes sent)")
                    }
                    throw .usb(call: "libusb_bulk_transfer (OUT)", error: error)
                }
            } while done < size
            offset += size
        }
    }

    /// Reads until `assembler` holds a whole reply, and returns it.
    package func receiveReply(over pipe: any USBBulkPipe, assembler: inout EscapeReplyAssembler,
                              deadline: TransportDeadline) throws(PrinterTransportError) -> [UInt8] {
        let request = readPackets * pipe.maxPacketSizeIn
        var afterFullTransfer = false
        while true {
            if let reply = assembler.nextReply() { return reply }
            if deadline.hasPassed { throw .timeout("waiting for the printer's reply") }
            var wait = deadline.remainingMilliseconds(minimum: 1)
            if afterFullTransfer && assembler.partialByteCount > 0 {
                wait = min(wait, TransportDeadline(continuationTimeout).remainingMilliseconds(minimum: 1))
            }
            let (bytes, error) = pipe.bulkIn(maxLength: request, timeoutMilliseconds: wait)
            assembler.append(bytes)
            switch error {
            case nil:
                // A transfer shorter than asked for ended with a short or zero-length packet.
                afterFullTransfer = bytes.count == request
                if !afterFullTransfer { assembler.endOfTransfer() }
            case let error? where error == .timeout:
                // Nothing more came: what was gathered is the whole reply.
                if assembler.partialByteCount > 0 && (afterFullTransfer || !bytes.isEmpty) { assembler.endOfTransfer() }
                afterFullTransfer = false
            case let error?:
                throw .usb(call: "libusb_bulk_transfer (IN)", error: error)
            }
        }
    }

    /// Reads and drops whatever the printer has already sent (at most 64 transfers).
    package func drain(_ pipe: any USBBulkPipe) {
        for _ in 0..<64 {
            let (bytes, error) = pipe.bulkIn(maxLength: readPackets * pipe.maxPacketSizeIn, timeoutMilliseconds: 1)
            if error != nil || bytes.isEmpty { return }
        }
    }
}

fileprivate func hex4(_ v: UInt16) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: max(0, 4 - s.count)) + s
}
