import Foundation
import XCTest
@testable import SSCardDriver

/// X509Certificate against certificates made by the openssl command line (OpenSSL 3.0):
/// an SM2 CA, an SM2 end-entity certificate it signed, and a P-256 certificate.
final class X509CertificateTests: XCTestCase {
    // openssl req -x509 -new -key ca.key -sm3 -sigopt distid:1234567812345678 -utf8
    //   -subj "/C=CN/O=Test/CN=CLI SM2 CA" -days 3650 -set_serial 0x1001
    private let caBase64 = "MIIBpTCCAUugAwIBAgICEAEwCgYIKoEcz1UBg3UwMTELMAkGA1UEBhMCQ04xDTALBgNVBAoMBFRlc3QxEzARBgNVBAMMCkNMSSBTTTIgQ0EwHhcNMjYxMTIzMTIxMjUxWhcNMzYxMTIwMTIxMjUxWjAxMQswCQYDVQQGEwJDTjENMAsGA1UECgwEVGVzdDETMBEGA1UEAwwKQ0xJIFNNMiBDQTBZMBMGByqGSM49AgEGCCqBHM9VAYItA0IABI6iuHD6J3esIWhHvjjkSV+z0WiSj3JDJ1MUf3GJrT0B6pIXto/+GM+A5+Pqm7NrcM3CZh2RtQu3g6uuMi+vLoSjUzBRMB0GA1UdDgQWBBRf2R6oV/vBdTIQX9pYvj/bXMJxuzAfBgNVHSMEGDAWgBRf2R6oV/vBdTIQX9pYvj/bXMJxuzAPBgNVHRMBAf8EBTADAQH/MAoGCCqBHM9VAYN1A0gAMEUCICJxhsgC12lYfcmIY9ZS044kBf2E0Psg76zsWjFmIFEgAiEAoYOlbY1PJs5exu0EWr+qrdChypw+aht7gdKP8sNrfdI="
    private let caPoint = "8EA2B870FA2777AC216847BE38E4495FB3D168928F72432753147F7189AD3D01EA9217B68FFE18CF80E7E3EA9BB36B70CDC2661D91B50BB783ABAE322FAF2E84"
    // openssl x509 -req (CSR "/C=CN/serialNumber=111111198101011110/CN=张三") -CA ca.pem
    //   -sm3 -sigopt distid:1234567812345678 -set_serial 0x0A0B0C0D0E -days 365
    private let eeBase64 = "MIIBVzCB/gIFCgsMDQ4wCgYIKoEcz1UBg3UwMTELMAkGA1UEBhMCQ04xDTALBgNVBAoMBFRlc3QxEzARBgNVBAMMCkNMSSBTTTIgQ0EwHhcNMjYxMTIzMTIxMjUxWhcNMjcxMTIzMTIxMjUxWjA7MQswCQYDVQQGEwJDTjEbMBkGA1UEBRMSMTExMTExMTk4MTAxMDExMTEwMQ8wDQYDVQQDDAblvKDkuIkwWTATBgcqhkjOPQIBBggqgRzPVQGCLQNCAARasIhvz/L/7SIHdMTRHog4qCpriTPts64RxRvgrGK9xyzfF4N5JvAoMLb8CAfc5sPeTJLDnJJcCF/6JFtscwazMAoGCCqBHM9VAYN1A0gAMEUCIQD1fnSSy52WYuj6v0ywNchSfXRIALcayeeavKuDWBHaYQIgQBW9Z9Oqq/VDHTcvqnguBKvYVlVZ8xAaukeSmQs5j6c="
    private let eePoint = "5AB0886FCFF2FFED220774C4D11E8838A82A6B8933EDB3AE11C51BE0AC62BDC72CDF17837926F02830B6FC0807DCE6C3DE4C92C39C925C085FFA245B6C7306B3"
    // openssl req -x509 -new -key p256.key -subj "/CN=P256" -days 30 (ECDSA with SHA-256)
    private let p256Base64 = "MIIBdDCCARmgAwIBAgIUfydXU/IZECpzEIXuFIB0oBm0ZlwwCgYIKoZIzj0EAwIwDzENMAsGA1UEAwwEUDI1NjAeFw0yNjExMjMxMjEyNTFaFw0yNjEyMjMxMjEyNTFaMA8xDTALBgNVBAMMBFAyNTYwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQkSAYi4n9c75X/IA8rixb83a/Qu1FENdsnsttwHXlp84eS4C6IuKYEMDhDEosCSm5gFMjon4iHWk4p7gzFY++0o1MwUTAdBgNVHQ4EFgQUS3EWx+xHcZG+FSIk/RuLmOW40VgwHwYDVR0jBBgwFoAUS3EWx+xHcZG+FSIk/RuLmOW40VgwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEAwNucpdmGNpsgtwnAu2/k2riguxAWgsdlWsUreGvOKC0CIQCI1S73PYbwbTAE3v3weKZDu7lSPf3qDEiDIz4a14fFmw=="

    func testReadsTheFieldsOfAnEndEntityCertificate() throws {
        let ee = try X509Certificate(base64Encoded: eeBase64)
        XCTAssertEqual(ee.version, 1)
        XCTAssertEqual(ee.serialNumber, [0x0A, 0x0B, 0x0C, 0x0D, 0x0E])
        XCTAssertEqual(ee.subject, "CN=张三,serialNumber=111111198101011110,C=CN")
        XCTAssertEqual(ee.issuer, "CN=CLI SM2 CA,O=Test,C=CN")
        XCTAssertEqual(ee.subjectAttributes.map(\.type), ["C", "serialNumber", "CN"])
        XCTAssertEqual(ee.subjectValue("CN"), "张三")
        XCTAssertEqual(ee.subjectValue("serialNumber"), "111111198101011110")
        XCTAssertNil(ee.subjectValue("OU"))
        XCTAssertEqual(ee.notBefore, Date(timeIntervalSince1970: 1_795_435_971))   // 2026-11-23 12:12:51 UTC
        XCTAssertEqual(ee.notAfter, Date(timeIntervalSince1970: 1_826_971_971))
        XCTAssertEqual(ee.signatureAlgorithm, "SM2-with-SM3")
        XCTAssertEqual(ee.publicKeyAlgorithm, "SM2")
        XCTAssertEqual(ee.sm2PublicKey?.rawRepresentation.hexString, eePoint)
    }

    func testSignatureChecksUseTheDefaultDistinguishingID() throws {
        let ca = try X509Certificate(base64Encoded: caBase64)
        let ee = try X509Certificate(base64Encoded: eeBase64)
        XCTAssertEqual(ca.version, 3)
        XCTAssertEqual(ca.sm2PublicKey?.rawRepresentation.hexString, caPoint)
        XCTAssertTrue(ca.isSigned(by: ca), "self-signed")
        XCTAssertTrue(ee.isSigned(by: ca))
        XCTAssertTrue(ee.isSigned(by: try SM2PublicKey(rawRepresentation: [UInt8](hex: caPoint)!)))
        XCTAssertFalse(ee.isSigned(by: ee), "not signed by its own key")
        XCTAssertFalse(ca.isSigned(by: try SM2PrivateKey().publicKey))
    }

    func testTamperedCertificateDoesNotVerify() throws {
        let ca = try X509Certificate(base64Encoded: caBase64)
        var der = try X509Certificate(base64Encoded: eeBase64).derEncoded
        // The "三" of the CN (E4 B8 89) becomes "丁" (E4 B8 81): still parses, no longer verifies.
        let cn = [UInt8]("张三".utf8)
        let at = try XCTUnwrap((0...(der.count - cn.count)).first { Array(der[$0..<($0 + cn.count)]) == cn })
        der[at + 5] = 0x81
        let tampered = try X509Certificate(derEncoded: der)
        XCTAssertEqual(tampered.subjectValue("CN"), "张丁")
        XCTAssertFalse(tampered.isSigned(by: ca))
    }

    func testOtherKeyTypesParseWithoutAnSM2Key() throws {
        let p256 = try X509Certificate(base64Encoded: p256Base64)
        XCTAssertEqual(p256.publicKeyAlgorithm, "EC")
        XCTAssertNil(p256.sm2PublicKey)
        XCTAssertEqual(p256.signatureAlgorithm, "ecdsa-with-SHA256")
        XCTAssertFalse(p256.isSigned(by: try X509Certificate(base64Encoded: caBase64)))
        XCTAssertFalse(p256.isSigned(by: p256), "an ECDSA P-256 signature is not an SM2 one")
    }

    func testBase64RoundTripAndWhitespace() throws {
        let ee = try X509Certificate(base64Encoded: eeBase64)
        XCTAssertEqual(ee.base64Encoded, eeBase64)
        var wrapped = ""
        for (i, c) in eeBase64.enumerated() { wrapped.append(c); if i % 64 == 63 { wrapped += "\r\n" } }
        XCTAssertEqual(try X509Certificate(base64Encoded: " " + wrapped + "\n"), ee)
        XCTAssertEqual(try X509Certificate(derEncoded: ee.derEncoded), ee)
        XCTAssertEqual(X509Certificate.encodedLength(atStartOf: ee.derEncoded + [0, 0, 0]), ee.derEncoded.count)
    }

    func testMalformedInputIsATypedError() throws {
        let der = try X509Certificate(base64Encoded: eeBase64).derEncoded
        func assertMalformed(_ bytes: [UInt8], line: UInt = #line) {
            XCTAssertThrowsError(try X509Certificate(derEncoded: bytes), line: line) { error in
                guard case X509Error.malformed = error else { return XCTFail("got \(error)", line: line) }
            }
        }
        assertMalformed([])
        assertMalformed([0x30])
        assertMalformed(Array(der.prefix(der.count - 1)))
        assertMalformed(Array(der.dropFirst()))
        assertMalformed([UInt8](repeating: 0xFF, count: 300))
        var badLength = der
        badLength[2] = 0xFF
        assertMalformed(badLength)
        for seed in 0..<200 {
            var bytes = der
            bytes[(seed * 37) % bytes.count] ^= UInt8(1 << (seed % 8))
            _ = try? X509Certificate(derEncoded: bytes)       // must not crash, whatever it decides
        }
        XCTAssertThrowsError(try X509Certificate(derEncoded: der + [0x00])) { error in
            XCTAssertEqual(error as? X509Error, .trailingBytes(count: 1))
        }
        XCTAssertThrowsError(try X509Certificate(base64Encoded: "not base64 ***")) { error in
            XCTAssertEqual(error as? X509Error, .invalidBase64)
        }
        XCTAssertThrowsError(try X509Certificate(base64Encoded: "")) { error in
            XCTAssertEqual(error as? X509Error, .invalidBase64)
        }
        XCTAssertNil(X509Certificate.encodedLength(atStartOf: [0x00, 0x00]))
        XCTAssertNil(X509Certificate.encodedLength(atStartOf: [0x30, 0x84, 1, 2, 3, 4]))
    }
}
