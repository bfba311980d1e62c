import SSCardDriver

/// The printer backend a `DriverConfiguration` names (docs/configuration.md): the one place that
/// turns `printer.kind` into a `CardPrinterMechanics`, for the C ABI and the station alike. It
/// lives beside the simulators because the "virtual" kind is one of them.
public enum PrinterBackend {
    public static func make(_ settings: DriverConfiguration.PrinterSettings) throws(ConfigurationError) -> (any CardPrinterMechanics)? {
        switch settings.kind {
        case "virtual":
            // In process: no Escape traffic, the chip served into vpcd.
            return VirtualPrinter.stocked(encoderSlot: settings.virtualEncoderSlot)
        case "escape-tcp":
            // Escape over a socket, e.g. to `issue-station vprinter`.
            let port = settings.escapePort ?? VirtualPrinterServer.Listen.defaultPort
            return EscapePrinter(
                transport: SocketPrinterTransport(endpoint: .tcp(host: settings.escapeHost ?? "127.0.0.1", port: port)),
                configuration: .init(hopperCount: settings.hopperCount))
        case "evolis-usb":
            let vendor = settings.usbVendorID.flatMap { UInt16($0, radix: 16) } ?? 0x0F49
            let product = settings.usbProductID.flatMap { UInt16($0, radix: 16) }
            return EscapePrinter(
                transport: USBPrinterTransport(configuration: .init(selector: .init(vendorID: vendor, productID: product))),
                configuration: .init(hopperCount: settings.hopperCount))
        case "none":
            return nil
        default:
            throw .invalid(path: "printer.kind", reason: "\"\(settings.kind)\" is not virtual, escape-tcp, evolis-usb or none")
        }
    }
}
