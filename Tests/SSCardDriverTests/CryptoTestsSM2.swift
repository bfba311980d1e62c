import XCTest
@testable import SSCardDriver

/// SM2 key handling, signatures and encryption; one signature made by the openssl command line.
final class CryptoTestsSM2: XCTestCase {
    private func hex(_ s: String) -> [UInt8] { [UInt8](hex: s)! }

    // `openssl genpkey -algorithm SM2`, then `openssl pkeyutl -sign -rawin -digest sm3
    // -pkeyopt distid:1234567812345678` over "message digest".
    private let cliScalar = "8DBE70BB1C6A959EFECBA0B648C2D3CCA68C6C3874D82F968815F4B6CC3EE712"
    private let cliPoint = "F01935C11849FFD32C7468FC14BFBACA2E47BC5267E07EBB514D4BB4AD39AFF1"
        + "1A9B98FFF1B205659FF4E47E4058C7682B4C2ED977EF07C682D52FCF81B096D4"
    private let cliSignature = "2CA7909AFBFEA066F614B074A6EC83A17170A548C7A88259992BC6C9AD74834F"
        + "3087D90818EE174CEF49B05662DFFD5CD4A236A02FD5C07B18DD03C5F6E68272"

    func testVerifiesASignatureMadeByTheOpenSSLCommandLine() throws {
        let key = try SM2PublicKey(rawRepresentation: hex(cliPoint))
        let message = Array("message digest".utf8)
        XCTAssertTrue(try key.isValidSignature(hex(cliSignature), for: message))
        XCTAssertFalse(try key.isValidSignature(hex(cliSignature), for: message, userID: Array("1234".utf8)))
        XCTAssertFalse(try key.isValidSignature(hex(cliSignature), for: Array("message digesT".utf8)))
    }

    func testImportedScalarGivesTheCommandLinePublicKey() throws {
        let key = try SM2PrivateKey(rawRepresentation: hex(cliScalar))
        XCTAssertEqual(key.publicKey.rawRepresentation.hexString, cliPoint)
        XCTAssertEqual(try key.exportRawRepresentation().hexString, cliScalar)
    }

    func testGeneratedKeySignsAndVerifies() throws {
        let key = try SM2PrivateKey()
        XCTAssertEqual(key.publicKey.rawRepresentation.count, 64)
        let message = Array("社会保障卡".utf8)
        let signature = try key.signature(for: message)
        XCTAssertEqual(signature.count, 64)
        XCTAssertTrue(try key.publicKey.isValidSignature(signature, for: message))
        var bad = signature
        bad[10] ^= 0x01
        XCTAssertFalse(try key.publicKey.isValidSignature(bad, for: message))
        XCTAssertFalse(try key.publicKey.isValidSignature(Array(signature.prefix(63)), for: message))
        let other = try SM2PrivateKey()
        XCTAssertFalse(try other.publicKey.isValidSignature(signature, for: message))
    }

    func testExportImportRoundTrip() throws {
        let key = try SM2PrivateKey()
        let again = try SM2PrivateKey(rawRepresentation: key.exportRawRepresentation())
        XCTAssertEqual(again.publicKey, key.publicKey)
        let imported = try SM2PublicKey(rawRepresentation: key.publicKey.rawRepresentation)
        XCTAssertTrue(try imported.isValidSignature(try again.signature(for: [1, 2, 3]), for: [1, 2, 3]))
    }

    func testEncryptDecryptRoundTripAndTampering() throws {
        let key = try SM2PrivateKey()
        let plaintext = [UInt8](0..<96)
        let ciphertext = try key.publicKey.encrypt(plaintext)
        XCTAssertGreaterThan(ciphertext.count, plaintext.count + 64)
        XCTAssertEqual(try key.decrypt(ciphertext), plaintext)

        var tampered = ciphertext
        tampered[tampered.count - 1] ^= 0x55
        XCTAssertThrowsError(try key.decrypt(tampered)) { error in
            guard case CryptoError.decryptionFailed = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try SM2PrivateKey().decrypt(ciphertext)) { error in
            guard case CryptoError.decryptionFailed = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try key.decrypt([0x30, 0x03, 0x02, 0x01]))
        XCTAssertThrowsError(try key.decrypt([]))
        XCTAssertThrowsError(try key.publicKey.encrypt([]))
    }

    func testRefusesPointsOffTheCurve() {
        var point = hex(cliPoint)
        point[63] ^= 0x01
        XCTAssertThrowsError(try SM2PublicKey(rawRepresentation: point)) { error in
            guard case CryptoError.invalidPublicKey = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try SM2PublicKey(rawRepresentation: [UInt8](repeating: 0, count: 64)))
        // Coordinates at or above p are refused by the range check, not reduced modulo p.
        XCTAssertThrowsError(try SM2PublicKey(rawRepresentation: [UInt8](repeating: 0xFF, count: 64))) { error in
            guard case CryptoError.invalidPublicKey = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try SM2PublicKey(rawRepresentation: Array(hex(cliPoint).prefix(32))))
    }

    func testRefusesScalarsOutOfRange() {
        for scalar in [[UInt8](repeating: 0, count: 32), [UInt8](repeating: 0xFF, count: 32), [1, 2, 3]] {
            XCTAssertThrowsError(try SM2PrivateKey(rawRepresentation: scalar)) { error in
                guard case CryptoError.invalidPrivateKey = error else { return XCTFail("\(error)") }
            }
        }
        // n − 1 is not a valid SM2 private key (1 + d would not be invertible).
        let nMinus1 = hex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54122")
        XCTAssertThrowsError(try SM2PrivateKey(rawRepresentation: nMinus1))
        let nMinus2 = hex("FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54121")
        XCTAssertNoThrow(try SM2PrivateKey(rawRepresentation: nMinus2))
    }

    func testKeysAreUsableFromManyThreads() throws {
        let key = try SM2PrivateKey()
        let message = Array("concurrent".utf8)
        DispatchQueue.concurrentPerform(iterations: 16) { _ in
            guard let signature = try? key.signature(for: message) else { return XCTFail("sign failed") }
            XCTAssertEqual(try? key.publicKey.isValidSignature(signature, for: message), true)
        }
    }
}
