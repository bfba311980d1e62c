import SSCardDriver

extension VirtualPrinter {
    /// A virtual printer as a demo or a technician's driver finds it: hopper 1 holds
    /// `cardsPerHopper` blank pre-made cards from sequence `firstSequence` (SIM000001…), hopper
    /// 2 as many from `firstSequence + 100` (SIM000101…), and the contact station serves the
    /// chip into vpcd slot `encoderSlot`.
    public static func stocked(encoderSlot: Int = 0, cardsPerHopper: Int = 10, firstSequence: Int = 1) -> VirtualPrinter {
        let printer = VirtualPrinter(configuration: .init(chipContact: .vpcd(.slot(encoderSlot))))
        let factory = PreMadeCardFactory()
        for (hopper, first) in [(1, firstSequence), (2, firstSequence + 100)] {
            // The sample spec is valid by construction.
            let cards = (first..<(first + cardsPerHopper)).map { SimulatedSSCard(image: try! factory.blankCard(.sample(sequence: $0))) }
            printer.addCards(cards, toHopper: hopper)
        }
        return printer
    }
}
