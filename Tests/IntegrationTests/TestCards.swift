import SSCardDriver
import SSCardSimulator

/// Simulated cards for the integration tests, made as a card maker would.
enum TestCards {
    static func blank(cardNumber: String = "SIM000001") -> SimulatedSSCard {
        var spec = PreMadeCardSpec.sample()
        spec.cardNumber = cardNumber
        return SimulatedSSCard(image: try! PreMadeCardFactory().blankCard(spec))
    }

    static func personalised(name: String = "张三", ssn: String = "111111198101011110") -> SimulatedSSCard {
        var holder = CardHolder.sample
        holder.name = name
        holder.socialSecurityNumber = ssn
        return SimulatedSSCard(image: try! PreMadeCardFactory().personalisedCard(.sample(sequence: 7), holder: holder))
    }

    static func cardID(of card: SimulatedSSCard) -> CardIdentificationCode {
        card.image.cardIdentificationCode
    }
}
