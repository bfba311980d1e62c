import CardManagement
import Foundation
import SSCardDriver
import SSCardSimulator

/// iWriteCaStep1 / iWriteCaStep2: the card's signing key out, the CA's items in, checked on
/// the chip. The province simulator gives a card's PKI secrets only while it is being made
/// (制卡中), as a real province system does, so the case reports the card in production first.
extension CaseCatalogue {
    static var certificateCases: [ConformanceCase] {
        [
            ConformanceCase(
                id: "issuance.certificates", group: .issuance,
                title: Bilingual("iWriteCaStep1 返回签名公钥，iWriteCaStep2 写入 CA 签发的证书", "iWriteCaStep1 gives the signing key, iWriteCaStep2 loads the CA's certificates"),
                clause: "《广东省社会保障卡经办规程》附件9 驱动封装要求（iWriteCaStep1、iWriteCaStep2）",
                expected: Bilingual("Step1 0 和128位十六进制公钥；别的公钥的证书 −22 且不写卡；本卡公钥的证书 0，卡内签名证书即 CA 签发的",
                                    "Step1 0 and 128 hex; a certificate for another key −22, nothing written; the card's own 0, the chip holds the CA's certificate")
            ) { ctx in
                let present = try issuanceFunctions.filter { try ctx.has($0) }
                guard present.count == issuanceFunctions.count else {
                    throw CaseStop.notApplicable(Bilingual("库没有即时制卡函数", "the library has no instant-issuance functions"))
                }
                let card = try ConformanceCards.personalised(number: "CT0000008")
                try ctx.insert(card)
                let id = card.image.cardIdentificationCode
                _ = try ctx.bench.province.report(IssuanceReport(
                    requestID: "conformance-\(UUID().uuidString)", applicationID: "DEMO-0001", status: .inProduction,
                    cardNumber: card.image.cardNumber, cardIdentificationCode: id.hex, terminal: ConformanceBench.terminal, clerk: "conformance"))
                let step1 = try ctx.call("iWriteCaStep1", [])
                ctx.saw("iWriteCaStep1 \(step1.code): \(step1.shownText)")
                if step1.code == -2201 {
                    throw CaseStop.notTestable(Bilingual("库中没有加密机（−2201），拿不到卡的 PKI 密钥", "the library has no HSM (−2201) for the card's PKI secrets"))
                }
                guard step1.code == 0, let key = [UInt8](hex: step1.text ?? ""), key.count == 64 else {
                    return ctx.expect(false, "iWriteCaStep1 \(step1.code), output \(step1.shownText), expected 128 hex")
                }
                func request(_ publicKey: [UInt8]) -> CACertificateRequest {
                    CACertificateRequest(socialSecurityNumber: ConformanceCards.holder.socialSecurityNumber, cardNumber: card.image.cardNumber,
                                         name: ConformanceCards.holder.name, regionCode: id.regionCode, cardIdentificationCode: id,
                                         signingPublicKey: publicKey)
                }
                let otherKey = try SM2PrivateKey().publicKey.rawRepresentation
                let wrong = try ctx.bench.province.ca.issue(request(otherKey))
                let refused = try ctx.call("iWriteCaStep2", [.secret(Array(wrong.interfaceText.utf8))])
                ctx.saw("iWriteCaStep2 with another key's certificate \(refused.code): \(refused.shownText)")
                ctx.expect(refused.code == -22, "another key's certificate: \(refused.code), expected −22")
                ctx.expect(card.image.pki.signingCertificate.allSatisfy { $0 == 0 }, "another key's certificate was written")
                let issued = try ctx.bench.province.ca.issue(request(key))
                let step2 = try ctx.call("iWriteCaStep2", [.secret(Array(issued.interfaceText.utf8))])
                ctx.saw("iWriteCaStep2 \(step2.code): \(step2.shownText)")
                ctx.expect(step2.code == 0, "iWriteCaStep2 \(step2.code)")
                let written = card.image.pki.signingCertificate.starts(with: issued.items.signingCertificate.derEncoded)
                ctx.saw("the chip holds the CA's signing certificate: \(written)")
                ctx.expect(written, "the chip does not hold the issued signing certificate")
            },
        ]
    }
}
