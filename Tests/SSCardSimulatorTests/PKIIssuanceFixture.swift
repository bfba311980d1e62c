import Foundation
import SSCardDriver
@testable import SSCardSimulator

/// A `CardChannel` that records every command before passing it to the simulated card.
final class PKIRecordingChannel: CardChannel, @unchecked Sendable {
    // @unchecked Sendable: `commands` is only touched from the test's own thread.
    let inner: SimulatedCardChannel
    var commands: [CommandAPDU] = []
    /// When set, UPDATE BINARY with more data than this is answered 6700 without reaching the
    /// card: a card whose buffer takes only the vendor's 0x70-byte chunks.
    var longestUpdateBinary: Int?

    init(card: SimulatedSSCard) { inner = SimulatedCardChannel(card: card) }

    var atr: [UInt8] { inner.atr }

    func transmitRaw(_ command: [UInt8]) throws -> [UInt8] {
        let parsed = try? CommandAPDU(bytes: command)
        if let parsed { commands.append(parsed) }
        if let parsed, parsed.ins == 0xD6, let longest = longestUpdateBinary, parsed.data.count > longest {
            return StatusWord.wrongLength.bytes
        }
        return try inner.transmitRaw(command)
    }

    /// The INS bytes sent so far, GET RESPONSE left out.
    var instructions: [UInt8] { commands.map(\.ins).filter { $0 != 0xC0 } }
}

/// A pre-made card personalised for 张三, the driver's PKI client on it, and a simulated CA.
struct PKIIssuanceFixture {
    let card: SimulatedSSCard
    let channel: PKIRecordingChannel
    let client: PKIApplicationClient
    let ca: SimulatedCA
    let masterKeys = HSMMasterKeys.simulatorTestKeys
    static let initialAdminPIN = Array("12345678".utf8)

    init(t0: Bool = false, sequence: Int = 1, ca: SimulatedCA? = nil) throws {
        let image = try PreMadeCardFactory().personalisedCard(.sample(sequence: sequence, answersLikeT0: t0), holder: .sample)
        card = SimulatedSSCard(image: image)
        channel = PKIRecordingChannel(card: card)
        client = PKIApplicationClient(channel: channel)
        self.ca = try ca ?? SimulatedCA()
    }

    var cardID: CardIdentificationCode { card.image.cardIdentificationCode }

    /// The card's PKI master key as made (before any 84 D4).
    func initialMasterCardKey() throws -> [UInt8] { try masterKeys.cardKey(.pkiMaster, cardID: cardID.bytes) }

    /// The request the station sends for this card with `signingPublicKey`.
    func request(signingPublicKey: [UInt8]) -> CACertificateRequest {
        CACertificateRequest(
            socialSecurityNumber: CardHolder.sample.socialSecurityNumber, cardNumber: PreMadeCardSpec.sample().cardNumber,
            name: CardHolder.sample.name, regionCode: cardID.regionCode, cardIdentificationCode: cardID,
            signingPublicKey: signingPublicKey)
    }

    /// Step 1 with the initial admin PIN, then the CA's answer for the key it returned.
    func step1AndIssue() throws -> (publicKey: [UInt8], issued: SimulatedCA.Issued) {
        let key = try client.prepareSigningKey(adminPIN: Self.initialAdminPIN)
        return (key, try ca.issue(request(signingPublicKey: key)))
    }

    /// 0018 or 0019 as the card stores it (2048 bytes).
    func file(_ file: PKIFile) -> [UInt8] {
        file == .signingCertificate ? card.image.pki.signingCertificate : card.image.pki.encryptionCertificate
    }
}
