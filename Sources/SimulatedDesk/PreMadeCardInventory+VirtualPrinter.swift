import Foundation
import InstantIssue
import ProvinceSimulator
import SSCardDriver
import SSCardSimulator

extension PreMadeCardInventory {
    /// Books the pre-made cards in a virtual printer's hoppers as a desk receives real ones:
    /// their YZKCG return file (written to `folder`) is imported, then each hopper is loaded
    /// with the cards it holds. For the demo, the benchmark and tests. Returns the return
    /// file's name and how many cards it held.
    @discardableResult
    public func bookCards(in printer: VirtualPrinter, returnFileFolder folder: URL, by clerk: String) throws -> (fileName: String, count: Int) {
        let hoppers = (1...printer.configuration.hopperCount).compactMap { number in
            Hopper(number).map { ($0, printer.cards(inHopper: number).map(\.image)) }
        }.filter { !$0.1.isEmpty }
        let images = hoppers.flatMap(\.1)
        let file = SimulatedReturnFile.make(cards: images, bank: SimulatedApplications.bank)
        let url = folder.appendingPathComponent(file.fileName)
        try Data(file.text.utf8).write(to: url)
        try importReturnFile(at: url, by: clerk)
        for (hopper, cards) in hoppers {
            // The import above accepted every card's number as a 社保卡号.
            try loadHopper(hopper, cardNumbers: cards.map { CardNumber($0.cardNumber)! }, by: clerk)
        }
        return (file.fileName, images.count)
    }
}
