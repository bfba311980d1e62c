import Foundation
import SSCardDriver

/// A desk with no hardware: a private pcscd with vpcd, and simulated cards in its two virtual
/// readers. The demo and the benchmarks start one; `close()` takes the cards out and stops
/// pcscd.
public final class VirtualDesk: Sendable {
    public let stack: VirtualReaderStack
    private let connectors: [VPCDConnector]

    /// Starts pcscd (or checks the running one when `useRunningPCSCD`), puts `cards[i]` into
    /// slot i and waits until pcscd sees each card.
    public init(cards: [any VirtualCard], useRunningPCSCD: Bool = false) throws {
        precondition(cards.count <= VPCDFraming.slotCount, "vpcd has \(VPCDFraming.slotCount) slots")
        stack = VirtualReaderStack(configuration: .init(mode: useRunningPCSCD ? .useRunning : .privatePCSCD))
        try stack.start()
        var started: [VPCDConnector] = []
        do {
            let context = try PCSCContext()
            for (slot, card) in cards.enumerated() {
                let connector = VPCDConnector(card: card, configuration: .slot(slot))
                try connector.start()
                started.append(connector)
                _ = try context.waitForCard(in: VirtualReaderStack.readerNames[slot], timeout: .seconds(10))
            }
        } catch {
            for c in started { c.stop() }
            stack.stop()
            throw error
        }
        connectors = started
    }

    /// The reader name of vpcd slot `slot`.
    public func readerName(slot: Int) -> String { VirtualReaderStack.readerNames[slot] }

    public func close() {
        for c in connectors { c.stop() }
        stack.stop()
    }
}
