import SSCardSimulator

/// The card the benchmarks talk to: a blank pre-made card of the sample spec.
enum BenchmarkCard {
    static func make() -> SimulatedSSCard {
        // The sample spec is valid by construction; a failure here is a programmer error.
        SimulatedSSCard(image: try! PreMadeCardFactory().blankCard(.sample()))
    }
}
