import SSCardDriver
import CLibUSB

/// The libusb-1.0 side of `USBPrinterTransport`: one context, one opened device, one claimed
/// printer-class interface. All C types stay in this file.
///
/// Owned by the transport and used only under its lock; `close()` (also from `deinit`)
/// releases the interface, which lets libusb re-attach `usblp`, closes the handle and exits
/// the context.
final class LibUSBPrinterPipe: USBBulkPipe {
    private var context: OpaquePointer?
    private var handle: OpaquePointer?
    let interfaceNumber: Int32
    let endpointOut: UInt8
    let endpointIn: UInt8
    let maxPacketSizeOut: Int
    let maxPacketSizeIn: Int
    /// The kernel driver was detached by hand (auto-detach unsupported): re-attach on close.
    private var reattachKernelDriver = false
    let device: USBDeviceInfo

    private init(context: OpaquePointer?, handle: OpaquePointer?, device: USBDeviceInfo, interface: PrinterInterface) {
        self.context = context
        self.handle = handle
        self.device = device
        interfaceNumber = Int32(interface.number)
        endpointOut = interface.endpointOut
        endpointIn = interface.endpointIn
        maxPacketSizeOut = interface.maxPacketSizeOut
        maxPacketSizeIn = interface.maxPacketSizeIn
    }

    deinit {
        close()
    }

    var description: String { device.description + " interface \(interfaceNumber)" }

    /// A printer-class interface (class 07) with a bulk OUT and a bulk IN endpoint.
    struct PrinterInterface {
        var number: Int
        var alternateSetting: Int
        var endpointOut: UInt8
        var endpointIn: UInt8
        var maxPacketSizeOut: Int
        var maxPacketSizeIn: Int
    }

    // MARK: Opening

    /// Finds, opens and claims the printer `configuration.selector` names.
    static func open(_ configuration: USBPrinterTransport.Configuration) throws(PrinterTransportError) -> LibUSBPrinterPipe {
        var context: OpaquePointer?
        try check(libusb_init(&context), "libusb_init")
        var keepContext = false
        defer { if !keepContext { libusb_exit(context) } }

        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(context, &list)
        guard count >= 0, let list else {
            throw .usb(call: "libusb_get_device_list", error: LibUSBError(rawValue: Int32(truncatingIfNeeded: count)))
        }
        defer { libusb_free_device_list(list, 1) }

        var candidates: [String] = []
        for i in 0..<count {
            guard let dev = list[i] else { continue }
            let info = describe(dev)
            guard configuration.selector.matches(info) else { continue }
            guard let interface = printerInterface(of: dev, number: configuration.interfaceNumber) else {
                candidates.append("\(info) has no printer-class interface with bulk OUT and IN")
                continue
            }
            var handle: OpaquePointer?
            try check(libusb_open(dev, &handle), "libusb_open \(info)")
            var claimed = false
            defer { if !claimed { libusb_close(handle) } }

            var reattach = false
            if configuration.detachesKernelDriver {
                let auto = libusb_set_auto_detach_kernel_driver(handle, 1)
                if auto == LibUSBError.notSupported.rawValue {
                    if libusb_kernel_driver_active(handle, Int32(interface.number)) == 1 {
                        try check(libusb_detach_kernel_driver(handle, Int32(interface.number)), "libusb_detach_kernel_driver")
                        reattach = true
                    }
                } else {
                    try check(auto, "libusb_set_auto_detach_kernel_driver")
                }
            }
            try check(libusb_claim_interface(handle, Int32(interface.number)), "libusb_claim_interface \(interface.number) of \(info)")
            if interface.alternateSetting != 0 {
                let rc = libusb_set_interface_alt_setting(handle, Int32(interface.number), Int32(interface.alternateSetting))
                if rc < 0 { _ = libusb_release_interface(handle, Int32(interface.number)) }
                try check(rc, "libusb_set_interface_alt_setting")
            }
            claimed = true
            keepContext = true
            let pipe = LibUSBPrinterPipe(context: context, handle: handle, device: info, interface: interface)
            pipe.reattachKernelDriver = reattach
            return pipe
        }
        let why = candidates.isEmpty ? "" : " (" + candidates.joined(separator: "; ") + ")"
        throw .deviceNotFound("\(configuration.selector)\(why)")
    }

    /// Every device libusb sees.
    static func listDevices() throws(PrinterTransportError) -> [USBDeviceInfo] {
        var context: OpaquePointer?
        try check(libusb_init(&context), "libusb_init")
        defer { libusb_exit(context) }
        var list: UnsafeMutablePointer<OpaquePointer?>?
        let count = libusb_get_device_list(context, &list)
        guard count >= 0, let list else {
            throw .usb(call: "libusb_get_device_list", error: LibUSBError(rawValue: Int32(truncatingIfNeeded: count)))
        }
        defer { libusb_free_device_list(list, 1) }
        return (0..<count).compactMap { list[$0].map(describe) }
    }

    /// Bus, address, ids and port path of `dev` (`libusb_get_device_descriptor`, …).
    private static func describe(_ dev: OpaquePointer) -> USBDeviceInfo {
        var descriptor = libusb_device_descriptor()
        _ = libusb_get_device_descriptor(dev, &descriptor)
        var ports = [UInt8](repeating: 0, count: 8)
        let depth = libusb_get_port_numbers(dev, &ports, Int32(ports.count))
        return USBDeviceInfo(
            bus: libusb_get_bus_number(dev), address: libusb_get_device_address(dev),
            vendorID: descriptor.idVendor, productID: descriptor.idProduct,
            portPath: depth > 0 ? Array(ports.prefix(Int(depth))) : [],
            hasPrinterInterface: printerInterface(of: dev, number: nil, requireBothEndpoints: false) != nil)
    }

    /// The first printer-class interface (alternate setting) of the active configuration with
    /// a bulk OUT and a bulk IN endpoint (`libusb_get_active_config_descriptor`).
    private static func printerInterface(of dev: OpaquePointer, number: Int?, requireBothEndpoints: Bool = true)
        -> PrinterInterface?
    {
        var config: UnsafeMutablePointer<libusb_config_descriptor>?
        guard libusb_get_active_config_descriptor(dev, &config) == 0, let config else { return nil }
        defer { libusb_free_config_descriptor(config) }
        for i in 0..<Int(config.pointee.bNumInterfaces) {
            let interface = config.pointee.interface[i]
            for a in 0..<Int(interface.num_altsetting) {
                let alt = interface.altsetting[a]
                guard alt.bInterfaceClass == 0x07 else { continue }  // LIBUSB_CLASS_PRINTER
                if let number, Int(alt.bInterfaceNumber) != number { continue }
                var found = PrinterInterface(number: Int(alt.bInterfaceNumber), alternateSetting: Int(alt.bAlternateSetting),
                                             endpointOut: 0, endpointIn: 0, maxPacketSizeOut: 0, maxPacketSizeIn: 0)
                for e in 0..<Int(alt.bNumEndpoints) {
                    let ep = alt.endpoint[e]
                    guard ep.bmAttributes & 0x03 == 0x02 else { continue }  // LIBUSB_TRANSFER_TYPE_BULK
                    let size = Int(ep.wMaxPacketSize & 0x07FF)
                    if ep.bEndpointAddress & 0x80 != 0 {  // LIBUSB_ENDPOINT_IN
                        if found.endpointIn == 0 { found.endpointIn = ep.bEndpointAddress; found.maxPacketSizeIn = size }
                    } else if found.endpointOut == 0 {
                        found.endpointOut = ep.bEndpointAddress
                        found.maxPacketSizeOut = size
                    }
                }
                if !requireBothEndpoints || (found.endpointOut != 0 && found.endpointIn != 0
                                             && found.maxPacketSizeOut > 0 && found.maxPacketSizeIn > 0) {
                    return found
                }
            }
        }
        return nil
    }

    // MARK: Transfers

    /// `libusb_bulk_transfer` on the OUT endpoint.
    func bulkOut(_ bytes: ArraySlice<UInt8>, timeoutMilliseconds: Int) -> (transferred: Int, error: LibUSBError?) {
        guard let handle else { return (0, .noDevice) }
        var copy = Array(bytes)
        var transferred: Int32 = 0
        let rc = copy.withUnsafeMutableBufferPointer { buffer in
            libusb_bulk_transfer(handle, endpointOut, buffer.baseAddress, Int32(buffer.count), &transferred,
                                 UInt32(clamping: max(1, timeoutMilliseconds)))
        }
        return (Int(transferred), LibUSBError(code: rc))
    }

    /// `libusb_bulk_transfer` on the IN endpoint.
    func bulkIn(maxLength: Int, timeoutMilliseconds: Int) -> (bytes: [UInt8], error: LibUSBError?) {
        guard let handle else { return ([], .noDevice) }
        var buffer = [UInt8](repeating: 0, count: maxLength)
        var transferred: Int32 = 0
        let rc = buffer.withUnsafeMutableBufferPointer { b in
            libusb_bulk_transfer(handle, endpointIn, b.baseAddress, Int32(b.count), &transferred,
                                 UInt32(clamping: max(1, timeoutMilliseconds)))
        }
        return (Array(buffer.prefix(Int(transferred))), LibUSBError(code: rc))
    }

    /// `libusb_release_interface` (libusb re-attaches an auto-detached `usblp`),
    /// `libusb_attach_kernel_driver` after a manual detach, `libusb_close`, `libusb_exit`.
    func close() {
        if let handle {
            _ = libusb_release_interface(handle, interfaceNumber)
            if reattachKernelDriver { _ = libusb_attach_kernel_driver(handle, interfaceNumber) }
            libusb_close(handle)
        }
        handle = nil
        if let context { libusb_exit(context) }
        context = nil
    }

    private static func check(_ rc: Int32, _ call: String) throws(PrinterTransportError) {
        if let error = LibUSBError(code: rc) { throw .usb(call: call, error: error) }
    }
}
