import XCTest
@testable import SSCardDriver

/// The secret type: built from a buffer, an array it wipes, text or hex; lent, never copied
/// behind the caller's back; compared without an early exit.
final class SecretBytesTests: XCTestCase {
    private func hexBytes(_ text: String) -> [UInt8]? {
        guard let key = SecretBytes(hex: text) else { return nil }
        return key.withUnsafeBytes { [UInt8]($0) }
    }

    func testBuildsFromHexStraightIntoItsStorage() {
        XCTAssertEqual(hexBytes("53494d544553544b45592d504b494d4b").map { String(decoding: $0, as: UTF8.self) }, "SIMTESTKEY-PKIMK")
        XCTAssertEqual(hexBytes("00FFaa"), [0x00, 0xFF, 0xAA])
        XCTAssertNil(hexBytes("0"), "odd length")
        XCTAssertNil(hexBytes("0G"), "not hex")
        XCTAssertEqual(hexBytes(""), [])
    }

    func testTakingAnArrayWipesIt() {
        var digits: [UInt8] = Array("908172".utf8)
        let pin = SecretBytes(wiping: &digits)
        XCTAssertEqual(digits, [], "the caller's array is wiped and emptied")
        XCTAssertEqual(pin.withUnsafeBytes { [UInt8]($0) }, Array("908172".utf8))
        XCTAssertTrue(PINRules.isWellFormed(pin))
        XCTAssertFalse(PINRules.isInitialPIN(pin))
        XCTAssertTrue(PINRules.isInitialPIN(SecretBytes(utf8: "123456")))
        XCTAssertFalse(PINRules.isWellFormed(SecretBytes(utf8: "12a4")))
    }

    func testCopyIsIndependentAndEqualityIsByContent() {
        let a = SecretBytes(utf8: "SIMTESTKEY-PUK01")
        let b = a.copy()
        XCTAssertTrue(a.isEqual(to: b))
        XCTAssertFalse(a.isEqual(to: SecretBytes(utf8: "SIMTESTKEY-PUK02")))
        XCTAssertFalse(a.isEqual(to: SecretBytes(utf8: "SIMTESTKEY")))
        let addresses = (a.withUnsafeBytes { $0.baseAddress }, b.withUnsafeBytes { $0.baseAddress })
        XCTAssertNotEqual(addresses.0, addresses.1, "a copy is its own allocation")
    }

    func testTemporaryArrayHasTheBytesAndTheInitialiserCleansUpOnFailure() throws {
        let key = SecretBytes(utf8: "SIMTESTKEY-RK-0A")
        let encrypted = try key.withTemporaryArray { try SM4.encryptECB([UInt8](repeating: 1, count: 16), key: $0) }
        XCTAssertEqual(encrypted, try SM4.encryptECB([UInt8](repeating: 1, count: 16), key: Array("SIMTESTKEY-RK-0A".utf8)))
        struct Refused: Error {}
        XCTAssertThrowsError(try { () throws in
            let made = try SecretBytes(count: 4) { (_: UnsafeMutableRawBufferPointer) throws(Refused) in throw Refused() }
            XCTFail("made \(made.count) bytes")
        }())
    }

    func testMasterKeysAreComparedAndHashedWithoutTheirBytes() throws {
        let keys = HSMMasterKeys(Dictionary(uniqueKeysWithValues: CardKeyRole.allCases.map { ($0, [UInt8](repeating: 7, count: 16)) }))
        let same = HSMMasterKeys(Dictionary(uniqueKeysWithValues: CardKeyRole.allCases.map { ($0, [UInt8](repeating: 7, count: 16)) }))
        var other = Dictionary(uniqueKeysWithValues: CardKeyRole.allCases.map { ($0, [UInt8](repeating: 7, count: 16)) })
        other[.pkiMaster]![15] = 8
        XCTAssertEqual(keys, same)
        XCTAssertEqual(keys.hashValue, same.hashValue)
        XCTAssertNotEqual(keys, HSMMasterKeys(wiping: &other))
        XCTAssertEqual(other, [:], "init(wiping:) empties the caller's table")
        XCTAssertFalse("\(keys)".contains("7, 7"), "no key bytes in the description: \(keys)")
        let cardID = [UInt8](repeating: 0x41, count: 16)
        XCTAssertEqual(try keys.secretCardKey(.readKey, cardID: cardID).withUnsafeBytes { [UInt8]($0) },
                       try CardKeyScheme.cardKey(master: [UInt8](repeating: 7, count: 16), cardID: cardID))
    }
}
