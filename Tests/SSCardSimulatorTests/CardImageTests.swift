import XCTest
import SSCardDriver
@testable import SSCardSimulator

/// The factory and the JSON image: save, load, persistence across restarts, corrupt files.
final class CardImageTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("card-image-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func testFactoryMakesTheDocumentedBlankCard() throws {
        let image = try PreMadeCardFactory().blankCard(.sample(sequence: 42))
        let id = image.cardIdentificationCode
        XCTAssertEqual(id.regionCode, "411600")
        XCTAssertEqual(Array(id.bytes[3..<8]), SSSE.rid)
        XCTAssertEqual(image.records.value(of: .cardNumber), Array("SIM000042".utf8))
        XCTAssertEqual(image.records.value(of: .cardType), Array("3".utf8))
        XCTAssertEqual(image.records.recordNumbers(in: .ef05), [1, 2, 3, 4, 5, 6, 7])
        XCTAssertEqual(image.records.recordNumbers(in: .ef06), [])
        XCTAssertEqual(image.label.bank, "模拟银行")
        XCTAssertEqual(image.userPIN.value, "123456")
        XCTAssertEqual(image.pki.adminPIN.value, "12345678")
        XCTAssertEqual(image.keys[.readKey], try HSMMasterKeys.simulatorTestKeys.cardKey(.readKey, cardID: id.bytes))
        XCTAssertEqual(try PreMadeCardFactory().blankCard(.sample(sequence: 42)), image, "same spec, same card")
        XCTAssertNotEqual(try PreMadeCardFactory().blankCard(.sample(sequence: 43)).cardIdentificationCode, id)
    }

    func testFactoryRefusesBadFields() {
        var spec = PreMadeCardSpec.sample()
        spec.regionCode = "41160"
        XCTAssertThrowsError(try PreMadeCardFactory().blankCard(spec))
        spec = .sample()
        spec.cardNumber = "sim000001"
        XCTAssertThrowsError(try PreMadeCardFactory().blankCard(spec))
        spec = .sample()
        spec.issueDate = "2021-12-3"
        XCTAssertThrowsError(try PreMadeCardFactory().blankCard(spec))
        var holder = CardHolder.sample
        holder.name = String(repeating: "张", count: 16)   // 32 bytes
        XCTAssertThrowsError(try PreMadeCardFactory().personalisedCard(.sample(), holder: holder))
        holder = .sample
        holder.sex = "3"
        XCTAssertThrowsError(try PreMadeCardFactory().personalisedCard(.sample(), holder: holder))
    }

    func testSaveLoadGivesTheSameCard() throws {
        let t = try TestTerminal.personalised()
        // Put something in every part of the image.
        t.selectCertificateADF(file: .encryptionCertificate)
        XCTAssertEqual(t.sw("8040000008C0020012C2020013"), 0x9000)
        XCTAssertEqual(t.verifyAdminPIN(), 0x9000)
        XCTAssertEqual(t.sw("00D6000004DEADBEEF"), 0x9000)
        XCTAssertEqual(t.verifyPIN("000000"), 0x63C5)
        let url = directory.appendingPathComponent("card.json")
        try t.card.image.save(to: url)
        let loaded = try CardImage.load(from: url)
        XCTAssertEqual(loaded, t.card.image)
        XCTAssertEqual(loaded.userPIN.triesLeft, 5)
        XCTAssertTrue(loaded.isPersonalised)
        let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        let text = try String(contentsOf: url, encoding: .utf8)
        XCTAssertTrue(text.contains("\"format\" : \"sscard-simulated-3.0-card\""))
        XCTAssertTrue(text.contains("\"encryptionCertificate\" : \"DEADBEEF\""), "certificates stored without trailing zeros")
    }

    func testCardWithStorageSurvivesARestart() throws {
        let url = directory.appendingPathComponent("technician.json")
        try PreMadeCardFactory().blankCard(.sample()).save(to: url)
        do {
            let card = try SimulatedSSCard(contentsOf: url)
            let t = TestTerminal(image: card.image, storageURL: url)
            t.selectSSSE(file: .ef06)
            XCTAssertEqual(try t.externalAuthenticate(.writeKey), 0x9000)
            XCTAssertEqual(t.sw(SSSECommands.updateRecord(number: 1, record: SimpleTLV(tag: 0x08, value: Array("111111198101011110".utf8)))), 0x9000)
            XCTAssertEqual(t.verifyPIN("999999"), 0x63C5)
        }
        let restarted = try SimulatedSSCard(contentsOf: url)
        XCTAssertTrue(restarted.image.isPersonalised)
        XCTAssertEqual(restarted.image.userPIN.triesLeft, 5)
    }

    func testFailedSaveUndoesTheChangeAndAnswers6581() throws {
        let missing = directory.appendingPathComponent("no-such-dir/card.json")
        let t = TestTerminal(image: try PreMadeCardFactory().blankCard(.sample()), storageURL: missing)
        XCTAssertEqual(t.verifyPIN("999999"), 0x6581)
        XCTAssertEqual(t.card.image.userPIN.triesLeft, 6, "the try is not spent if it cannot be stored")
        XCTAssertEqual(t.verifyPIN("123456"), 0x6581, "nor is the right PIN accepted: the try is written before the comparison")
    }

    func testCorruptFilesGiveClearErrors() throws {
        let url = directory.appendingPathComponent("bad.json")
        XCTAssertThrowsError(try CardImage.load(from: url)) { error in
            guard case CardImageError.unreadable = error else { return XCTFail("\(error)") }
        }
        try Data("{ not json".utf8).write(to: url)
        XCTAssertThrowsError(try CardImage.load(from: url)) { error in
            guard case CardImageError.corrupt(let path, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(path, url.path)
            XCTAssertTrue("\(error)".contains("is corrupt"))
        }

        try PreMadeCardFactory().blankCard(.sample()).save(to: url)
        let good = try String(contentsOf: url, encoding: .utf8)
        let cases: [(String, String)] = [
            ("\"triesLeft\" : 6", "\"triesLeft\" : 9"),
            ("\"format\" : \"sscard-simulated-3.0-card\"", "\"format\" : \"something-else\""),
            ("\"formatVersion\" : 1", "\"formatVersion\" : 2"),
            ("\"value\" : \"123456\"", "\"value\" : \"12\""),
            ("\"1\" : \"0110", "\"1\" : \"0120"),
            ("\"readKey\" : \"", "\"readKey\" : \"00"),
            ("\"cardIdentificationCode\" : \"411600D1", "\"cardIdentificationCode\" : \"411600D2"),
        ]
        for (original, broken) in cases {
            XCTAssertTrue(good.contains(original), original)
            try Data(good.replacingOccurrences(of: original, with: broken).utf8).write(to: url)
            XCTAssertThrowsError(try CardImage.load(from: url), broken) { error in
                guard case CardImageError.corrupt(_, let reason) = error else { return XCTFail("\(error)") }
                XCTAssertFalse(reason.isEmpty)
            }
        }
        XCTAssertThrowsError(try SimulatedSSCard(contentsOf: url))
    }
}
