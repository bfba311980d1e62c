import Foundation
import XCTest
import SSCardDriver
@testable import SSCardSimulator

/// The simulated province CA: what it issues, what it refuses, the interface string, and its
/// certificates checked by the openssl command line (an encoder other than the driver's).
final class SimulatedCATests: XCTestCase {
    private let cardID = CardIdentificationCode(hex: "411600D1560000055C679BE082C3A770")!

    private func request(key: [UInt8], algorithm: String = "SM2", ssn: String = "111111198101011110",
                         cardNumber: String = "SIM000001", name: String = "张三", region: String = "411600") -> CACertificateRequest {
        CACertificateRequest(socialSecurityNumber: ssn, cardNumber: cardNumber, name: name, regionCode: region,
                             cardIdentificationCode: cardID, signingPublicKey: key, algorithm: algorithm)
    }

    func testIssuesTheFiveItems() throws {
        let ca = try SimulatedCA()
        let cardKey = try SM2PrivateKey()
        let issued = try ca.issue(request(key: cardKey.publicKey.rawRepresentation))
        let items = issued.items

        // 签名证书: the card's key, the holder in the subject, CN as UTF8String.
        let signing = items.signingCertificate
        XCTAssertEqual(signing.sm2PublicKey, cardKey.publicKey)
        XCTAssertEqual(signing.version, 3)
        XCTAssertEqual(signing.signatureAlgorithm, "SM2-with-SM3")
        XCTAssertEqual(signing.subjectValue("CN"), "张三")
        XCTAssertEqual(signing.subjectValue("serialNumber"), "111111198101011110")
        XCTAssertEqual(signing.subjectValue("OU"), "SIM000001")
        XCTAssertEqual(signing.subjectValue("L"), "411600")
        XCTAssertEqual(signing.subjectValue("C"), "CN")
        let utf8Name: [UInt8] = [0x0C, 0x06] + Array("张三".utf8)
        XCTAssertTrue(signing.derEncoded.indices.contains { Array(signing.derEncoded.dropFirst($0).prefix(8)) == utf8Name })
        XCTAssertEqual(signing.issuer, ca.certificate.subject)
        XCTAssertTrue(signing.isSigned(by: ca.certificate))
        XCTAssertEqual(signing.serialNumber.count, 16)
        XCTAssertLessThan(signing.notBefore, signing.notAfter)

        // 加密证书: another key, same holder.
        let encryption = items.encryptionCertificate
        XCTAssertNotEqual(encryption.sm2PublicKey, cardKey.publicKey)
        XCTAssertEqual(encryption.subject, signing.subject)
        XCTAssertNotEqual(encryption.serialNumber, signing.serialNumber)
        XCTAssertTrue(encryption.isSigned(by: ca.certificate))

        // 加密密钥: d ‖ X‖Y of the encryption certificate's key, to the card's key.
        var plaintext = try cardKey.decrypt(items.encryptionKeyEnvelope)
        defer { KeyMaterial.wipe(&plaintext) }
        XCTAssertEqual(plaintext.count, 96)
        XCTAssertEqual(try SM2PrivateKey(rawRepresentation: Array(plaintext.prefix(32))).publicKey, encryption.sm2PublicKey)
        XCTAssertEqual(Array(plaintext.suffix(64)), encryption.sm2PublicKey?.rawRepresentation)
        XCTAssertLessThanOrEqual(items.encryptionKeyEnvelope.count, 255, "fits a short APDU")

        // 主控密钥: the new key under the card's current PKI master key.
        let current = try HSMMasterKeys.simulatorTestKeys.cardKey(.pkiMaster, cardID: cardID.bytes)
        XCTAssertEqual(try SM4.decryptECB(items.encryptedMasterKey, key: current), issued.newMasterCardKey)

        // 管理员PIN: 8 digits.
        XCTAssertEqual(items.adminPIN.count, 8)
        XCTAssertTrue(items.adminPIN.allSatisfy { (0x30...0x39).contains($0) })
    }

    func testEachIssueMakesNewSecrets() throws {
        let ca = try SimulatedCA()
        let key = try SM2PrivateKey().publicKey.rawRepresentation
        let a = try ca.issue(request(key: key)), b = try ca.issue(request(key: key))
        XCTAssertNotEqual(a.newMasterCardKey, b.newMasterCardKey)
        XCTAssertNotEqual(a.items.encryptionCertificate.sm2PublicKey, b.items.encryptionCertificate.sm2PublicKey)
        XCTAssertNotEqual(a.items.signingCertificate.serialNumber, b.items.signingCertificate.serialNumber)
    }

    func testCAKeyFromTheFixedTestScalar() throws {
        let a = try SimulatedCA(caKeyScalar: SimulatedCA.testKeyScalar)
        let b = try SimulatedCA(caKeyScalar: SimulatedCA.testKeyScalar)
        XCTAssertEqual(a.publicKey, b.publicKey)
        XCTAssertNotEqual(a.publicKey, try SimulatedCA().publicKey)
        let issued = try a.issue(request(key: try SM2PrivateKey().publicKey.rawRepresentation))
        XCTAssertTrue(issued.items.signingCertificate.isSigned(by: b.certificate), "same key, either CA certificate")
        XCTAssertEqual(a.certificate.subjectValue("CN"), "SIMULATED SSCard Province CA")
        XCTAssertTrue(a.certificate.isSigned(by: a.certificate))
    }

    func testRefusesKeysThatAreNotSM2Points() throws {
        let ca = try SimulatedCA()
        let valid = try SM2PrivateKey().publicKey.rawRepresentation
        var offCurve = valid
        offCurve[63] ^= 0x01
        for key in [offCurve, [UInt8](repeating: 0, count: 64), [UInt8](repeating: 0xFF, count: 64), Array(valid.prefix(63)), [0x04] + valid] {
            XCTAssertThrowsError(try ca.issue(request(key: key))) { error in
                guard case SimulatedCAError.refused = error else { return XCTFail("got \(error)") }
            }
        }
    }

    func testRefusesOtherAlgorithmsAndMalformedFields() throws {
        let ca = try SimulatedCA()
        let key = try SM2PrivateKey().publicKey.rawRepresentation
        let bad = [
            request(key: key, algorithm: "RSA"), request(key: key, algorithm: "sm2"),
            request(key: key, ssn: ""), request(key: key, ssn: "1111111981010111100"), request(key: key, ssn: "11111119810101111-"),
            request(key: key, cardNumber: "SIM00001"), request(key: key, cardNumber: "SIM00000/"),
            request(key: key, name: ""), request(key: key, name: String(repeating: "张", count: 65)),
            request(key: key, region: "41160"), request(key: key, region: "4116AB"),
        ]
        for r in bad {
            XCTAssertThrowsError(try ca.issue(r), "\(r)") { error in
                guard case SimulatedCAError.refused = error else { return XCTFail("got \(error)") }
            }
        }
        XCTAssertNoThrow(try ca.issue(request(key: key, ssn: "HKG012345678")))
    }

    func testInterfaceStringRoundTrip() throws {
        let ca = try SimulatedCA()
        let issued = try ca.issue(request(key: try SM2PrivateKey().publicKey.rawRepresentation))
        let text = issued.interfaceText
        let fields = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(fields.count, 5)
        XCTAssertEqual(X509Certificate.decodeBase64(fields[0]), issued.items.signingCertificate.derEncoded)
        XCTAssertEqual(X509Certificate.decodeBase64(fields[1]), issued.items.encryptionCertificate.derEncoded)
        XCTAssertEqual(fields[2], issued.items.encryptionKeyEnvelope.hexString)
        XCTAssertEqual(fields[3].count, 32)
        XCTAssertEqual(fields[4], String(decoding: issued.items.adminPIN, as: UTF8.self))
        XCTAssertEqual(try CAIssuance(interfaceText: text), issued.items)
        XCTAssertEqual(try CAIssuance(interfaceText: text + "|"), issued.items, "a closing | is accepted")

        func assertRejected(_ text: String, line: UInt = #line, _ check: (CAIssuanceError) -> Bool) {
            XCTAssertThrowsError(try CAIssuance(interfaceText: text), line: line) { error in
                guard let e = error as? CAIssuanceError, check(e) else { return XCTFail("got \(error)", line: line) }
            }
        }
        assertRejected(fields.prefix(4).joined(separator: "|")) { $0 == .wrongItemCount(4) }
        assertRejected(text + "|x") { $0 == .wrongItemCount(6) }
        assertRejected((["AAAA"] + fields.dropFirst()).joined(separator: "|")) {
            if case .invalidCertificate("签名证书", _) = $0 { return true } else { return false }
        }
        assertRejected(([fields[0], "***"] + fields.dropFirst(2)).joined(separator: "|")) { $0 == .invalidCertificate("加密证书", .invalidBase64) }
        assertRejected((fields.prefix(2) + ["XYZ"] + fields.dropFirst(3)).joined(separator: "|")) {
            if case .invalidItem("加密密钥", _) = $0 { return true } else { return false }
        }
        assertRejected((fields.prefix(3) + ["00112233"] + fields.dropFirst(4)).joined(separator: "|")) {
            if case .invalidItem("主控密钥", _) = $0 { return true } else { return false }
        }
        assertRejected((fields.prefix(4) + ["123"]).joined(separator: "|")) {
            if case .invalidItem("管理员PIN", _) = $0 { return true } else { return false }
        }
    }

    func testWipeSecretsZeroesTheItems() throws {
        var items = try SimulatedCA().issue(request(key: try SM2PrivateKey().publicKey.rawRepresentation)).items
        items.wipeSecrets()
        XCTAssertTrue(items.adminPIN.allSatisfy { $0 == 0 })
        XCTAssertTrue(items.encryptedMasterKey.allSatisfy { $0 == 0 })
        XCTAssertTrue(items.encryptionKeyEnvelope.allSatisfy { $0 == 0 })
    }

    /// `openssl verify` (with the SM2 default id) accepts the chain and `openssl x509`
    /// reads the structure: the DER written by the simulator is not only self-consistent.
    func testOpenSSLCommandLineAcceptsTheCertificates() throws {
        let openssl = "/usr/bin/openssl"
        guard FileManager.default.isExecutableFile(atPath: openssl) else { throw XCTSkip("no openssl command line") }
        let ca = try SimulatedCA()
        let issued = try ca.issue(request(key: try SM2PrivateKey().publicKey.rawRepresentation))
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("simca-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func pem(_ c: X509Certificate, _ name: String) throws -> String {
            var lines = ["-----BEGIN CERTIFICATE-----"]
            var rest = Substring(c.base64Encoded)
            while !rest.isEmpty { lines.append(String(rest.prefix(64))); rest = rest.dropFirst(64) }
            lines.append("-----END CERTIFICATE-----")
            let url = dir.appendingPathComponent(name)
            try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
            return url.path
        }
        let caPath = try pem(ca.certificate, "ca.pem")
        let signingPath = try pem(issued.items.signingCertificate, "signing.pem")
        let encryptionPath = try pem(issued.items.encryptionCertificate, "encryption.pem")

        func run(_ arguments: [String]) throws -> (Int32, String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: openssl)
            p.arguments = arguments
            let out = Pipe()
            p.standardOutput = out
            p.standardError = out
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return (p.terminationStatus, String(decoding: data, as: UTF8.self))
        }
        for leaf in [signingPath, encryptionPath] {
            let (status, output) = try run(["verify", "-CAfile", caPath, "-vfyopt", "distid:1234567812345678", leaf])
            XCTAssertEqual(status, 0, output)
            XCTAssertTrue(output.contains(": OK"), output)
        }
        let (_, other) = try run(["verify", "-CAfile", try pem(try SimulatedCA().certificate, "other.pem"),
                                  "-vfyopt", "distid:1234567812345678", signingPath])
        XCTAssertFalse(other.contains(": OK"), "another CA must not verify it: \(other)")

        let (status, text) = try run(["x509", "-in", signingPath, "-noout", "-text", "-nameopt", "RFC2253,-esc_msb"])
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains("Signature Algorithm: SM2-with-SM3"), text)
        XCTAssertTrue(text.contains("CN=张三,serialNumber=111111198101011110,OU=SIM000001,L=411600,C=CN"), text)
        XCTAssertTrue(text.contains("ASN1 OID: SM2"), text)
        XCTAssertTrue(text.contains("Digital Signature, Non Repudiation"), text)
        XCTAssertTrue(text.contains("CA:FALSE"), text)
        let (_, caText) = try run(["x509", "-in", caPath, "-noout", "-text"])
        XCTAssertTrue(caText.contains("CA:TRUE"), caText)
        XCTAssertTrue(caText.contains("Certificate Sign, CRL Sign"), caText)
    }
}
