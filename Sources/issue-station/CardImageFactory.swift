import Foundation
import SSCardSimulator

/// Where `issue-station vcard` gets its card and where it saves it: the simulated 3.0 card
/// (`SimulatedSSCard`) and its JSON `CardImage`.
enum CardImageFactory {
    /// A new blank pre-made card (预制卡): EF05 written, nothing personalised, keys diversified
    /// from the simulator's test master keys. Saved to `url` at once when one is given, and
    /// every later change the card makes is saved there too.
    static func makeBlankPreMadeCard(savingTo url: URL? = nil) throws -> SimulatedSSCard {
        let image = try PreMadeCardFactory().blankCard(.sample())
        if let url { try image.save(to: url) }
        return SimulatedSSCard(image: image, storageURL: url)
    }

    /// The card saved in `url`, saving back there as it changes.
    static func loadCard(from url: URL) throws -> SimulatedSSCard {
        try SimulatedSSCard(contentsOf: url)
    }

    /// Writes the card's image to `url` atomically.
    static func saveCard(_ card: SimulatedSSCard, to url: URL) throws {
        try card.image.save(to: url)
    }
}
