import SSCardDriver

extension VirtualPrinter {
    /// A virtual printer as a demo or a technician's driver finds it: hopper 1 holds ten blank
    /// pre-made cards SIM000001…SIM000010, hopper 2 ten cards SIM000101…SIM000110, and the
    /// contact station serves the chip into vpcd slot `encoderSlot`.
    public static func stocked(encoderSlot: Int = 0) -> VirtualPrinter {
        let printer = VirtualPrinter(configuration: .init(chipContact: .vpcd(.slot(encoderSlot))))
        let factory = PreMadeCardFactory()
        for (hopper, first) in [(1, 1), (2, 101)] {
            // The sample spec is valid by construction.
            let cards = (first..<(first + 10)).map { SimulatedSSCard(image: try! factory.blankCard(.sample(sequence: $0))) }
            printer.addCards(cards, toHopper: hopper)
        }
        return printer
    }
}
