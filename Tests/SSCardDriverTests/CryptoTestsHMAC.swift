import XCTest
@testable import SSCardDriver

/// HMAC-SM3 (RFC 2104 over SM3) against vectors computed independently on this machine with
/// OpenSSL 3.0's HMAC (`openssl dgst -sm3 -hmac KEY`, `-mac HMAC -macopt hexkey:…`) and Python's
/// `hmac` module over `hashlib.new("sm3")`; both gave the same values.
final class CryptoTestsHMAC: XCTestCase {
    private func mac(_ key: [UInt8], _ message: String) throws -> String {
        try SM3HMAC.mac(key: key, message: Array(message.utf8)).hexString
    }

    func testShortKeys() throws {
        // printf 'what do ya want for nothing?' | openssl dgst -sm3 -hmac 'Jefe'   (RFC 2202's case 2)
        XCTAssertEqual(try mac(Array("Jefe".utf8), "what do ya want for nothing?"),
                       "2E87F1D16862E6D964B50A5200BF2B10B764FAA9680A296A2405F24BEC39F882")
        // printf 'abc' | openssl dgst -sm3 -hmac 'key'
        XCTAssertEqual(try mac(Array("key".utf8), "abc"), "28E63256E7C5A087B1F073265DC53092163F7B82729735D06F28F10AF9D52393")
        // printf '' | openssl dgst -sm3 -hmac 'key'
        XCTAssertEqual(try mac(Array("key".utf8), ""), "4DEB29B9BE17BD4FD2ACA21F908885B9F849BC61E8FBD101E04FD9987528D4DF")
    }

    func testAKeyOfExactlyOneBlockIsUsedAsIs() throws {
        // -macopt hexkey:000102…3f (64 bytes)
        XCTAssertEqual(try mac(Array(0...63), "exactly one block of key"),
                       "C59C951959200462B292DDB32252C0C6904F391FBF150007019D38A6076059FF")
    }

    func testAKeyLongerThanABlockIsHashedFirst() throws {
        // RFC 4231's case 6 message, key 131 × 0xAA (-macopt hexkey:aaaa…)
        let key = [UInt8](repeating: 0xAA, count: 131)
        XCTAssertEqual(try mac(key, "Test Using Larger Than Block-Size Key - Hash Key First"),
                       "B4FD844E13342002F0B2E0690EA7741F1497D993A70494CEA601E657BEDF67A0")
        XCTAssertEqual(try SM3HMAC.mac(key: key, message: []), try SM3HMAC.mac(key: SM3.hash(key), message: []))
    }

    func testTheMACDependsOnEveryKeyByte() throws {
        var key = [UInt8](repeating: 0x11, count: 32)
        let a = try SM3HMAC.mac(key: key, message: Array("ledger".utf8))
        key[31] ^= 1
        XCTAssertNotEqual(a, try SM3HMAC.mac(key: key, message: Array("ledger".utf8)))
        XCTAssertNotEqual(a, try SM3.hash(Array("ledger".utf8)), "keyed, not a plain hash")
        XCTAssertEqual(a.count, SM3HMAC.macSize)
    }
}
