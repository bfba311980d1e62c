import ArgumentParser
import SSCardDriver
import DeskAssembly
import SimulatedDesk

/// `issue-station printer`: the card printer (制卡机) for technicians — its sensors and a test card.
struct PrinterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "printer",
        abstract: Messages.printerAbstract,
        discussion: Messages.printerDiscussion,
        subcommands: [PrinterStatusCommand.self, PrinterTestPrintCommand.self])
}

/// The printer the driver configuration names (`printer.kind`), or a clear refusal.
enum StationPrinter {
    static func make(_ setup: StationSetup) throws -> (any CardPrinterMechanics, DriverConfiguration) {
        let driver = try setup.driverConfiguration()
        guard let printer = try DeskAssembly.withSimulators.printer(driver.printer) else { throw PrinterCommandError.noPrinter }
        return (printer, driver)
    }

    /// `escape-tcp 127.0.0.1:35970`, `evolis-usb 0f49`, `virtual`.
    static func describe(_ settings: DriverConfiguration.PrinterSettings) -> String {
        switch settings.kind {
        case .escapeTCP: "escape-tcp \(settings.escapeHost ?? "127.0.0.1"):\(settings.escapePort ?? DriverConfiguration.PrinterSettings.defaultEscapePort)"
        case .evolisUSB: "evolis-usb \(settings.usbVendorID ?? "0f49")" + (settings.usbProductID.map { ":\($0)" } ?? "")
        case .virtual, .none: settings.kind.rawValue
        }
    }
}

enum PrinterCommandError: AdvisedError {
    case noPrinter

    var advice: ErrorAdvice {
        ErrorAdvice(Localized("驱动配置中没有制卡机（printer.kind 为 none）", "The driver configuration has no card printer (printer.kind is none)"),
                    next: Localized("请技术员在 driver.json 中设置 printer.kind（docs/configuration.md）", "ask the technician to set printer.kind in driver.json (docs/configuration.md)"))
    }
}
