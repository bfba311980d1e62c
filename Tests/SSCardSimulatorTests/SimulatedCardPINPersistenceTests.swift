import Foundation
import XCTest
import SSCardDriver
import Synchronization
@testable import SSCardSimulator

/// The PIN try counter lives in the card's non-volatile memory and is written *before* the PIN
/// is compared (docs/card-simulation.md, "PIN try counters"): a card whose image cannot be
/// saved rates no PIN at all, and a wrong PIN stays counted even if the process dies at once.
final class SimulatedCardPINPersistenceTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pin-persistence-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        if let directory {
            _ = chmod(directory.path, 0o700)
            try? FileManager.default.removeItem(at: directory)
        }
    }

    /// A store that refuses the writes after the first `succeeding`, and keeps every image it took.
    final class ScriptedStore: CardImageStore {
        private let state: Mutex<(left: Int, saved: [CardImage])>
        init(succeeding: Int) { state = Mutex((succeeding, [])) }
        var saved: [CardImage] { state.withLock { $0.saved } }
        func save(_ image: CardImage) throws(CardImageError) {
            let ok = state.withLock { s -> Bool in
                guard s.left > 0 else { return false }
                s.left -= 1
                s.saved.append(image)
                return true
            }
            guard ok else { throw .unwritable(path: "test store", reason: "simulated EEPROM failure") }
        }
    }

    private func terminal(_ image: CardImage, store: any CardImageStore) -> TestTerminal {
        TestTerminal(card: SimulatedSSCard(image: image, store: store))
    }

    func testACardThatCannotSaveAcceptsNoPINAndResetsNoCounter() throws {
        var image = try PreMadeCardFactory().blankCard(.sample())
        image.userPIN.triesLeft = 2
        let store = ScriptedStore(succeeding: 0)
        let t = terminal(image, store: store)
        for _ in 0..<10 {
            XCTAssertEqual(t.verifyPIN("123456"), 0x6581, "the right PIN is not even compared")
            XCTAssertEqual(t.verifyPIN("654321"), 0x6581, "nor a wrong one")
        }
        XCTAssertEqual(t.sw("00200000"), 0x63C2, "not verified, counter as it was")
        XCTAssertEqual(t.card.image.userPIN.triesLeft, 2, "no reset of the counter")
        XCTAssertEqual(t.sw("805E010007123456FF246813"), 0x6581, "CHANGE PIN presents the old PIN the same way")
        XCTAssertEqual(t.card.image.userPIN.value, "123456")

        t.selectCertificateADF()
        XCTAssertEqual(t.verifyAdminPIN(), 0x6581, "the admin PIN likewise")
        XCTAssertEqual(t.sw("00200001"), 0x63C6)
        XCTAssertTrue(store.saved.isEmpty)
    }

    func testARightPINWhoseRestoreCannotBeSavedLeavesTheTrySpent() throws {
        let store = ScriptedStore(succeeding: 1)
        let t = terminal(try PreMadeCardFactory().blankCard(.sample()), store: store)
        XCTAssertEqual(t.verifyPIN("123456"), 0x6581, "the try was recorded, the full counter could not be")
        XCTAssertEqual(store.saved.map(\.userPIN.triesLeft), [5])
        XCTAssertEqual(t.card.image.userPIN.triesLeft, 5, "the card keeps what its memory holds")
        XCTAssertEqual(t.sw("00200000"), 0x63C5, "not verified")
    }

    func testTheTryIsOnRecordBeforeThePINIsCompared() throws {
        let store = ScriptedStore(succeeding: 10)
        let t = terminal(try PreMadeCardFactory().blankCard(.sample()), store: store)
        XCTAssertEqual(t.verifyPIN("123456"), 0x9000)
        XCTAssertEqual(store.saved.map(\.userPIN.triesLeft), [5, 6],
                       "first the spent try, then (right PIN) the full counter: dying in between costs a try, never gives one")
        XCTAssertEqual(t.verifyPIN("000000"), 0x63C5)
        XCTAssertEqual(store.saved.map(\.userPIN.triesLeft), [5, 6, 5], "a wrong PIN needs one write, made before the answer")
    }

    func testAWrongPINStaysCountedWhenTheProcessDiesRightAfter() throws {
        let url = directory.appendingPathComponent("card.json")
        try PreMadeCardFactory().blankCard(.sample()).save(to: url)
        for expected in [5, 4, 3] {
            // A fresh process each time: load the image, one wrong VERIFY, then "killed" (the
            // card object is dropped without any further save) and the image read back.
            let card = try SimulatedSSCard(contentsOf: url)
            let t = TestTerminal(card: card)
            XCTAssertEqual(t.verifyPIN("999999"), 0x63C0 | UInt16(expected))
            XCTAssertEqual(try CardImage.load(from: url).userPIN.triesLeft, expected)
        }
        let card = try SimulatedSSCard(contentsOf: url)
        XCTAssertEqual(TestTerminal(card: card).verifyPIN("123456"), 0x9000)
        XCTAssertEqual(try CardImage.load(from: url).userPIN.triesLeft, 6, "a right PIN restores the counter on record")
    }

    func testAnImageFileThatCannotBeWrittenAcceptsNoPIN() throws {
        // A "folder" that is a regular file: no one, root included, can write the image there.
        let notAFolder = directory.appendingPathComponent("plain-file")
        try Data().write(to: notAFolder)
        let t = TestTerminal(card: SimulatedSSCard(image: try PreMadeCardFactory().blankCard(.sample()),
                                                   storageURL: notAFolder.appendingPathComponent("card.json")))
        XCTAssertEqual(t.verifyPIN("123456"), 0x6581)
        XCTAssertEqual(t.verifyPIN("000000"), 0x6581)
        XCTAssertEqual(t.card.image.userPIN.triesLeft, 6)
    }

    func testAnImageInAReadOnlyFolderAcceptsNoPIN() throws {
        try XCTSkipIf(geteuid() == 0, "root writes into a read-only folder anyway; the failing stores above cover it")
        let folder = directory.appendingPathComponent("read-only")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let url = folder.appendingPathComponent("card.json")
        var image = try PreMadeCardFactory().blankCard(.sample())
        image.userPIN.triesLeft = 3
        try image.save(to: url)
        XCTAssertEqual(chmod(folder.path, 0o500), 0)
        let t = TestTerminal(card: try SimulatedSSCard(contentsOf: url))
        XCTAssertEqual(t.verifyPIN("123456"), 0x6581)
        XCTAssertEqual(t.verifyPIN("000000"), 0x6581)
        XCTAssertEqual(try CardImage.load(from: url).userPIN.triesLeft, 3)
    }
}
