import Foundation
import XCTest
import SSCardDriver
import SSCardPrinter
import SSCardSimulator
@testable import InstantIssue
@testable import CardManagement
@testable import ProvinceSimulator

/// The embedded province simulator: the contract (`CardManagementContract`) called directly,
/// and its books across a reopen.
final class SimulatedCardManagementSystemTests: XCTestCase {
    private func contract() throws -> CardManagementContract {
        let sim = try SimulatedCardManagementSystem()
        return CardManagementContract(cms: sim, sim: sim)
    }

    func testApplications() throws { try contract().applications() }
    func testStatusMachine() throws { try contract().statusMachine() }
    func testIdempotency() throws { try contract().idempotency() }
    func testOnePersonOneCard() throws { try contract().onePersonOneCard() }
    func testHSMKeysOpenTheCard() throws { try contract().hsmKeysOpenTheCard() }
    func testCertificates() throws { try contract().certificates() }
    func testLedgerCheckpoints() throws { try contract().ledgerCheckpoints() }
    /// 《广东省社会保障卡经办规程》第二十七条一（一）、（四）: 补卡 after 正式挂失, old card cancelled first.
    func testReplacementNeedsAFormalLossReport() throws { try contract().replacementNeedsAFormalLossReport() }
    /// 《规程》第二十八条至第三十一条: 换卡 reads the old card's chip before cancelling it.
    func testRenewalNeedsTheOldCardsChip() throws { try contract().renewalNeedsTheOldCardsChip() }
    /// 《规程》第三十一条: a change of bank sends the old card to the old bank.
    func testBankChangeLetsTheHolderKeepTheOldCard() throws { try contract().bankChangeLetsTheHolderKeepTheOldCard() }
    /// 《规程》第二十六条一（四）: no 解挂 while a 补换卡 is open; a lost card is no 换卡.
    func testLostCardIsNoRenewal() throws { try contract().lostCardIsNoRenewal() }

    private func temporaryPath() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cms-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        return directory.appendingPathComponent("province-sim.sqlite").path
    }

    /// The simulator's books hold the CA's private key, master keys, admin PINs and applicants'
    /// photos: the file and its -wal and -shm are 0600 even under the usual umask 022.
    func testTheSimulatorsDatabaseIsOwnerOnly() throws {
        let path = try temporaryPath()
        let saved = umask(0o022)
        defer { umask(saved) }
        let sim = try SimulatedCardManagementSystem(path: path)
        try sim.report(CardManagementContract.report("p-1", "DEMO-0001", .inProduction, card: 11))
        for suffix in ["", "-wal", "-shm"] {
            var info = stat()
            XCTAssertEqual(lstat(path + suffix, &info), 0, "province-sim.sqlite\(suffix) exists while open")
            XCTAssertEqual(info.st_mode & 0o777, 0o600, "province-sim.sqlite\(suffix)")
        }
    }

    func testBooksSurviveAReopen() throws {
        let path = try temporaryPath()
        let caKey: [UInt8]
        let issued: CAIssuance
        let (_, spec, id) = try CardManagementContract.blankCard(11)
        do {
            let sim = try SimulatedCardManagementSystem(path: path)
            caKey = sim.ca.publicKey.rawRepresentation
            try sim.report(CardManagementContract.report("p-1", "DEMO-0001", .inProduction, card: 11))
            var added = try sim.application(id: "DEMO-0002")
            added.id = "ADDED-1"
            try sim.add(added)
            // A CA issuance, so the card's current master key is on the books.
            let client = PKIApplicationClient(channel: SimulatedCardChannel(card: SimulatedSSCard(image: try PreMadeCardFactory().blankCard(spec))))
            let secrets = try sim.pkiSecrets(cardIdentificationCode: id)
            let key = try client.prepareSigningKey(adminPIN: secrets.initialAdminPIN.bytesForTest)
            let zhang = try sim.application(id: "DEMO-0001")
            issued = try sim.issueCertificates(CACertificateRequest(socialSecurityNumber: zhang.socialSecurityNumber, cardNumber: spec.cardNumber,
                                                               name: zhang.name, regionCode: zhang.regionCode, cardIdentificationCode: id,
                                                               signingPublicKey: key), applicationID: "DEMO-0001")
        }
        let reopened = try SimulatedCardManagementSystem(path: path)
        XCTAssertEqual(reopened.ca.publicKey.rawRepresentation, caKey, "the CA key is the same after a restart")
        XCTAssertTrue(issued.signingCertificate.isSigned(by: reopened.caCertificate), "certificates issued before still verify")
        XCTAssertEqual(issued.signingCertificate.issuer, reopened.caCertificate.subject)
        XCTAssertEqual(try reopened.status(applicationID: "DEMO-0001"),
                       ApplicationStatus(applicationID: "DEMO-0001", state: .inProduction, cardNumber: spec.cardNumber))
        XCTAssertEqual(try reopened.application(id: "ADDED-1").name, "张[CHUI]")
        XCTAssertEqual(try reopened.issuanceCount(), 1)
        XCTAssertNotEqual(try reopened.pkiSecrets(cardIdentificationCode: id).masterCardKey.bytesForTest,
                          try HSMMasterKeys.simulatorTestKeys.cardKey(.pkiMaster, cardID: id.bytes), "the current key, not the pre-made one")
        // The request id is remembered across the restart: same answer, not applied twice.
        XCTAssertEqual(try reopened.report(CardManagementContract.report("p-1", "DEMO-0001", .inProduction, card: 11)).state, .inProduction)
        XCTAssertEqual(try reopened.recordedReports(applicationID: "DEMO-0001").count, 1)
        // Samples are seeded once: DEMO-0001 was not reset to 待制卡.
        XCTAssertEqual(try reopened.application(id: "DEMO-0006").name, "孙七")
    }

    func testFixedCAKeyAndUnseededBooks() throws {
        let a = try SimulatedCardManagementSystem(seedSamples: false, caKeyScalar: SimulatedCA.testKeyScalar)
        let b = try SimulatedCardManagementSystem(seedSamples: false, caKeyScalar: SimulatedCA.testKeyScalar)
        XCTAssertEqual(a.ca.publicKey.rawRepresentation, b.ca.publicKey.rawRepresentation)
        XCTAssertNotEqual(try SimulatedCardManagementSystem().ca.publicKey.rawRepresentation, a.ca.publicKey.rawRepresentation)
        XCTAssertEqual(try? a.application(id: "DEMO-0001"), nil)
    }

    func testSamplePhotoIsAProvincePhoto() throws {
        let image = try PhotoDecoder.decode(jpeg: Array(SimulatedApplications.samplePhotoJPEG))
        XCTAssertEqual([image.width, image.height], [358, 441])
        // White background in the corners.
        XCTAssertGreaterThan(image.pixels[0], 240)
        XCTAssertGreaterThan(SimulatedApplications.samplePhotoJPEG.count, 2_000)
    }
}
