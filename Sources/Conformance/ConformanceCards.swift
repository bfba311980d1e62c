import SSCardDriver
import SSCardSimulator

/// The cards the cases serve, made as a card maker would (simulation scheme of
/// docs/card-simulation.md, keys from the simulator's public test master keys).
enum ConformanceCards {
    /// The holder of the personalised cards: a 4-byte GB18030 character (䶮, U+4DAE, outside
    /// GBK) in the name so an encoding that is "almost GB18030" shows.
    static let holder = CardHolder(socialSecurityNumber: "110101199003077777", name: "张䶮", sex: "1", ethnicity: "01",
                                   birthPlace: "411602", birthDate: "19900307")

    static func spec(region: String = "411600", number: String) -> PreMadeCardSpec {
        var spec = PreMadeCardSpec.sample()
        spec.regionCode = region
        spec.cardNumber = number
        return spec
    }

    /// A personalised card of region 411600 (or `region`).
    static func personalised(number: String = "CT0000001", region: String = "411600") throws -> SimulatedSSCard {
        SimulatedSSCard(image: try PreMadeCardFactory().personalisedCard(spec(region: region, number: number), holder: holder))
    }

    /// A blank pre-made card (预制卡): EF05 only.
    static func blank(number: String = "CT0000002") throws -> SimulatedSSCard {
        SimulatedSSCard(image: try PreMadeCardFactory().blankCard(spec(number: number)))
    }

    /// A personalised card whose SSSE PIN is blocked (no tries left).
    static func pinLocked() throws -> SimulatedSSCard {
        var image = try PreMadeCardFactory().personalisedCard(spec(number: "CT0000003"), holder: holder)
        image.userPIN.triesLeft = 0
        return SimulatedSSCard(image: image)
    }

    /// The card's `卡识别码|卡号|`, the pCardInfo of the read and write functions.
    static func cardInfo(_ card: SimulatedSSCard) -> String {
        "\(card.image.cardIdentificationCode.hex)|\(card.image.cardNumber)|"
    }

    /// The 11 fields iReadCardBas must give for `card` (the last two, 终端机编号 and 终端设备号,
    /// depend on the terminal and are checked for shape only).
    static func basicFields(_ card: SimulatedSSCard) throws -> [String] {
        let image = card.image
        let id = image.cardIdentificationCode
        func text(_ element: CardElement) -> String { image.records.value(of: element).map(ElementText.decode) ?? "" }
        return [id.regionCode, text(.socialSecurityNumber), image.cardNumber, id.hex,
                text(.name) + text(.nameExtension), try AnswerToReset(bytes: card.atr).historicalBytesHex,
                "3.00", "20211203", "20311202"]
    }
}

/// A card that is not a social security card: a bank card's ATR, and 6A82 (file not found) to
/// every SELECT, as an EMV card answers a SSSE application it does not have.
final class ForeignCard: VirtualCard {
    let atr: [UInt8] = [0x3B, 0x6E, 0x00, 0x00, 0x80, 0x31, 0x80, 0x66, 0xB0, 0x84, 0x12, 0x01, 0x6E, 0x01, 0x83, 0x00, 0x90, 0x00]
    func powerOn() {}
    func powerOff() {}
    func reset() {}
    func process(_ command: [UInt8]) -> [UInt8] {
        guard command.count >= 4 else { return [0x67, 0x00] }
        return command[1] == 0xA4 ? [0x6A, 0x82] : [0x69, 0x85]
    }
}
