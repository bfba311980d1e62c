import CardManagement
import Foundation
import SSCardDriver
import SSCardPrinter

/// The composition root: the one place that turns configuration into concrete parts — the
/// card security module, the printer backend and the card-management system. The kinds are
/// enums decoded once with the configuration; here each is switched on once. A station is
/// made of these parts (`Station.open`, InstantIssue); the C library uses the driver's.
///
/// `simulation` supplies the simulated kinds (virtual printer, simulated HSM, embedded
/// card-management system). The C library assembles with `.production`, where asking for a
/// simulated kind is a configuration error that says how to reach the simulator over its seam
/// instead (docs/c-abi.md).
public struct DeskAssembly: Sendable {
    public let simulation: (any DeskSimulation)?

    public init(simulation: (any DeskSimulation)?) {
        self.simulation = simulation
    }

    /// Real parts only: what libSSCardDriver.so uses.
    public static let production = DeskAssembly(simulation: nil)

    /// The driver a driver configuration describes, with its security module and printer. A
    /// configuration with a key out of range (`DriverConfiguration.problems`) is refused whole.
    public func driver(_ configuration: DriverConfiguration) throws(ConfigurationError) -> SSCardInterface {
        try configuration.validate()
        return SSCardInterface(configuration: configuration, securityModule: try securityModule(configuration),
                               printer: try printer(configuration.printer))
    }

    /// The terminal's security module (`securityModule` of the driver configuration).
    public func securityModule(_ configuration: DriverConfiguration) throws(ConfigurationError) -> (any CardSecurityModule)? {
        switch configuration.securityModule {
        case .none:
            return nil
        case .simulated:
            guard let simulation else {
                throw .invalid(path: "securityModule", reason: Self.simulatedHSMAbsent)
            }
            return simulation.securityModule()
        case .province:
            guard let link = configuration.province else {
                throw .invalid(path: "province", reason: "securityModule \"province\" needs province.url (docs/configuration.md)")
            }
            try Self.checkCredential(link.credentialFile, key: "province.credentialFile")
            return CardManagementSecurityModule(
                system: CardManagementHTTPClient(baseURL: link.url, timeout: link.timeoutSeconds,
                                                 credentialFile: link.credentialFile, caFile: link.caFile),
                terminalNumber: link.terminal)
        }
    }

    /// The card printer (`printer` of the driver configuration); nil for `none`.
    public func printer(_ settings: DriverConfiguration.PrinterSettings) throws(ConfigurationError) -> (any CardPrinterMechanics)? {
        let problems = settings.problems()
        guard problems.isEmpty else {
            throw .invalid(path: "(driver configuration)", reason: problems.map(\.description).joined(separator: "; "))
        }
        switch settings.kind {
        case .virtual:
            // In process: no Escape traffic, the chip served into vpcd.
            guard let simulation else {
                throw .invalid(path: "printer.kind", reason: Self.virtualPrinterAbsent)
            }
            return simulation.virtualPrinter(encoderSlot: settings.virtualEncoderSlot)
        case .escapeTCP:
            // Escape over a socket, e.g. to `issue-station vprinter`.
            let endpoint = SocketPrinterTransport.Endpoint.tcp(
                host: settings.escapeHost ?? "127.0.0.1", port: settings.escapePort ?? DriverConfiguration.PrinterSettings.defaultEscapePort)
            return EscapePrinter(transport: SocketPrinterTransport(endpoint: endpoint),
                                 configuration: .init(hopperCount: settings.hopperCount))
        case .evolisUSB:
            let vendor = settings.usbVendorID.flatMap(DriverConfiguration.PrinterSettings.usbID) ?? 0x0F49
            let product = settings.usbProductID.flatMap(DriverConfiguration.PrinterSettings.usbID)
            return EscapePrinter(
                transport: USBPrinterTransport(configuration: .init(selector: .init(vendorID: vendor, productID: product))),
                configuration: .init(hopperCount: settings.hopperCount))
        case .none:
            return nil
        }
    }

    /// The card-management system `setting` names; the embedded simulator keeps its state at
    /// `simulatorDatabasePath`.
    public func cardManagement(_ setting: CardManagementSetting, simulatorDatabasePath: String) throws -> any CardManagementSystem {
        switch setting.kind {
        case .http:
            guard setting.timeoutSeconds > 0, setting.timeoutSeconds <= 600 else {
                throw ConfigurationError.invalid(path: "cardManagement.timeoutSeconds", reason: "\(setting.timeoutSeconds) is not above 0 and at most 600 seconds")
            }
            guard let url = setting.url.flatMap(URL.init(string:)) else {
                throw ConfigurationError.invalid(path: "cardManagement.url", reason: "an http card-management system needs a url")
            }
            try Self.checkCredential(setting.credentialFile, key: "cardManagement.credentialFile")
            return CardManagementHTTPClient(baseURL: url, timeout: setting.timeoutSeconds,
                                            credentialFile: setting.credentialFile, caFile: setting.caFile)
        case .embedded:
            guard let simulation else {
                throw ConfigurationError.invalid(path: "cardManagement.kind", reason: "the embedded simulator is not part of this program; use http")
            }
            try PrivateFile.makeFolder(URL(fileURLWithPath: simulatorDatabasePath).deletingLastPathComponent().path)
            return try simulation.embeddedCardManagement(databasePath: simulatorDatabasePath)
        }
    }

    /// A named credential file must be readable, 0600 and well formed now, not at the first
    /// call. The client reads it again for every call (and wipes it); this copy goes at once.
    static func checkCredential(_ path: String?, key: String) throws(ConfigurationError) {
        guard let path else { return }
        do { _ = try DeskCredential.load(path: path) } catch {
            throw .invalid(path: key, reason: "\(error)")
        }
    }

    static let simulatedHSMAbsent =
        "the simulated HSM is not part of this library; run `issue-station province-sim` and set securityModule \"province\" with province.url (docs/c-abi.md)"
    static let virtualPrinterAbsent =
        "the in-process virtual printer is not part of this library; run `issue-station vprinter` and set printer.kind \"escape-tcp\" (docs/c-abi.md)"
}
