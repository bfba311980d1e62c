import Foundation
import SSCardDriver
import SSCardSimulator

/// The exported functions and iReadCardBas: fields, formats, encoding and the codes for a card
/// that is absent, foreign, mute or pulled out between calls.
extension CaseCatalogue {
    static let national38 = "人社信息函〔2016〕38号"
    static let national38Formats = "人社信息函〔2016〕38号 iReadCardBas 输出格式（11项，各以“|”结尾）"
    static let nationalCodes = "人社信息函〔2016〕38号 返回码表"

    /// The 13 functions of the national interface every driver exports.
    static let nationalFunctions = [
        "iReadCardBas", "iReadCard", "iWriteCard", "iVerifyPIN", "iChangePIN", "iReloadPIN", "iUnblockPIN",
        "iReadCardBas_HSM_Step1", "iReadCardBas_HSM_Step2", "iReadCard_HSM_Step1", "iReadCard_HSM_Step2",
        "iWriteCard_HSM_Step1", "iWriteCard_HSM_Step2",
    ]
    /// The instant-issuance functions of a desktop card printer's driver.
    static let issuanceFunctions = ["iLoadCard", "iWriteCaStep1", "iWriteCaStep2", "iPrint"]

    static var exportCases: [ConformanceCase] {
        [
            ConformanceCase(
                id: "exports.national", group: .exports,
                title: Bilingual("国家接口的13个函数均已导出", "The 13 functions of the national interface are exported"),
                clause: "人社信息函〔2016〕38号、59号；《广东省社会保障卡经办规程》附件9 驱动封装要求",
                expected: Bilingual("dlsym 能找到每个函数", "dlsym finds every one")
            ) { ctx in
                let missing = try nationalFunctions.filter { !(try ctx.has($0)) }
                ctx.saw(missing.isEmpty ? "all 13 exported" : "missing: \(missing.joined(separator: ", "))")
                ctx.expect(missing.isEmpty, "not exported: \(missing.joined(separator: ", "))")
            },
            ConformanceCase(
                id: "exports.issuance", group: .exports,
                title: Bilingual("即时制卡的4个函数：全有或全无", "The four instant-issuance functions: all or none"),
                clause: "《广东省社会保障卡经办规程》附件9 驱动封装要求（iLoadCard、iWriteCaStep1、iWriteCaStep2、iPrint）",
                expected: Bilingual("4个都有（制卡机驱动）或都没有（读卡器驱动）", "all four (a card printer's driver) or none (a reader's driver)")
            ) { ctx in
                let present = try issuanceFunctions.filter { try ctx.has($0) }
                ctx.saw(present.isEmpty ? "none exported" : "exported: \(present.joined(separator: ", "))")
                if present.isEmpty { throw CaseStop.notApplicable(Bilingual("读卡器驱动，无即时制卡函数", "a reader's driver without instant-issuance functions")) }
                ctx.expect(present.count == issuanceFunctions.count,
                           "only \(present.joined(separator: ", ")) of the four are exported")
            },
        ]
    }

    static var readBasicCases: [ConformanceCase] {
        var cases: [ConformanceCase] = []
        for (iType, what) in [(1, Bilingual("接触式", "contact")), (3, Bilingual("自动（接触优先）", "auto, contact first")),
                              (4, Bilingual("自动（非接优先）", "auto, contactless first"))] {
            cases.append(ConformanceCase(
                id: "read-basic.itype\(iType)", group: .readBasic,
                title: Bilingual("iType=\(iType)（\(what.zh)）读已个人化的卡：11项的顺序与取值", "iType=\(iType) (\(what.en)), personalised card: the 11 fields in order"),
                clause: national38Formats,
                expected: Bilingual("返回0；发卡地区|社会保障号码|卡号|卡识别码|姓名|卡复位信息|规范版本|发卡日期|卡有效期|终端机编号|终端设备号|，前9项与卡内一致",
                                    "0; region|SSN|card number|卡识别码|name|historical bytes|version|issue date|expiry date|terminal|device|, the first nine as on the card")
            ) { ctx in
                let card = try ConformanceCards.personalised()
                try ctx.insert(card)
                let r = try ctx.call("iReadCardBas", [.int(Int32(iType))])
                try checkBasicInformation(r, of: card, ctx)
            })
        }
        cases += [
            ConformanceCase(
                id: "read-basic.itype2-no-contactless", group: .readBasic,
                title: Bilingual("iType=2（非接触式）而测试台只有接触式读卡器", "iType=2 (contactless) on a bench with a contact reader only"),
                clause: nationalCodes,
                expected: Bilingual("负的返回码（−13 不支持、−2 无卡或 −11 读卡器连接错），不得读出接触式卡", "a negative code (−13, −2 or −11); the contact card must not be read"),
            ) { ctx in
                try ctx.insert(try ConformanceCards.personalised())
                let r = try ctx.call("iReadCardBas", [.int(2)])
                ctx.saw("code \(r.code): \(r.shownText)")
                ctx.expect([-13, -2, -11].contains(r.code), "code \(r.code), expected −13, −2 or −11")
            },
            ConformanceCase(
                id: "read-basic.gb18030", group: .readBasic,
                title: Bilingual("姓名以 GB18030 编码输出（含四字节字符“䶮”）", "The name comes out in GB18030 (with the four-byte character 䶮)"),
                clause: "人社信息函〔2016〕38号；include/SSCardDriver.h：字符串为 GB18030",
                expected: Bilingual("第5项的字节 = GB18030(\"张䶮\") = \(GB18030.encode(ConformanceCards.holder.name)?.spacedHexString ?? "")",
                                    "field 5's bytes = GB18030(\"张䶮\")")
            ) { ctx in
                try ctx.insert(try ConformanceCards.personalised())
                let r = try ctx.call("iReadCardBas", [.int(1)])
                let fields = r.output.split(separator: 0x7C, omittingEmptySubsequences: false).map(Array.init)
                let expected = GB18030.encode(ConformanceCards.holder.name) ?? []
                let name = fields.count > 4 ? fields[4] : []
                ctx.saw("code \(r.code); name bytes \(name.spacedHexString)")
                ctx.expect(r.code == 0, "code \(r.code)")
                ctx.expect(name == expected, "name bytes \(name.spacedHexString), expected \(expected.spacedHexString)"
                           + (String(bytes: name, encoding: .utf8) == ConformanceCards.holder.name ? " (UTF-8)" : ""))
            },
            ConformanceCase(
                id: "read-basic.blank", group: .readBasic,
                title: Bilingual("读空白预制卡：社会保障号码与姓名为空", "Blank pre-made card: empty SSN and name"),
                clause: national38Formats,
                expected: Bilingual("返回0；第2、5项为空，其余与卡内一致", "0; fields 2 and 5 empty, the rest as on the card")
            ) { ctx in
                let card = try ConformanceCards.blank()
                try ctx.insert(card)
                let r = try ctx.call("iReadCardBas", [.int(1)])
                try checkBasicInformation(r, of: card, ctx)
            },
            ConformanceCase(
                id: "read-basic.other-region", group: .readBasic,
                title: Bilingual("读外地（110100 北京）发的卡", "A card of another region (110100)"),
                clause: national38Formats,
                expected: Bilingual("返回0；发卡地区为卡上的110100，不是本地的", "0; the region is the card's 110100, not the desk's")
            ) { ctx in
                let card = try ConformanceCards.personalised(number: "CT0000004", region: "110100")
                try ctx.insert(card)
                let r = try ctx.call("iReadCardBas", [.int(1)])
                try checkBasicInformation(r, of: card, ctx)
            },
            ConformanceCase(
                id: "read-basic.no-card", group: .readBasic,
                title: Bilingual("读卡器中无卡", "No card in the reader"),
                clause: nationalCodes,
                expected: Bilingual("−2（无卡），pOutInfo 有可读的说明", "−2 (no card), a readable message in pOutInfo")
            ) { ctx in
                let r = try ctx.call("iReadCardBas", [.int(1)])
                ctx.saw("code \(r.code): \(r.shownText)")
                ctx.expect(r.code == -2, "code \(r.code), expected −2")
                ctx.expect(!r.output.isEmpty && r.text != nil, "no readable message")
            },
            ConformanceCase(
                id: "read-basic.wrong-card", group: .readBasic,
                title: Bilingual("读卡器中是非社保卡（银行卡 ATR，SELECT 答 6A82）", "A card that is not a social security card (a bank card's ATR, 6A82 to SELECT)"),
                clause: nationalCodes,
                expected: Bilingual("−1（卡类型不对）", "−1 (wrong card type)")
            ) { ctx in
                try ctx.insert(ForeignCard())
                let r = try ctx.call("iReadCardBas", [.int(1)])
                ctx.saw("code \(r.code): \(r.shownText)")
                ctx.expect(r.code == -1, "code \(r.code), expected −1")
            },
            ConformanceCase(
                id: "read-basic.mute-card", group: .readBasic,
                title: Bilingual("卡片不应答：限时返回", "A mute card: the call returns within a deadline"),
                clause: nationalCodes + "；本测试的时限 20 秒",
                expected: Bilingual("20 秒内返回 −4（卡无应答）", "−4 (the card does not answer) within 20 s")
            ) { ctx in
                let served = try ctx.insert(try ConformanceCards.personalised())
                served.connector.isMute = true
                let r = try ctx.call("iReadCardBas", [.int(1)], deadline: .seconds(20))
                ctx.saw("code \(r.code) after \(r.elapsed.secondsText) s: \(r.shownText)")
                ctx.expect(r.code == -4, "code \(r.code), expected −4")
            },
            ConformanceCase(
                id: "read-basic.removed", group: .readBasic,
                title: Bilingual("两次调用之间拔出卡", "The card is pulled out between two calls"),
                clause: nationalCodes,
                expected: Bilingual("第一次0，第二次 −2（无卡），不得返回上一张卡的信息", "0, then −2 (no card); never the previous card's data")
            ) { ctx in
                let served = try ctx.insert(try ConformanceCards.personalised())
                let first = try ctx.call("iReadCardBas", [.int(1)])
                ctx.remove(served)
                let second = try ctx.call("iReadCardBas", [.int(1)])
                ctx.saw("first \(first.code), after removal \(second.code): \(second.shownText)")
                ctx.expect(first.code == 0, "first call \(first.code)")
                ctx.expect(second.code == -2, "after removal \(second.code), expected −2")
            },
        ]
        return cases
    }

    /// The national shape and the card's values, field by field.
    static func checkBasicInformation(_ r: DriverCallResult, of card: SimulatedSSCard, _ ctx: CaseContext) throws {
        ctx.saw("code \(r.code): \(r.shownText)")
        if r.code == -2201 {
            throw CaseStop.notTestable(Bilingual("库中没有 PSAM/加密机（−2201）：一步函数无法在本测试台上测试，见加密机两步函数",
                                                 "the library has no PSAM or HSM (−2201): the one-step function cannot be tested here; see the HSM two-step cases"))
        }
        guard r.code == 0 else { return ctx.expect(false, "code \(r.code), expected 0") }
        guard let text = r.text else { return ctx.expect(false, "output is not GB18030") }
        ctx.expect(text.hasSuffix("|"), "the last field lacks its closing |")
        let fields = text.split(separator: "|", omittingEmptySubsequences: false).map(String.init).dropLast()
        ctx.expect(fields.count == 11, "\(fields.count) fields, expected 11")
        let expected = try ConformanceCards.basicFields(card)
        let names = ["发卡地区行政区划代码", "社会保障号码", "卡号", "卡识别码", "姓名", "卡复位信息", "规范版本", "发卡日期", "卡有效期"]
        for (i, value) in expected.enumerated() where i < fields.count {
            ctx.expect(fields[i] == value, "field \(i + 1) \(names[i]) is \"\(fields[i])\", expected \"\(value)\"")
        }
        if fields.count == 11 {
            ctx.expect(!fields[9].isEmpty, "field 10 终端机编号 is empty")
        }
    }
}
