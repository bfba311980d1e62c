import Foundation
import XCTest
import SSCardDriver
import SSCardPrinter
import SSCardSimulator
@testable import InstantIssue
@testable import CardManagement
@testable import ProvinceSimulator

/// The contract of `CardManagementSystem`, written once and run against the embedded
/// simulator (`SimulatedCardManagementSystemTests`) and against `CardManagementHTTPClient`
/// talking to `ProvinceSimulatorServer` on loopback (`ProvinceHTTPTests`). `cms` is the
/// system under test; `sim` is the simulator behind it, for looking at its books.
struct CardManagementContract {
    let cms: any CardManagementSystem
    let sim: SimulatedCardManagementSystem

    /// A blank pre-made card of the virtual printer's hoppers (SIM000001 …).
    static func blankCard(_ sequence: Int) throws -> (card: SimulatedSSCard, spec: PreMadeCardSpec, id: CardIdentificationCode) {
        let spec = PreMadeCardSpec.sample(sequence: sequence)
        let image = try PreMadeCardFactory().blankCard(spec)
        return (SimulatedSSCard(image: image), spec, image.cardIdentificationCode)
    }

    static func report(_ requestID: String, _ applicationID: String, _ status: ReportedStatus, card sequence: Int,
                       reason: String? = nil) throws -> IssuanceReport {
        let (_, spec, id) = try blankCard(sequence)
        return IssuanceReport(requestID: requestID, applicationID: applicationID, status: status, cardNumber: spec.cardNumber,
                              cardIdentificationCode: id.hex, reason: reason, terminal: "411600000001", clerk: "柜员01")
    }

    /// The `CardManagementError` `body` throws; a failure when it throws none or another error.
    static func cardManagementError<T>(_ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line) -> CardManagementError? {
        do {
            _ = try body()
            XCTFail("expected a CardManagementError", file: file, line: line)
            return nil
        } catch let error as CardManagementError {
            return error
        } catch {
            XCTFail("not a CardManagementError: \(error)", file: file, line: line)
            return nil
        }
    }

    func assertRefusedCode<T>(_ code: String, _ body: () throws -> T, file: StaticString = #filePath, line: UInt = #line) {
        guard let error = Self.cardManagementError(body, file: file, line: line) else { return }
        guard case .refused(let got, let message) = error else {
            return XCTFail("expected refused(\(code)), got \(error)", file: file, line: line)
        }
        XCTAssertEqual(got, code, message, file: file, line: line)
        XCTAssertFalse(error.isRetryable, file: file, line: line)
    }

    // MARK: Applications

    func applications() throws {
        let zhang = try cms.application(id: "DEMO-0001")
        XCTAssertEqual(zhang.name, "张三")
        XCTAssertEqual(zhang.kind, .new)
        XCTAssertEqual(zhang.bank, "模拟银行")
        XCTAssertEqual(zhang.bank, PreMadeCardSpec.sample().label.bank, "the bank of the stocked hoppers")
        XCTAssertEqual(zhang.regionCode, PreMadeCardSpec.sample().regionCode)
        let photo = try XCTUnwrap(zhang.photoJPEG)
        XCTAssertEqual(Array(photo.prefix(3)), [0xFF, 0xD8, 0xFF])
        let decoded = try PhotoDecoder.decode(jpeg: Array(photo))
        XCTAssertEqual(decoded.width, 358)
        XCTAssertEqual(decoded.height, 441)
        XCTAssertLessThan(photo.count, 40_000)

        let rare = try cms.application(id: "DEMO-0002")
        XCTAssertEqual(rare.name, "张[CHUI]")
        let child = try cms.application(id: "DEMO-0003")
        XCTAssertNil(child.photoJPEG, "a child under 7 has no photo")
        XCTAssertEqual(try cms.application(id: "DEMO-0005").kind, .replacement)
        XCTAssertEqual(try cms.application(id: "DEMO-0006").kind, .renewal)

        for id in ["DEMO-0001", "DEMO-0002", "DEMO-0003", "DEMO-0004", "DEMO-0005", "DEMO-0006"] {
            let ssn = try cms.application(id: id).socialSecurityNumber
            XCTAssertEqual(ssn, SimulatedApplications.citizenNumber(String(ssn.prefix(17))), "\(id): GB 11643 check character")
        }
        XCTAssertEqual(SimulatedApplications.citizenNumber("11010519491231002"), "11010519491231002X", "the standard's example")

        XCTAssertEqual(Self.cardManagementError { try cms.application(id: "NO-SUCH-APP") }, .unknownApplication("NO-SUCH-APP"))
        XCTAssertEqual(Self.cardManagementError { try cms.status(applicationID: "NO-SUCH-APP") }, .unknownApplication("NO-SUCH-APP"))

        // Added applications (an id with a space and Chinese travels in the path).
        var added = zhang
        added.id = "测试 0100"
        try sim.add(added)
        XCTAssertEqual(try cms.application(id: "测试 0100"), added)
        XCTAssertEqual(try cms.status(applicationID: "测试 0100"), ApplicationStatus(applicationID: "测试 0100", state: .awaitingProduction, cardNumber: nil))
        assertRefusedCode("DUPLICATE_APPLICATION") { try sim.add(added) }
    }

    // MARK: Status machine

    func statusMachine() throws {
        let app = "DEMO-0001"
        XCTAssertEqual(try cms.status(applicationID: app).state, .awaitingProduction)
        // Nothing but 制卡中 from 待制卡.
        XCTAssertEqual(Self.cardManagementError { try cms.report(Self.report("r-p0", app, .produced, card: 1)) }, .wrongState(applicationID: app, state: .awaitingProduction))
        XCTAssertEqual(Self.cardManagementError { try cms.report(Self.report("r-f0", app, .failed, card: 1)) }, .wrongState(applicationID: app, state: .awaitingProduction))
        XCTAssertEqual(Self.cardManagementError { try cms.report(Self.report("r-b0", app, .backfilled, card: 1)) }, .wrongState(applicationID: app, state: .awaitingProduction))
        XCTAssertEqual(Self.cardManagementError { try cms.activate(applicationID: app, cardNumber: "SIM000001", requestID: "a-0") },
                       .wrongState(applicationID: app, state: .awaitingProduction))

        // 制卡中 with SIM000001, then 制卡失败.
        XCTAssertEqual(try cms.report(Self.report("r-1", app, .inProduction, card: 1)),
                       ApplicationStatus(applicationID: app, state: .inProduction, cardNumber: "SIM000001"))
        XCTAssertEqual(Self.cardManagementError { try cms.report(Self.report("r-1b", app, .inProduction, card: 2)) }, .wrongState(applicationID: app, state: .inProduction))
        assertRefusedCode("CARD_MISMATCH") { try cms.report(Self.report("r-2x", app, .produced, card: 2)) }
        XCTAssertEqual(try cms.report(Self.report("r-2", app, .failed, card: 1, reason: "卡面未打印")).state, .failed)
        XCTAssertEqual(Self.cardManagementError { try cms.report(Self.report("r-2b", app, .produced, card: 1)) }, .wrongState(applicationID: app, state: .failed))

        // 新即时制卡 with SIM000002, then 制卡补登 (counts as 制卡成功).
        XCTAssertEqual(try cms.report(Self.report("r-3", app, .inProduction, card: 2)).cardNumber, "SIM000002")
        XCTAssertEqual(try cms.status(applicationID: app), ApplicationStatus(applicationID: app, state: .inProduction, cardNumber: "SIM000002"))
        XCTAssertEqual(try cms.report(Self.report("r-4", app, .backfilled, card: 2)),
                       ApplicationStatus(applicationID: app, state: .produced, cardNumber: "SIM000002"))
        XCTAssertEqual(Self.cardManagementError { try cms.report(Self.report("r-5", app, .produced, card: 2)) }, .wrongState(applicationID: app, state: .produced))
        XCTAssertEqual(Self.cardManagementError { try cms.report(Self.report("r-5b", app, .failed, card: 2)) }, .wrongState(applicationID: app, state: .produced))

        // 领卡启用 of another card is refused; of the card made, taken.
        assertRefusedCode("CARD_MISMATCH") { try cms.activate(applicationID: app, cardNumber: "SIM000001", requestID: "a-x") }
        try cms.activate(applicationID: app, cardNumber: "SIM000002", requestID: "a-1")
        XCTAssertEqual(try cms.status(applicationID: app).state, .activated)
        XCTAssertEqual(Self.cardManagementError { try cms.activate(applicationID: app, cardNumber: "SIM000002", requestID: "a-2") },
                       .wrongState(applicationID: app, state: .activated))
        XCTAssertEqual(Self.cardManagementError { try cms.report(Self.report("r-6", app, .inProduction, card: 3)) }, .wrongState(applicationID: app, state: .activated))

        // The card made is now the person's in the 一人一卡 registry.
        let zhang = try cms.application(id: app)
        XCTAssertEqual(try sim.heldCards(socialSecurityNumber: zhang.socialSecurityNumber).map(\.cardNumber), ["SIM000002"])
        XCTAssertEqual(try sim.recordedReports(applicationID: app).map(\.status), [.inProduction, .failed, .inProduction, .backfilled])

        // A card in use for one application cannot go into another.
        assertRefusedCode("CARD_IN_USE") { try cms.report(Self.report("r-7", "DEMO-0002", .inProduction, card: 2)) }
        // Malformed reports.
        assertRefusedCode("BAD_REQUEST") { try cms.report(IssuanceReport(requestID: "", applicationID: "DEMO-0002", status: .inProduction,
                                                                         cardNumber: "SIM000009", cardIdentificationCode: "00", terminal: "t", clerk: "c")) }
        XCTAssertEqual(Self.cardManagementError { try cms.report(Self.report("r-8", "NO-SUCH-APP", .inProduction, card: 9)) }, .unknownApplication("NO-SUCH-APP"))
    }

    // MARK: Idempotency

    func idempotency() throws {
        let app = "DEMO-0002"
        let first = try Self.report("same-id", app, .inProduction, card: 5)
        let answer = try cms.report(first)
        XCTAssertEqual(try cms.report(first), answer, "the same request twice is answered the same")
        XCTAssertEqual(try sim.recordedReports(applicationID: app).count, 1, "and applied once")
        // The same id with other content.
        var other = first
        other.cardNumber = "SIM000006"
        assertRefusedCode("DUPLICATE_REQUEST_ID") { try cms.report(other) }
        var otherStatus = first
        otherStatus.status = .failed
        assertRefusedCode("DUPLICATE_REQUEST_ID") { try cms.report(otherStatus) }
        assertRefusedCode("DUPLICATE_REQUEST_ID") { try cms.activate(applicationID: app, cardNumber: "SIM000005", requestID: "same-id") }

        // Produced; the old 制卡中 report repeated still gets its stored answer.
        let produced = try cms.report(Self.report("prod-id", app, .produced, card: 5))
        XCTAssertEqual(try cms.report(Self.report("prod-id", app, .produced, card: 5)), produced)
        XCTAssertEqual(try cms.report(first), answer)
        XCTAssertEqual(try sim.recordedReports(applicationID: app).map(\.requestID), ["same-id", "prod-id"])

        // activate: idempotent on its request id.
        try cms.activate(applicationID: app, cardNumber: "SIM000005", requestID: "act-id")
        try cms.activate(applicationID: app, cardNumber: "SIM000005", requestID: "act-id")
        XCTAssertEqual(try cms.status(applicationID: app).state, .activated)
        assertRefusedCode("DUPLICATE_REQUEST_ID") { try cms.activate(applicationID: app, cardNumber: "SIM000004", requestID: "act-id") }
    }

    // MARK: 一人一卡

    func onePersonOneCard() throws {
        let li = try cms.application(id: "DEMO-0004")
        XCTAssertEqual(try cms.conflictingCards(socialSecurityNumber: li.socialSecurityNumber, applicationID: li.id),
                       [ExistingCard(cardNumber: "Y41160001", regionCode: "411600", state: "正常")])
        assertRefusedCode("ONE_PERSON_ONE_CARD") { try cms.report(Self.report("opoc-1", li.id, .inProduction, card: 7)) }
        XCTAssertEqual(try cms.status(applicationID: li.id).state, .awaitingProduction)
        assertRefusedCode("SSN_MISMATCH") { try cms.conflictingCards(socialSecurityNumber: "111111198101011110", applicationID: li.id) }
        XCTAssertEqual(Self.cardManagementError { try cms.conflictingCards(socialSecurityNumber: li.socialSecurityNumber, applicationID: "NO-SUCH-APP") },
                       .unknownApplication("NO-SUCH-APP"))

        // 补卡 for the lost card: no conflict; the lost card is cancelled when the new one is made.
        let zhao = try cms.application(id: "DEMO-0005")
        XCTAssertEqual(try cms.conflictingCards(socialSecurityNumber: zhao.socialSecurityNumber, applicationID: zhao.id), [])
        XCTAssertEqual(try sim.heldCards(socialSecurityNumber: zhao.socialSecurityNumber).map(\.state), ["正式挂失"])
        try cms.cancelOldCard(OldCardCancellation(requestID: "opoc-cancel", applicationID: zhao.id, cardNumber: "Y41160002",
                                                  disposition: .lost, terminal: "411600000001", clerk: "柜员01"))
        try cms.report(Self.report("opoc-2", zhao.id, .inProduction, card: 8))
        try cms.report(Self.report("opoc-3", zhao.id, .produced, card: 8))
        let held = try sim.heldCards(socialSecurityNumber: zhao.socialSecurityNumber)
        XCTAssertEqual(Set(held), [ExistingCard(cardNumber: "SIM000008", regionCode: "411600", state: "正常"),
                                   ExistingCard(cardNumber: "Y41160002", regionCode: "411600", state: "已注销")])
        XCTAssertEqual(try cms.conflictingCards(socialSecurityNumber: zhao.socialSecurityNumber, applicationID: zhao.id), [],
                       "the card made for the application is not a conflict of its own")

        // A second new application of 赵六 now conflicts with the card just made.
        var again = zhao
        again.id = "DEMO-0005-NEW"
        again.kind = .new
        try sim.add(again)
        XCTAssertEqual(try cms.conflictingCards(socialSecurityNumber: zhao.socialSecurityNumber, applicationID: again.id),
                       [ExistingCard(cardNumber: "SIM000008", regionCode: "411600", state: "正常")])

        // 换卡 that does not name the card: the person's card still conflicts.
        var renewal = li
        renewal.id = "DEMO-0004-R"
        renewal.kind = .renewal
        try sim.add(renewal)
        XCTAssertEqual(try cms.conflictingCards(socialSecurityNumber: li.socialSecurityNumber, applicationID: renewal.id).count, 1)
        var named = li
        named.id = "DEMO-0004-R2"
        named.kind = .renewal
        try sim.add(named, replacing: "Y41160001")
        XCTAssertEqual(try cms.conflictingCards(socialSecurityNumber: li.socialSecurityNumber, applicationID: named.id), [])
    }

    // MARK: HSM

    /// The HSM's keys open a real (simulated) card through the driver's two-step functions.
    func hsmKeysOpenTheCard() throws {
        let app = "DEMO-0001"
        let (card, spec, id) = try Self.blankCard(1)
        let channel = SimulatedCardChannel(card: card)
        let driver = SSCardInterface(securityModule: nil, channelSource: { kind, _ in kind == .contact ? channel : nil })
        let cardInfo = CardInfoArgument(cardIdentificationCode: id, cardNumber: CardNumber(spec.cardNumber)!)
        let address = try FileAddress(parsing: "SSSEEF06|08|09|$")
        let ssn = try cms.application(id: app).socialSecurityNumber

        // Not 制卡中 yet: the HSM refuses.
        let early = try driver.beginCardWrite(reader: .contact, cardInfo: cardInfo, fileAddress: address)
        XCTAssertEqual(Self.cardManagementError { try cms.authenticationKey(for: early, access: .write, applicationID: app) },
                       .wrongState(applicationID: app, state: .awaitingProduction))
        XCTAssertEqual(Self.cardManagementError { try cms.authenticationKey(for: early, access: .write, applicationID: "NO-SUCH-APP") },
                       .unknownApplication("NO-SUCH-APP"))
        assertRefusedCode("CARD_NOT_IN_PRODUCTION") { try cms.pkiSecrets(cardIdentificationCode: id) }

        try cms.report(Self.report("hsm-1", app, .inProduction, card: 1))

        // Write EF06 through the HSM's write key.
        let writeStep = try driver.beginCardWrite(reader: .contact, cardInfo: cardInfo, fileAddress: address)
        let writeKey = try cms.authenticationKey(for: writeStep, access: .write, applicationID: app)
        XCTAssertEqual(writeKey, try sim.hsm.writeAuthenticationKey(for: writeStep))
        _ = try driver.completeCardWrite(hsmKeys: writeKey, data: "SSSEEF06|\(ssn)|张三|$")

        // Read it back through the HSM's read key.
        let readStep = try driver.beginCardRead(reader: .contact, cardInfo: cardInfo, fileAddress: address)
        let readKey = try cms.authenticationKey(for: readStep, access: .read, applicationID: app)
        XCTAssertEqual(try driver.completeCardRead(hsmKeys: readKey), "SSSEEF06|\(ssn)|张三|$")

        // The read key does not open writing: the card refuses the write key's place.
        let wrongStep = try driver.beginCardWrite(reader: .contact, cardInfo: cardInfo, fileAddress: address)
        let wrongKey = try cms.authenticationKey(for: wrongStep, access: .read, applicationID: app)
        XCTAssertThrowsError(try driver.completeCardWrite(hsmKeys: wrongKey, data: "SSSEEF06|\(ssn)|李四|$"))

        // Another card's challenge is refused for this application.
        let (other, otherSpec, otherID) = try Self.blankCard(2)
        let otherChannel = SimulatedCardChannel(card: other)
        let otherDriver = SSCardInterface(securityModule: nil, channelSource: { kind, _ in kind == .contact ? otherChannel : nil })
        let otherStep = try otherDriver.beginCardRead(
            reader: .contact, cardInfo: CardInfoArgument(cardIdentificationCode: otherID, cardNumber: CardNumber(otherSpec.cardNumber)!), fileAddress: address)
        assertRefusedCode("CARD_MISMATCH") { try cms.authenticationKey(for: otherStep, access: .read, applicationID: app) }

        // After 制卡成功 the HSM no longer serves the application.
        try cms.report(Self.report("hsm-2", app, .produced, card: 1))
        let late = try driver.beginCardRead(reader: .contact, cardInfo: cardInfo, fileAddress: address)
        XCTAssertEqual(Self.cardManagementError { try cms.authenticationKey(for: late, access: .read, applicationID: app) },
                       .wrongState(applicationID: app, state: .produced))
    }

    // MARK: Ledger checkpoints

    /// 台账校验点: the first head per entry number is kept, never replaced; sequence 0 only asks.
    func ledgerCheckpoints() throws {
        let desk = "411600000001", other = "411600000002"
        let a = String(repeating: "A", count: 64), b = String(repeating: "B", count: 64), c = String(repeating: "C", count: 64)
        XCTAssertEqual(try cms.ledgerCheckpoint(terminal: desk, sequence: 0, head: LedgerCheckpoint.genesisHead), [], "asking stores nothing")
        let first = try cms.ledgerCheckpoint(terminal: desk, sequence: 100, head: a)
        XCTAssertEqual(first.map(\.sequence), [100])
        XCTAssertEqual(first.first?.head, a)
        XCTAssertEqual(first.first?.terminal, desk)
        XCTAssertFalse(first.first?.recordedAt.isEmpty ?? true)
        XCTAssertEqual(try cms.ledgerCheckpoint(terminal: desk, sequence: 100, head: a), first, "idempotent")
        let conflicting = try cms.ledgerCheckpoint(terminal: desk, sequence: 100, head: b)
        XCTAssertEqual(conflicting.map(\.head), [a], "the head the system saw first stays")
        XCTAssertEqual(try cms.ledgerCheckpoint(terminal: desk, sequence: 50, head: c).map(\.sequence), [50, 100])
        XCTAssertEqual(try cms.ledgerCheckpoint(terminal: desk, sequence: 0, head: LedgerCheckpoint.genesisHead).map(\.sequence), [50, 100])
        XCTAssertEqual(try cms.ledgerCheckpoint(terminal: other, sequence: 0, head: LedgerCheckpoint.genesisHead), [], "per desk")
        XCTAssertEqual(try sim.ledgerCheckpoints(terminal: desk).map(\.head), [c, a])
        assertRefusedCode("BAD_REQUEST") { try cms.ledgerCheckpoint(terminal: "short", sequence: 1, head: a) }
        assertRefusedCode("BAD_REQUEST") { try cms.ledgerCheckpoint(terminal: desk, sequence: 1, head: "abc") }
        assertRefusedCode("BAD_REQUEST") { try cms.ledgerCheckpoint(terminal: desk, sequence: 0, head: a) }
        assertRefusedCode("BAD_REQUEST") { try cms.ledgerCheckpoint(terminal: desk, sequence: -1, head: a) }
    }

    // MARK: CA

    /// iWriteCaStep1 → CA → iWriteCaStep2 on a simulated card, with the HSM's PKI secrets.
    func certificates() throws {
        let app = "DEMO-0001"
        let (card, spec, id) = try Self.blankCard(3)
        let channel = SimulatedCardChannel(card: card)
        let client = PKIApplicationClient(channel: channel)
        let zhang = try cms.application(id: app)
        try cms.report(Self.report("ca-1", app, .inProduction, card: 3))

        let secrets = try cms.pkiSecrets(cardIdentificationCode: id)
        XCTAssertEqual(secrets.masterCardKey.bytesForTest, card.image.keys[.pkiMaster], "the pre-made card's master key")
        let signingKey = try client.prepareSigningKey(adminPIN: secrets.initialAdminPIN.bytesForTest)
        let request = CACertificateRequest(socialSecurityNumber: zhang.socialSecurityNumber, cardNumber: spec.cardNumber, name: "张三",
                                           regionCode: zhang.regionCode, cardIdentificationCode: id, signingPublicKey: signingKey)

        // Refusals before issuing: other card number, other SSN, other region, a key off the curve.
        var wrong = request
        wrong.cardNumber = "SIM000004"
        assertRefusedCode("CARD_MISMATCH") { try cms.issueCertificates(wrong, applicationID: app) }
        wrong = request
        wrong.socialSecurityNumber = "111111198101011110"
        assertRefusedCode("SSN_MISMATCH") { try cms.issueCertificates(wrong, applicationID: app) }
        wrong = request
        wrong.regionCode = "110000"
        assertRefusedCode("REGION_MISMATCH") { try cms.issueCertificates(wrong, applicationID: app) }
        wrong = request
        wrong.signingPublicKey = [UInt8](repeating: 7, count: 64)
        assertRefusedCode("CA_REFUSED") { try cms.issueCertificates(wrong, applicationID: app) }
        XCTAssertEqual(try sim.issuanceCount(), 0)

        let items = try cms.issueCertificates(request, applicationID: app)
        XCTAssertTrue(items.signingCertificate.isSigned(by: sim.caCertificate))
        XCTAssertTrue(items.encryptionCertificate.isSigned(by: sim.caCertificate))
        XCTAssertEqual(items.signingCertificate.sm2PublicKey?.rawRepresentation, signingKey, "the certificate carries the card's key")
        try client.loadCertificates(items, currentMasterCardKey: secrets.masterCardKey.bytesForTest, adminPIN: secrets.initialAdminPIN.bytesForTest)
        XCTAssertEqual(try client.readCertificate(.signingCertificate)?.derEncoded, items.signingCertificate.derEncoded)

        // The same card and key again: the same items, one issuance on the books.
        let again = try cms.issueCertificates(request, applicationID: app)
        XCTAssertEqual(again, items)
        XCTAssertEqual(try sim.issuanceCount(), 1)
        // Another key for the same card is refused.
        wrong = request
        wrong.signingPublicKey = try SM2PrivateKey().publicKey.rawRepresentation
        assertRefusedCode("CA_ALREADY_ISSUED") { try cms.issueCertificates(wrong, applicationID: app) }

        // The HSM now gives the card's CURRENT master key: the one the CA put on the card.
        let current = try cms.pkiSecrets(cardIdentificationCode: id)
        XCTAssertEqual(current.masterCardKey.bytesForTest, card.image.keys[.pkiMaster])
        XCTAssertNotEqual(current.masterCardKey.bytesForTest, secrets.masterCardKey.bytesForTest)

        // No certificates once the application has left 制卡中.
        try cms.report(Self.report("ca-2", app, .produced, card: 3))
        XCTAssertEqual(Self.cardManagementError { try cms.issueCertificates(request, applicationID: app) }, .wrongState(applicationID: app, state: .produced))
        assertRefusedCode("CARD_NOT_IN_PRODUCTION") { try cms.pkiSecrets(cardIdentificationCode: id) }
    }
}
