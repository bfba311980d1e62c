import Foundation
import SSCardDriver
import SSCardSimulator

/// Where `issue-station vcard` gets its card and where it saves it.
///
/// WIRING POINT: the simulated 3.0 card (a type like `SimulatedSSCard` with a Codable
/// `CardImage` in SSCardSimulator) does not exist yet. Until it does, these three functions
/// serve `PlaceholderPreMadeCard`. Replace their bodies, and delete the placeholder, when the
/// simulated card lands; nothing else in the command needs to change.
enum CardImageFactory {
    /// A new blank pre-made card (预制卡): chip initialised, nothing personalised.
    static func makeBlankPreMadeCard() -> any VirtualCard {
        PlaceholderPreMadeCard()
    }

    /// The card saved in `url`.
    static func loadCard(from url: URL) throws -> any VirtualCard {
        let image = try JSONDecoder().decode(PlaceholderPreMadeCard.Image.self, from: Data(contentsOf: url))
        guard image.format == PlaceholderPreMadeCard.Image.formatName, let atr = [UInt8](hex: image.atr) else {
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSFilePathErrorKey: url.path])
        }
        return PlaceholderPreMadeCard(atr: atr)
    }

    /// Writes `card` to `url` atomically.
    static func saveCard(_ card: any VirtualCard, to url: URL) throws {
        let image = PlaceholderPreMadeCard.Image(format: PlaceholderPreMadeCard.Image.formatName, atr: card.atr.hexString)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(image).write(to: url, options: .atomic)
    }
}

/// A stand-in card so that the vpcd path can be exercised before the simulated 3.0 card exists.
/// It answers SELECT of the MF and of the SSSE application (by AID) with 9000, GET CHALLENGE
/// with random bytes, and every other instruction with 6D00. It holds no data and no state.
final class PlaceholderPreMadeCard: VirtualCard {
    /// A T=0 ATR with two historical bytes.
    static let defaultATR: [UInt8] = [0x3B, 0x02, 0x14, 0x50]

    struct Image: Codable {
        static let formatName = "placeholder-pre-made-card"
        var format: String
        var atr: String
    }

    let atr: [UInt8]

    init(atr: [UInt8] = PlaceholderPreMadeCard.defaultATR) { self.atr = atr }

    func powerOn() {}
    func powerOff() {}
    func reset() {}

    func process(_ bytes: [UInt8]) -> [UInt8] {
        guard let command = try? CommandAPDU(bytes: bytes) else { return StatusWord.wrongLength.bytes }
        switch (command.ins, command.p1) {
        case (0xA4, 0x04):
            return command.data == SSSE.aid || command.data == SSSE.pkiAID
                ? StatusWord.success.bytes : StatusWord.fileNotFound.bytes
        case (0xA4, _):
            return command.data.isEmpty || command.data == SSSE.masterFileID
                ? StatusWord.success.bytes : StatusWord.fileNotFound.bytes
        case (0x84, _):
            let count = min(command.expectedLength ?? 8, 256)
            return (0..<count).map { _ in UInt8.random(in: 0...255) } + StatusWord.success.bytes
        default:
            return StatusWord.instructionNotSupported.bytes
        }
    }
}
