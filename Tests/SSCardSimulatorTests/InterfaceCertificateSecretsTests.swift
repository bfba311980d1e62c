import Foundation
import SSCardDriver
import Synchronization
import SSCardSimulator
import XCTest

/// iWriteCaStep2 tells the security module when a card's PKI secrets are no longer needed, so a
/// module that holds them between the two steps (the province HSM's) wipes them at once — and
/// only after success, since a failed Step2 may be tried again with the same secrets.
final class InterfaceCertificateSecretsTests: XCTestCase {
    /// The simulated HSM, counting the releases it is told of.
    final class ReleaseCountingHSM: CardSecurityModule, PKISecurityModule {
        let hsm = SimulatedHSM()
        let released = Mutex<[CardIdentificationCode]>([])
        var terminalNumber: String { hsm.terminalNumber }
        var terminalDeviceNumber: String { hsm.terminalDeviceNumber }
        func expectedInternalAuthentication(cardID: CardIdentificationCode, factor: [UInt8], raw: [UInt8]) throws -> [UInt8] {
            try hsm.expectedInternalAuthentication(cardID: cardID, factor: factor, raw: raw)
        }
        func externalAuthentication(cardID: CardIdentificationCode, keyID: UInt8, challenge: [UInt8]) throws -> [UInt8] {
            try hsm.externalAuthentication(cardID: cardID, keyID: keyID, challenge: challenge)
        }
        func initialAdminPIN(cardID: CardIdentificationCode) throws -> SecretBytes { try hsm.initialAdminPIN(cardID: cardID) }
        func pkiMasterCardKey(cardID: CardIdentificationCode) throws -> SecretBytes { try hsm.pkiMasterCardKey(cardID: cardID) }
        func releaseSecrets(cardID: CardIdentificationCode) { released.withLock { $0.append(cardID) } }
    }

    private func desk() throws -> (SSCardInterface, SimulatedSSCard, ReleaseCountingHSM) {
        let card = SimulatedSSCard(image: try PreMadeCardFactory().personalisedCard(.sample(sequence: 3), holder: .sample))
        let channel = SimulatedCardChannel(card: card)
        let module = ReleaseCountingHSM()
        let interface = SSCardInterface(configuration: DriverConfiguration(), securityModule: module,
                                        channelSource: { kind, _ in kind == .contact ? channel : nil })
        return (interface, card, module)
    }

    private func request(_ card: SimulatedSSCard, key: [UInt8]) -> CACertificateRequest {
        let id = card.image.cardIdentificationCode
        return CACertificateRequest(socialSecurityNumber: CardHolder.sample.socialSecurityNumber,
                                    cardNumber: PreMadeCardSpec.sample(sequence: 3).cardNumber, name: CardHolder.sample.name,
                                    regionCode: id.regionCode, cardIdentificationCode: id, signingPublicKey: key)
    }

    func testSecretsAreReleasedAfterTheCertificatesLoad() throws {
        let (interface, card, module) = try desk()
        let key = try interface.prepareCertificates()
        let issued = try SimulatedCA().issue(request(card, key: key))
        try interface.loadCertificates(issued.items)
        XCTAssertEqual(module.released.withLock { $0 }, [card.image.cardIdentificationCode])
    }

    func testAFailedStep2KeepsTheSecretsForAnotherTry() throws {
        let (interface, card, module) = try desk()
        _ = try interface.prepareCertificates()
        let otherKey = try SM2PrivateKey().publicKey.rawRepresentation
        let wrong = try SimulatedCA().issue(request(card, key: otherKey))
        XCTAssertThrowsError(try interface.loadCertificates(wrong.items)) { error in
            XCTAssertEqual((error as? InterfaceError)?.code, .dataDiffersFromCard)
        }
        XCTAssertTrue(module.released.withLock { $0 }.isEmpty)
    }
}
