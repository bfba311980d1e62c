import SSCardDriver
import SSCardSimulator
import XCTest

/// The APDUs of the two-step (HSM) functions the station issues a card with
/// (docs/performance.md): Step1 reads only what it uses, Step2 selects no file that Step1 left
/// current, and the answers are the same as before.
final class InterfaceAPDUSequenceTests: XCTestCase {
    private struct Desk {
        let card: SimulatedSSCard
        let channel: PKIRecordingChannel
        let driver: SSCardInterface
        let hsm = SimulatedHSM()
        var cardID: CardIdentificationCode { card.image.cardIdentificationCode }
        var cardInfo: CardInfoArgument { CardInfoArgument(cardIdentificationCode: cardID, cardNumber: CardNumber(PreMadeCardSpec.sample().cardNumber)!) }

        init(personalised: Bool) throws {
            let factory = PreMadeCardFactory()
            card = SimulatedSSCard(image: personalised ? try factory.personalisedCard(.sample(), holder: .sample) : try factory.blankCard(.sample()))
            let channel = PKIRecordingChannel(card: card)
            self.channel = channel
            driver = SSCardInterface(securityModule: nil, channelSource: { kind, _ in
                guard case .contact = kind else { return nil }
                return channel
            })
        }

        /// The INS bytes sent since `mark`.
        func sent(since mark: Int) -> [UInt8] { channel.commands.dropFirst(mark).map(\.ins) }
    }

    func testStep1SelectsAndReadsOnlyTheCardIdentificationCode() throws {
        let desk = try Desk(personalised: false)
        let step = try desk.driver.beginBasicRead(reader: .contact)
        XCTAssertEqual(step.cardIdentificationCode, desk.cardID)
        XCTAssertEqual(desk.sent(since: 0), [0xA4, 0xA4, 0xB2, 0x84])
        XCTAssertEqual(desk.channel.commands[2].p1, CardElement.cardIdentificationCode.tag)
    }

    func testStep1WithCardInfoAlsoReadsAndChecksTheCardNumber() throws {
        let desk = try Desk(personalised: false)
        let address = try FileAddress(parsing: "SSSEEF05|05|06|$")
        _ = try desk.driver.beginCardWrite(reader: .contact, cardInfo: desk.cardInfo, fileAddress: address)
        XCTAssertEqual(desk.sent(since: 0), [0xA4, 0xA4, 0xB2, 0xB2, 0x84])
        XCTAssertEqual(desk.channel.commands[3].p1, CardElement.cardNumber.tag)

        let other = CardInfoArgument(cardIdentificationCode: desk.cardID, cardNumber: CardNumber("X00000001")!)
        XCTAssertThrowsError(try desk.driver.beginCardWrite(reader: .contact, cardInfo: other, fileAddress: address)) { error in
            let error = error as? InterfaceError
            XCTAssertEqual(error?.code, .dataDiffersFromCard)
            XCTAssertTrue(error?.message.contains(PreMadeCardSpec.sample().cardNumber) ?? false, "\(String(describing: error))")
        }
    }

    func testBasicReadStep2ReadsEF05AndEF06WithoutSelectingTheSSSEAgain() throws {
        let desk = try Desk(personalised: true)
        let step = try desk.driver.beginBasicRead(reader: .contact)
        let mark = desk.channel.commands.count
        let info = try desk.driver.completeBasicRead(hsmKeys: desk.hsm.readAuthenticationKey(for: step))
        // EF05 without 卡的类别 (02) and 初始化机构编号 (04), which the answer does not show.
        XCTAssertEqual(desk.sent(since: mark), [0x88, 0x82] + Array(repeating: 0xB2, count: 5) + [0xA4] + Array(repeating: 0xB2, count: 3))
        XCTAssertEqual(desk.channel.commands.dropFirst(mark + 2).prefix(5).map(\.p1), [0x01, 0x03, 0x05, 0x06, 0x07])
        XCTAssertEqual(info.cardNumber, PreMadeCardSpec.sample().cardNumber)
        XCTAssertEqual(info.socialSecurityNumber, CardHolder.sample.socialSecurityNumber)
        XCTAssertEqual(info.name, CardHolder.sample.name)
    }

    func testReadCardBasSendsFourteenAPDUs() throws {
        let desk = try Desk(personalised: true)
        let channel = desk.channel
        let driver = SSCardInterface(securityModule: desk.hsm, channelSource: { kind, _ in
            guard case .contact = kind else { return nil }
            return channel
        })
        let result = driver.iReadCardBas(1)
        XCTAssertEqual(result.code, 0, result.output)
        let info = try BasicInformation(parsing: result.output)
        XCTAssertEqual(info.name, CardHolder.sample.name)
        XCTAssertEqual(info.specificationVersion, "3.00")
        // SELECT SSSE, EF05; five records; INTERNAL AUTHENTICATE, GET CHALLENGE, EXTERNAL
        // AUTHENTICATE; SELECT EF06; three records.
        XCTAssertEqual(desk.sent(since: 0), [0xA4, 0xA4] + Array(repeating: 0xB2, count: 5) + [0x88, 0x84, 0x82, 0xA4]
                       + Array(repeating: 0xB2, count: 3))
    }

    func testWriteStep2SelectsOnlyAFileThatIsNotCurrent() throws {
        let desk = try Desk(personalised: false)
        let ef05 = try FileAddress(parsing: "SSSEEF05|05|06|$")
        var step = try desk.driver.beginCardWrite(reader: .contact, cardInfo: desk.cardInfo, fileAddress: ef05)
        var mark = desk.channel.commands.count
        XCTAssertEqual(try desk.driver.completeCardWrite(hsmKeys: desk.hsm.writeAuthenticationKey(for: step), data: "SSSEEF05|20261206|20361205|$"),
                       "SSSEEF05|20261206|20361205|$")
        // Two UPDATE RECORDs and their read back, EF05 still current from Step1.
        XCTAssertEqual(desk.sent(since: mark), [0x88, 0x82, 0xDC, 0xDC, 0xB2, 0xB2])

        let ef06 = try FileAddress(parsing: "SSSEEF06|08|09|$")
        step = try desk.driver.beginCardWrite(reader: .contact, cardInfo: desk.cardInfo, fileAddress: ef06)
        mark = desk.channel.commands.count
        _ = try desk.driver.completeCardWrite(hsmKeys: desk.hsm.writeAuthenticationKey(for: step),
                                              data: "SSSEEF06|\(CardHolder.sample.socialSecurityNumber)|\(CardHolder.sample.name)|$")
        XCTAssertEqual(desk.sent(since: mark), [0x88, 0x82, 0xA4, 0xDC, 0xDC])
        XCTAssertEqual(desk.channel.commands[mark + 2].data, SSSEFile.ef06.fileID)

        step = try desk.driver.beginCardRead(reader: .contact, cardInfo: desk.cardInfo, fileAddress: ef06)
        mark = desk.channel.commands.count
        XCTAssertEqual(try desk.driver.completeCardRead(hsmKeys: desk.hsm.readAuthenticationKey(for: step)),
                       "SSSEEF06|\(CardHolder.sample.socialSecurityNumber)|\(CardHolder.sample.name)|$")
        XCTAssertEqual(desk.sent(since: mark), [0x88, 0x82, 0xA4, 0xB2, 0xB2])
    }
}
