import SSCardDriver
import Synchronization

/// The contact station's chip contacts: pressing them onto a card puts its chip into the
/// encoder's reader; lifting them takes it out. Behind a protocol so unit tests of the virtual
/// printer need no vpcd socket.
package protocol ChipContact: Sendable {
    /// Makes `card` present in the encoder's reader; returns once the reader end accepted it.
    func press(onto card: SimulatedSSCard) throws(PrinterError)
    /// Takes the card out of the reader; returns once it is out. No effect when none is in.
    func lift()
}

/// The contact station of the virtual printer served through vpcd: a `VPCDConnector` per
/// pressed card, started on `press`, stopped on `lift`.
final class VPCDChipContact: ChipContact {
    let configuration: VPCDConnector.Configuration
    let connectTimeout: Duration
    private let connector = Mutex<VPCDConnector?>(nil)

    init(configuration: VPCDConnector.Configuration, connectTimeout: Duration) {
        self.configuration = configuration
        self.connectTimeout = connectTimeout
    }

    func press(onto card: SimulatedSSCard) throws(PrinterError) {
        lift()
        let next = VPCDConnector(card: card, configuration: configuration)
        do {
            try next.start(timeout: connectTimeout)
        } catch {
            throw .notConnected(reason: "chip encoder: \(error)", underlying: ErrorCause(error))
        }
        connector.withLock { $0 = next }
    }

    func lift() {
        let current = connector.withLock { c -> VPCDConnector? in
            defer { c = nil }
            return c
        }
        current?.stop()
    }
}

/// A contact station wired to nothing: the card is reachable only in process
/// (`VirtualPrinter.cardAtContactStation`).
struct UnwiredChipContact: ChipContact {
    func press(onto card: SimulatedSSCard) throws(PrinterError) {}
    func lift() {}
}
