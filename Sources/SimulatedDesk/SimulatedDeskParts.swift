import CardManagement
import DeskAssembly
import ProvinceSimulator
import SSCardDriver
import SSCardSimulator

/// The simulators behind the composition root's simulated kinds: the in-process virtual
/// printer (`printer.kind` "virtual"), the HSM of the simulation scheme (`securityModule`
/// "simulated") and the embedded province system (`cardManagement.kind` "embedded").
public struct SimulatedDeskParts: DeskSimulation {
    public init() {}

    public func virtualPrinter(encoderSlot: Int) -> any CardPrinterMechanics {
        VirtualPrinter.stocked(encoderSlot: encoderSlot)
    }

    public func securityModule() -> any CardSecurityModule {
        SimulatedHSM()
    }

    public func embeddedCardManagement(databasePath: String) throws -> any CardManagementSystem {
        try SimulatedCardManagementSystem(path: databasePath)
    }
}

extension DeskAssembly {
    /// Real parts, plus the simulators where the configuration names them: for issue-station,
    /// sscard-bench and the tests.
    public static let withSimulators = DeskAssembly(simulation: SimulatedDeskParts())
}
