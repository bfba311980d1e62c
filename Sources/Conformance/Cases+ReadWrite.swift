import Foundation
import SSCardDriver
import SSCardSimulator

/// iReadCard / iWriteCard in the file-address dialect, and the HSM two-step functions with the
/// province simulator's HSM. The bench owns the card, so it checks what landed on the chip.
extension CaseCatalogue {
    static let national38ReadWrite = "人社信息函〔2016〕38号 iReadCard/iWriteCard（文件地址 SSSEEF05|07|$）"
    static let national38HSM = "人社信息函〔2016〕38号、59号 加密机两步函数（_HSM_Step1/_HSM_Step2）"

    /// The one-step functions need the library's own PSAM or HSM; without one (−2201) the
    /// bench cannot test them.
    static func requireSecurityModule(_ r: DriverCallResult) throws {
        if r.code == -2201 {
            throw CaseStop.notTestable(Bilingual("库中没有 PSAM/加密机（−2201）", "the library has no PSAM or HSM (−2201)"))
        }
    }

    static func ef06Text(_ card: SimulatedSSCard, _ element: CardElement) -> String {
        card.image.records.value(of: element).map(ElementText.decode) ?? ""
    }

    static var readWriteCases: [ConformanceCase] {
        [
            ConformanceCase(
                id: "read-write.read-address", group: .readWrite,
                title: Bilingual("iReadCard 按文件地址读两个文件", "iReadCard reads two files by file address"),
                clause: national38ReadWrite,
                expected: Bilingual("0；SSSEEF05|<卡号>|<规范版本>|$SSSEEF06|<社会保障号码>|<姓名>|$", "0; the address mirrored with the card's values")
            ) { ctx in
                let card = try ConformanceCards.personalised()
                try ctx.insert(card)
                let r = try ctx.call("iReadCard", [.int(1), .int(2), .text(ConformanceCards.cardInfo(card)), .text("SSSEEF05|07|03|$SSSEEF06|08|09|$")])
                ctx.saw("code \(r.code): \(r.shownText)")
                try requireSecurityModule(r)
                let expected = "SSSEEF05|\(card.image.cardNumber)|3.00|$SSSEEF06|\(ConformanceCards.holder.socialSecurityNumber)|\(ConformanceCards.holder.name)|$"
                ctx.expect(r.code == 0, "code \(r.code)")
                ctx.expect(r.text == expected, "output \(r.shownText), expected \(expected)")
            },
            ConformanceCase(
                id: "read-write.other-card-info", group: .readWrite,
                title: Bilingual("pCardInfo 是另一张卡", "pCardInfo names another card"),
                clause: national38ReadWrite + "；返回码 −22",
                expected: Bilingual("−22（传入数据与卡内不符），不返回数据", "−22 (data differ from the card), no data")
            ) { ctx in
                let card = try ConformanceCards.personalised()
                try ctx.insert(card)
                let other = try ConformanceCards.personalised(number: "CT0000099")
                let r = try ctx.call("iReadCard", [.int(1), .int(2), .text(ConformanceCards.cardInfo(other)), .text("SSSEEF06|08|$")])
                ctx.saw("code \(r.code): \(r.shownText)")
                try requireSecurityModule(r)
                ctx.expect(r.code == -22, "code \(r.code), expected −22")
                ctx.expect(!(r.text ?? "").contains(ConformanceCards.holder.socialSecurityNumber), "the card's 社会保障号码 came out")
            },
            ConformanceCase(
                id: "read-write.write-read-back", group: .readWrite,
                title: Bilingual("iWriteCard 写空白卡的 EF06，再 iReadCard 读回", "iWriteCard writes a blank card's EF06, iReadCard reads it back"),
                clause: national38ReadWrite,
                expected: Bilingual("都返回0；读回的与写入的相同；卡内 EF06 存有写入值", "0 and 0; read back as written; the chip holds the values")
            ) { ctx in
                let card = try ConformanceCards.blank(number: "CT0000005")
                try ctx.insert(card)
                let info = ConformanceCards.cardInfo(card)
                let data = "SSSEEF06|110101199003077777|钱䶮|2|$"
                let w = try ctx.call("iWriteCard", [.int(1), .text(info), .text("SSSEEF06|08|09|0A|$"), .text(data)])
                ctx.saw("write \(w.code): \(w.shownText)")
                try requireSecurityModule(w)
                ctx.expect(w.code == 0, "iWriteCard \(w.code)")
                let r = try ctx.call("iReadCard", [.int(1), .int(2), .text(info), .text("SSSEEF06|08|09|0A|$")])
                ctx.saw("read \(r.code): \(r.shownText)")
                ctx.expect(r.text == data, "read back \(r.shownText)")
                ctx.saw("on the chip: \(ef06Text(card, .socialSecurityNumber)) / \(ef06Text(card, .name)) / \(ef06Text(card, .sex))")
                ctx.expect(ef06Text(card, .name) == "钱䶮" && ef06Text(card, .socialSecurityNumber) == "110101199003077777",
                           "the chip does not hold what was written")
            },
            ConformanceCase(
                id: "read-write.refused-without-authentication", group: .readWrite,
                title: Bilingual("外部认证不通过时不得写卡", "No write without external authentication"),
                clause: national38HSM,
                expected: Bilingual("iWriteCard_HSM_Step2 以错误的外部认证数据返回负值；卡内 EF06 仍为空", "iWriteCard_HSM_Step2 with a wrong external cryptogram is negative; EF06 stays empty")
            ) { ctx in
                let card = try ConformanceCards.blank(number: "CT0000006")
                try ctx.insert(card)
                let step1 = try ctx.call("iWriteCard_HSM_Step1", [.int(1), .text(ConformanceCards.cardInfo(card)), .text("SSSEEF06|08|09|$")])
                ctx.saw("Step1 \(step1.code): \(step1.shownText)")
                guard step1.code == 0, let challenge = try? HSMAuthenticationChallenge(parsing: step1.text ?? "") else {
                    return ctx.expect(false, "Step1 \(step1.code), or its output is not 地区码|ATR|算法|卡识别码|SJS1…SJS4|")
                }
                let good = try ctx.bench.province.hsm.writeAuthenticationKey(for: challenge)
                var external = good.externalAuthentication
                external[0] ^= 0xFF
                let bad = try HSMAuthenticationKey(internalAuthentication: good.internalAuthentication, externalAuthentication: external)
                let step2 = try ctx.call("iWriteCard_HSM_Step2", [.text(bad.interfaceText), .text("SSSEEF06|110101199003077777|钱七|$")])
                ctx.saw("Step2 with a wrong external cryptogram \(step2.code): \(step2.shownText)")
                ctx.expect(step2.code < 0, "code \(step2.code), expected a refusal")
                ctx.expect(card.image.records.value(of: .name) == nil, "EF06 was written without authentication")
            },
        ]
    }

    static var hsmCases: [ConformanceCase] {
        [
            ConformanceCase(
                id: "hsm.read-basic", group: .hsm,
                title: Bilingual("iReadCardBas_HSM_Step1/Step2 与省级模拟系统的加密机", "iReadCardBas_HSM_Step1/Step2 with the province simulator's HSM"),
                clause: national38HSM,
                expected: Bilingual("Step1 输出 地区码|ATR历史字节|算法标识|卡识别码|SJS1|SJS2|SJS3|SJS4|；加密机算出 pKey；Step2 返回0和11项", "Step1's 8 fields; the HSM's pKey; Step2 gives 0 and the 11 fields")
            ) { ctx in
                let card = try ConformanceCards.personalised()
                try ctx.insert(card)
                let step1 = try ctx.call("iReadCardBas_HSM_Step1", [.int(1)])
                ctx.saw("Step1 \(step1.code): \(step1.shownText)")
                guard step1.code == 0, let challenge = try? HSMAuthenticationChallenge(parsing: step1.text ?? "") else {
                    return ctx.expect(false, "Step1 \(step1.code), or its output does not parse")
                }
                ctx.expect(challenge.cardIdentificationCode == card.image.cardIdentificationCode, "Step1's 卡识别码 is not the card's")
                let key = try ctx.bench.province.hsm.readAuthenticationKey(for: challenge)
                let step2 = try ctx.call("iReadCardBas_HSM_Step2", [.text(key.interfaceText)])
                try checkBasicInformation(step2, of: card, ctx)
            },
            ConformanceCase(
                id: "hsm.read-write", group: .hsm,
                title: Bilingual("iWriteCard_HSM 写入，iReadCard_HSM 读回", "iWriteCard_HSM writes, iReadCard_HSM reads back"),
                clause: national38HSM,
                expected: Bilingual("两次 Step2 都返回0；读回 SSSEEF06|钱七|$；卡内 EF06 存有写入值", "both Step2 return 0; SSSEEF06|钱七|$ read back; the chip holds it")
            ) { ctx in
                let card = try ConformanceCards.blank(number: "CT0000007")
                try ctx.insert(card)
                let info = ConformanceCards.cardInfo(card)
                let w1 = try ctx.call("iWriteCard_HSM_Step1", [.int(1), .text(info), .text("SSSEEF06|08|09|$")])
                guard w1.code == 0, let wc = try? HSMAuthenticationChallenge(parsing: w1.text ?? "") else {
                    return ctx.expect(false, "iWriteCard_HSM_Step1 \(w1.code): \(w1.shownText)")
                }
                let wkey = try ctx.bench.province.hsm.writeAuthenticationKey(for: wc)
                let w2 = try ctx.call("iWriteCard_HSM_Step2", [.text(wkey.interfaceText), .text("SSSEEF06|110101199003077777|钱七|$")])
                ctx.saw("write Step2 \(w2.code): \(w2.shownText)")
                ctx.expect(w2.code == 0, "iWriteCard_HSM_Step2 \(w2.code)")
                let r1 = try ctx.call("iReadCard_HSM_Step1", [.int(1), .text(info), .text("SSSEEF06|09|$")])
                guard r1.code == 0, let rc = try? HSMAuthenticationChallenge(parsing: r1.text ?? "") else {
                    return ctx.expect(false, "iReadCard_HSM_Step1 \(r1.code): \(r1.shownText)")
                }
                let rkey = try ctx.bench.province.hsm.readAuthenticationKey(for: rc)
                let r2 = try ctx.call("iReadCard_HSM_Step2", [.text(rkey.interfaceText)])
                ctx.saw("read Step2 \(r2.code): \(r2.shownText)")
                ctx.expect(r2.text == "SSSEEF06|钱七|$", "read back \(r2.shownText)")
                ctx.expect(ef06Text(card, .name) == "钱七", "the chip holds \"\(ef06Text(card, .name))\"")
            },
            ConformanceCase(
                id: "hsm.wrong-internal", group: .hsm,
                title: Bilingual("内部认证结果不符（不是真卡）", "A wrong internal-authentication value (not a genuine card)"),
                clause: national38HSM + "；返回码 −21",
                expected: Bilingual("−21（内部认证失败），不输出卡内信息", "−21, no card data")
            ) { ctx in
                let card = try ConformanceCards.personalised()
                try ctx.insert(card)
                let step1 = try ctx.call("iReadCardBas_HSM_Step1", [.int(1)])
                guard step1.code == 0, let challenge = try? HSMAuthenticationChallenge(parsing: step1.text ?? "") else {
                    return ctx.expect(false, "Step1 \(step1.code): \(step1.shownText)")
                }
                let good = try ctx.bench.province.hsm.readAuthenticationKey(for: challenge)
                var wrongInternal = good.internalAuthentication
                wrongInternal[0] ^= 0xFF
                let bad = try HSMAuthenticationKey(internalAuthentication: wrongInternal, externalAuthentication: good.externalAuthentication)
                let step2 = try ctx.call("iReadCardBas_HSM_Step2", [.text(bad.interfaceText)])
                ctx.saw("Step2 \(step2.code): \(step2.shownText)")
                ctx.expect(step2.code == -21, "code \(step2.code), expected −21")
                ctx.expect(!(step2.text ?? "").contains(ConformanceCards.holder.socialSecurityNumber), "the card's data came out")
            },
            ConformanceCase(
                id: "hsm.step2-without-step1", group: .hsm,
                title: Bilingual("未调 Step1 就调 Step2", "Step2 without Step1"),
                clause: national38HSM,
                expected: Bilingual("负的返回码，不崩溃", "a negative code, no crash")
            ) { ctx in
                try ctx.insert(try ConformanceCards.personalised())
                let key = String(repeating: "0", count: 32) + "|" + String(repeating: "0", count: 32) + "|"
                let r = try ctx.call("iReadCardBas_HSM_Step2", [.text(key)])
                ctx.saw("code \(r.code): \(r.shownText)")
                ctx.expect(r.code < 0, "code \(r.code)")
            },
        ]
    }
}
