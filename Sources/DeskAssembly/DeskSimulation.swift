import CardManagement
import SSCardDriver

/// The simulated parts a configuration may name: the in-process virtual printer, the HSM of the
/// simulation scheme, and the embedded province card-management system. Production libraries
/// never hold them: the programs and tests hand them to `DeskAssembly` (the `SimulatedDesk`
/// module has the implementation), and the C library assembles without them.
public protocol DeskSimulation: Sendable {
    /// A virtual printer stocked with pre-made cards, its contact station on vpcd slot `encoderSlot`.
    func virtualPrinter(encoderSlot: Int) -> any CardPrinterMechanics
    /// The HSM of the simulation scheme, with the public test keys.
    func securityModule() -> any CardSecurityModule
    /// The embedded province card-management system keeping its state at `databasePath`.
    func embeddedCardManagement(databasePath: String) throws -> any CardManagementSystem
}
