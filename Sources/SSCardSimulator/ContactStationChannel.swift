import Synchronization
import SSCardDriver

/// The chip at the virtual printer's contact station, reached in process instead of through
/// pcscd: what the encoder reader of an unwired printer (`ChipContactSetting.unwired`) sees.
/// Benchmarks use it to measure the station's own time per card without pcscd's 400 ms
/// presence poll. Each card that arrives is powered on afresh, as a reader would.
public final class ContactStationChannel: CardChannel {
    private let printer: VirtualPrinter
    private let powered = Mutex<ObjectIdentifier?>(nil)

    public init(printer: VirtualPrinter) {
        self.printer = printer
    }

    public var atr: [UInt8] {
        get throws { try card().atr }
    }

    public func transmitRaw(_ command: [UInt8]) throws -> [UInt8] {
        try card().process(command)
    }

    /// The card at the contact station, powered on when it is a new one; none is "no card".
    private func card() throws -> SimulatedSSCard {
        guard let card = printer.cardAtContactStation else { throw PCSCError.noSmartcard }
        let fresh = powered.withLock { last in
            defer { last = ObjectIdentifier(card) }
            return last != ObjectIdentifier(card)
        }
        if fresh { card.powerOn() }
        return card
    }
}
