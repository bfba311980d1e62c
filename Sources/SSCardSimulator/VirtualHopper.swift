/// 卡箱: one hopper of pre-made cards in the virtual printer. The first card is the next one
/// fed.
public struct VirtualHopper: Sendable {
    /// 1–9, as iLoadCard numbers hoppers.
    public let number: Int
    /// The cards, next to feed first.
    public private(set) var cards: [SimulatedSSCard]

    public init(number: Int, cards: [SimulatedSSCard] = []) {
        precondition((1...9).contains(number), "hopper numbers are 1–9, not \(number)")
        self.number = number
        self.cards = cards
    }

    public var isEmpty: Bool { cards.isEmpty }
    public var count: Int { cards.count }

    /// Puts `newCards` at the back of the hopper, as a technician refills it.
    mutating func add(_ newCards: [SimulatedSSCard]) {
        cards.append(contentsOf: newCards)
    }

    /// Takes every card out, as an operator empties the hopper.
    mutating func takeAll() -> [SimulatedSSCard] {
        defer { cards.removeAll() }
        return cards
    }

    /// Takes the next card out; nil when empty.
    mutating func feed() -> SimulatedSSCard? {
        cards.isEmpty ? nil : cards.removeFirst()
    }
}
