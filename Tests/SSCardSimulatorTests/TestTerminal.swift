import XCTest
import SSCardDriver
@testable import SSCardSimulator

/// The terminal and HSM side of the tests: talks to a simulated card and computes the
/// cryptograms with the simulator test master keys, as the HSM simulator will.
final class TestTerminal {
    let card: SimulatedSSCard
    let channel: SimulatedCardChannel
    let masterKeys = HSMMasterKeys.simulatorTestKeys

    convenience init(image: CardImage, storageURL: URL? = nil) {
        self.init(card: SimulatedSSCard(image: image, storageURL: storageURL))
    }

    init(card: SimulatedSSCard) {
        self.card = card
        channel = SimulatedCardChannel(card: card)
    }

    static func blank(sequence: Int = 1, t0: Bool = false) throws -> TestTerminal {
        TestTerminal(image: try PreMadeCardFactory().blankCard(.sample(sequence: sequence, answersLikeT0: t0)))
    }

    static func personalised(sequence: Int = 1, t0: Bool = false) throws -> TestTerminal {
        TestTerminal(image: try PreMadeCardFactory().personalisedCard(.sample(sequence: sequence, answersLikeT0: t0), holder: .sample))
    }

    var cardID: [UInt8] { card.image.cardIdentificationCode.bytes }

    func cardKey(_ role: CardKeyRole) throws -> [UInt8] { try masterKeys.cardKey(role, cardID: cardID) }

    /// One raw exchange, no T=0 completion.
    func send(_ bytes: [UInt8]) -> ResponseAPDU { ResponseAPDU(bytes: card.process(bytes))! }
    func send(_ hex: String) -> ResponseAPDU { send([UInt8](hex: hex)!) }
    func send(_ command: CommandAPDU) -> ResponseAPDU { send(command.bytes) }
    func sw(_ hex: String) -> UInt16 { send(hex).statusWord.rawValue }
    func sw(_ command: CommandAPDU) -> UInt16 { send(command).statusWord.rawValue }

    func selectSSSE(file: SSSEFile? = nil, line: UInt = #line) {
        XCTAssertEqual(send(CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x0C, data: SSSE.aid)).statusWord, .success, line: line)
        if let file {
            XCTAssertEqual(send(CommandAPDU(ins: 0xA4, p1: 0x00, p2: 0x00, data: file.fileID)).statusWord, .success, line: line)
        }
    }

    func selectCertificateADF(file: PKIFile? = nil, line: UInt = #line) {
        XCTAssertEqual(sw(CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x00, data: SSSE.pkiAID)), 0x9000, line: line)
        XCTAssertEqual(sw(CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x00, data: SSSE.certADFAID)), 0x9000, line: line)
        if let file {
            let fid = [UInt8(file.rawValue >> 8), UInt8(file.rawValue & 0xFF)]
            XCTAssertEqual(sw(CommandAPDU(ins: 0xA4, p1: 0x02, p2: 0x00, data: fid)), 0x9000, line: line)
        }
    }

    func challenge(_ length: Int = 8, line: UInt = #line) -> [UInt8] {
        let r = send(CommandAPDU(ins: 0x84, p1: 0, p2: 0, expectedLength: length))
        XCTAssertEqual(r.statusWord, .success, line: line)
        XCTAssertEqual(r.data.count, length, line: line)
        return r.data
    }

    /// INTERNAL AUTHENTICATE with fresh factor and raw data, checked the way the HSM checks
    /// (through `transmit`, so T=0 cards work too).
    func internalAuthenticate(line: UInt = #line) throws {
        let factor = try SecureRandom.bytes(8), raw = try SecureRandom.bytes(8)
        let r = try channel.transmit(CommandAPDU(ins: 0x88, p1: 0, p2: 0, data: factor + raw, expectedLength: 256))
        XCTAssertEqual(r.statusWord, .success, line: line)
        XCTAssertEqual(r.data, try CardKeyScheme.internalAuthResponse(cardKey: cardKey(.internalAuthentication), factor: factor, raw: raw), line: line)
    }

    /// GET CHALLENGE then EXTERNAL AUTHENTICATE with the role's key; the card's status word.
    func externalAuthenticate(_ role: CardKeyRole) throws -> UInt16 {
        let challenge = challenge()
        let data = try CardKeyScheme.externalAuthData(cardKey: cardKey(role), challenge: challenge, cardID: cardID)
        return sw(CommandAPDU(ins: 0x82, p1: 0, p2: role.externalAuthenticationKeyID!, data: data))
    }

    /// A MACed command over a fresh challenge of `challengeLength` bytes.
    func secured(cla: UInt8 = 0x84, ins: UInt8, p1: UInt8, p2: UInt8, data: [UInt8], key: [UInt8], challengeLength: Int = 8) throws -> CommandAPDU {
        try CardKeyScheme.securedCommand(cla: cla, ins: ins, p1: p1, p2: p2, data: data, cardKey: key, challenge: challenge(challengeLength))
    }

    func verifyPIN(_ digits: String) -> UInt16 {
        sw(CommandAPDU(ins: 0x20, p1: 0, p2: 0, data: BCD.encode(digits)!))
    }

    func verifyAdminPIN(_ pin: String = "12345678") -> UInt16 {
        sw(CommandAPDU(ins: 0x20, p1: 0, p2: 1, data: Array(pin.utf8)))
    }
}
