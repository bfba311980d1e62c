import SSCardDriver
import SSCardSimulator
import XCTest

/// The interface formats against what the simulated 3.0 card really answers: its ATR (T=1 and
/// T=0 forms of SimulatedATR), its EF05 records, and the blank card's iReadCardBas line.
final class InterfaceFormatSimulatedCardTests: XCTestCase {
    func testSimulatedATRsParse() throws {
        for sequence in [1, 2, 999_999] {
            let image = try PreMadeCardFactory().blankCard(.sample(sequence: sequence))
            let id = image.cardIdentificationCode
            let t1 = try AnswerToReset(bytes: SimulatedATR.atr(cardID: id, t0: false))
            XCTAssertEqual(t1.historicalBytes, SimulatedATR.historicalBytes(cardID: id))
            XCTAssertEqual(t1.historicalBytes.count, 13)
            XCTAssertEqual(t1.protocols, [1])
            XCTAssertNotNil(t1.checkByte)
            let t0 = try AnswerToReset(bytes: SimulatedATR.atr(cardID: id, t0: true))
            XCTAssertEqual(t0.historicalBytes, SimulatedATR.historicalBytes(cardID: id))
            XCTAssertEqual(t0.protocols, [0])
            XCTAssertNil(t0.checkByte)
            XCTAssertTrue(t1.historicalBytesHex.hasPrefix("0053494D338630411600"))
        }
    }

    func testBlankCardBasicInformation() throws {
        let image = try PreMadeCardFactory().blankCard(.sample(sequence: 7))
        let channel = SimulatedCardChannel(card: SimulatedSSCard(image: image, storageURL: nil))
        let card = SocialSecurityCard(channel: channel)
        let issuer = try card.readIssuerData()
        let info = try BasicInformation(issuer: issuer, socialSecurityNumber: nil, name: nil, nameExtension: nil,
                                        answerToReset: AnswerToReset(bytes: channel.atr),
                                        terminalNumber: BasicInformation.hsmTerminalNumber, terminalDeviceNumber: "SIMDESK0001")
        let id = image.cardIdentificationCode.hex
        let historical = SimulatedATR.historicalBytes(cardID: image.cardIdentificationCode).hexString
        XCTAssertEqual(info.interfaceText, "411600||SIM000007|\(id)||\(historical)|3.00|20211203|20311202|000000000000|SIMDESK0001|")
        XCTAssertEqual(try BasicInformation(parsing: info.interfaceText), info)

        // The element decoders read the card's own records back to the interface values.
        try card.select(.ef05)
        let expected: [CardElement: String] = [
            .cardIdentificationCode: id, .cardType: "3", .specificationVersion: "3.00",
            .issueDate: "20211203", .expiryDate: "20311202", .cardNumber: "SIM000007",
        ]
        for (element, value) in expected {
            let bytes = try XCTUnwrap(card.readElement(element))
            XCTAssertEqual(try element.interfaceValue(ofCardBytes: bytes), value)
            XCTAssertEqual(try element.cardBytes(forInterfaceValue: value), bytes)
        }
        let address = try FileAddress(parsing: "SSSEEF05|07|05|06|$SSSEEF06|08|09|$")
        XCTAssertEqual(address.readOutput(values: expected), "SSSEEF05|SIM000007|20211203|20311202|$SSSEEF06|||$")
    }
}
