import SSCardDriver

/// A `CardChannel` straight to a `VirtualCard` in the same process: no pcscd, no vpcd.
/// Like a reader, it powers the card on when it connects.
public final class SimulatedCardChannel: CardChannel {
    /// The card in the "reader".
    public let card: any VirtualCard

    /// Connects to `card` and powers it on (a cold reset).
    public init(card: any VirtualCard) {
        self.card = card
        card.powerOn()
    }

    public var atr: [UInt8] { card.atr }

    /// One exchange as given; T=0 completion is `transmit`'s job.
    public func transmitRaw(_ command: [UInt8]) throws -> [UInt8] {
        card.process(command)
    }
}
