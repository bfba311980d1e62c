import XCTest
@testable import SSCardDriver

/// SM3 and SM4 against published vectors, and the CBC-MAC against a chain computed by hand.
final class CryptoTestsSymmetric: XCTestCase {
    private func hex(_ s: String) -> [UInt8] { [UInt8](hex: s)! }

    func testSM4EncryptsTheGBT32907Example() throws {
        let key = hex("0123456789ABCDEFFEDCBA9876543210")
        XCTAssertEqual(try SM4.encryptECB(key, key: key).hexString, "681EDF34D206965E86B3E94F536E4246")
        XCTAssertEqual(try SM4.decryptECB(hex("681EDF34D206965E86B3E94F536E4246"), key: key), key)
    }

    func testSM4ECBEncryptsBlocksIndependently() throws {
        let key = hex("0123456789ABCDEFFEDCBA9876543210")
        let twice = try SM4.encryptECB(key + key, key: key)
        XCTAssertEqual(twice.hexString, "681EDF34D206965E86B3E94F536E4246" + "681EDF34D206965E86B3E94F536E4246")
        XCTAssertEqual(try SM4.decryptECB(twice, key: key), key + key)
    }

    func testSM4RefusesBadSizes() {
        let key = [UInt8](repeating: 1, count: 16)
        XCTAssertThrowsError(try SM4.encryptECB([1, 2, 3], key: key)) { error in
            XCTAssertEqual(error as? CryptoError, .invalidInputLength(expected: "a multiple of 16 bytes", actual: 3))
        }
        XCTAssertThrowsError(try SM4.encryptECB(key, key: [1, 2])) { error in
            XCTAssertEqual(error as? CryptoError, .invalidKeyLength(expected: 16, actual: 2))
        }
        XCTAssertThrowsError(try SM4.cbcMAC([1], key: key, iv: [0]))
        XCTAssertEqual(try SM4.encryptECB([], key: key), [])
    }

    func testPaddingMethod2AlwaysAddsAByte() {
        XCTAssertEqual(SM4.padMethod2([]), [0x80] + [UInt8](repeating: 0, count: 15))
        XCTAssertEqual(SM4.padMethod2([UInt8](repeating: 7, count: 15)).count, 16)
        XCTAssertEqual(SM4.padMethod2([UInt8](repeating: 7, count: 16)).count, 32)
        XCTAssertEqual(SM4.padMethod2([UInt8](repeating: 7, count: 16))[16], 0x80)
    }

    /// Expected value from `openssl enc -sm4-cbc -nopad` over "1234" ‖ 80 00…
    func testCBCMACMatchesOpenSSLCommandLine() throws {
        let mac = try SM4.cbcMAC(Array("1234".utf8), key: hex("0123456789ABCDEFFEDCBA9876543210"),
                                 iv: hex("000102030405060708090A0B0C0D0E0F"))
        XCTAssertEqual(mac.hexString, "342B29F2A3A06EF95CB4AFF45A3F014C")
    }

    func testCBCMACEqualsAHandMadeChain() throws {
        let key = hex("00112233445566778899AABBCCDDEEFF")
        let iv = hex("A1A2A3A4A5A6A7A80000000000000000")
        let data = Array("CBC-MAC over more than one block of data".utf8)
        var chain = iv
        let padded = SM4.padMethod2(data)
        for start in stride(from: 0, to: padded.count, by: 16) {
            let block = zip(chain, padded[start..<(start + 16)]).map { $0 ^ $1 }
            chain = try SM4.encryptECB(block, key: key)
        }
        XCTAssertEqual(try SM4.cbcMAC(data, key: key, iv: iv), chain)
        var tampered = data
        tampered[0] ^= 1
        XCTAssertNotEqual(try SM4.cbcMAC(tampered, key: key, iv: iv), chain)
    }

    func testSM3Vectors() throws {
        XCTAssertEqual(try SM3.hash(Array("abc".utf8)).hexString,
                       "66C7F0F462EEEDD9D1F2D46BDC10E4E24167C4875CF2F7A2297DA02B8F4BA8E0")
        XCTAssertEqual(try SM3.hash(Array(String(repeating: "abcd", count: 16).utf8)).hexString,
                       "DEBE9FF92275B8A138604889C18E5A4D6FDB70E5387E5765293DCBA39C0C5732")
    }

    func testSecureRandomGivesFreshBytes() throws {
        let a = try SecureRandom.bytes(16), b = try SecureRandom.bytes(16)
        XCTAssertEqual(a.count, 16)
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(try SecureRandom.bytes(0), [])
    }
}
