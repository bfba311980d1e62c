import XCTest
@testable import SSCardDriver
import SSCardSimulator

/// The simulation key scheme computed by hand from SM4, so that a change to either shows.
final class CryptoTestsKeyScheme: XCTestCase {
    private let cardID = [UInt8](hex: "411600D156000005C38275EEFC9B9648")!
    private let keys = HSMMasterKeys.simulatorTestKeys

    /// A master key as an array, for the hand computation (the HSM only lends it to SM4).
    private func master(_ role: CardKeyRole) -> [UInt8] { try! keys.withMasterKey(role) { $0 } }

    func testTestMasterKeysAreTheirDocumentedNames() {
        XCTAssertEqual(String(decoding: master(.internalAuthentication), as: UTF8.self), "SIMTESTKEY-IRK01")
        XCTAssertEqual(String(decoding: master(.readKey), as: UTF8.self), "SIMTESTKEY-RK-0A")
        XCTAssertEqual(String(decoding: master(.writeKey), as: UTF8.self), "SIMTESTKEY-UK-04")
        XCTAssertEqual(String(decoding: master(.pinUnblock), as: UTF8.self), "SIMTESTKEY-PUK01")
        XCTAssertEqual(String(decoding: master(.pkiMaster), as: UTF8.self), "SIMTESTKEY-PKIMK")
    }

    func testCardKeyIsTheMasterKeyOverTheCardID() throws {
        let key = try CardKeyScheme.cardKey(master: master(.readKey), cardID: cardID)
        XCTAssertEqual(key, try SM4.encryptECB(cardID, key: master(.readKey)))
        XCTAssertEqual(try keys.cardKey(.readKey, cardID: cardID), key)
        XCTAssertNotEqual(try keys.cardKey(.writeKey, cardID: cardID), key)
        var otherCard = cardID
        otherCard[15] ^= 1
        XCTAssertNotEqual(try keys.cardKey(.readKey, cardID: otherCard), key)
        XCTAssertThrowsError(try CardKeyScheme.cardKey(master: master(.readKey), cardID: Array(cardID.prefix(8))))
    }

    func testAuthenticationValues() throws {
        let irk = try keys.cardKey(.internalAuthentication, cardID: cardID)
        let factor: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8], raw: [UInt8] = [9, 10, 11, 12, 13, 14, 15, 16]
        XCTAssertEqual(try CardKeyScheme.internalAuthResponse(cardKey: irk, factor: factor, raw: raw),
                       try SM4.encryptECB(factor + raw, key: irk))
        XCTAssertThrowsError(try CardKeyScheme.internalAuthResponse(cardKey: irk, factor: [1], raw: raw))

        let rk = try keys.cardKey(.readKey, cardID: cardID)
        let challenge: [UInt8] = [0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7]
        let cryptogram = try CardKeyScheme.externalAuthCryptogram(cardKey: rk, challenge: challenge, cardID: cardID)
        XCTAssertEqual(cryptogram, Array(try SM4.encryptECB(challenge + Array(cardID[8...]), key: rk).prefix(8)))
        XCTAssertEqual(try CardKeyScheme.externalAuthData(cardKey: rk, challenge: challenge, cardID: cardID), cryptogram + challenge)
        XCTAssertEqual(CardKeyRole(externalAuthenticationKeyID: 0x0A), .readKey)
        XCTAssertEqual(CardKeyRole(externalAuthenticationKeyID: 0x04), .writeKey)
        XCTAssertNil(CardKeyRole(externalAuthenticationKeyID: 0x06))
    }

    func testPINCommandMACCoversHeaderLcAndData() throws {
        let puk = try keys.cardKey(.pinUnblock, cardID: cardID)
        let challenge: [UInt8] = [1, 1, 2, 3, 5, 8, 13, 21]
        let newPIN: [UInt8] = [0x65, 0x43, 0x21]
        let mac = try CardKeyScheme.pinCommandMAC(cardKey: puk, challenge: challenge, header: [0x84, 0x5E, 0, 0], data: newPIN)
        let expected = try SM4.cbcMAC([0x84, 0x5E, 0x00, 0x00, 0x07] + newPIN, key: puk, iv: challenge + [UInt8](repeating: 0, count: 8))
        XCTAssertEqual(mac, Array(expected.prefix(4)))
        XCTAssertNotEqual(try CardKeyScheme.pinCommandMAC(cardKey: puk, challenge: challenge, header: [0x84, 0x5E, 0, 1], data: newPIN), mac)

        let command = try CardKeyScheme.securedCommand(cla: 0x84, ins: 0x5E, p1: 0, p2: 0, data: newPIN, cardKey: puk, challenge: challenge)
        XCTAssertEqual(command.bytes, [0x84, 0x5E, 0x00, 0x00, 0x07] + newPIN + mac)
        XCTAssertThrowsError(try CardKeyScheme.pinCommandMAC(cardKey: puk, challenge: [1, 2], header: [0x84, 0x24, 0, 0], data: []))
    }
}
