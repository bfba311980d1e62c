import Foundation
import SSCardDriver
import SSCardSimulator

/// Every function with NULL and malformed inputs, one case (one fresh child process) per
/// function: a crash or a hang fails that function's case and the run goes on.
extension CaseCatalogue {
    /// Every function the probe knows, with its parameters: i int, s string, o pOutInfo,
    /// z outSize (the order of include/SSCardDriver.h).
    static let signatures: [(String, String)] = [
        ("iReadCardBas", "io"), ("iReadCard", "iisso"), ("iWriteCard", "issso"),
        ("iVerifyPIN", "io"), ("iChangePIN", "io"), ("iReloadPIN", "iso"), ("iUnblockPIN", "iso"),
        ("iReadCardBas_HSM_Step1", "io"), ("iReadCardBas_HSM_Step2", "so"),
        ("iReadCard_HSM_Step1", "isso"), ("iReadCard_HSM_Step2", "so"),
        ("iWriteCard_HSM_Step1", "isso"), ("iWriteCard_HSM_Step2", "sso"),
        ("iLoadCard", "io"), ("iWriteCaStep1", "o"), ("iWriteCaStep2", "so"), ("iPrint", "isssssssso"),
        ("iReloadPIN_HSM_Step1", "iso"), ("iReloadPIN_HSM_Step2", "so"), ("iReloadPIN_HSM_Step3", "so"),
        ("iUnblockPIN_HSM_Step1", "iso"), ("iUnblockPIN_HSM_Step2", "so"), ("iUnblockPIN_HSM_Step3", "so"),
        ("iChangePIN_n", "ioz"), ("iReloadPIN_n", "isoz"), ("iUnblockPIN_n", "isoz"),
        ("iReloadPIN_HSM_Step1_n", "isoz"), ("iReloadPIN_HSM_Step2_n", "soz"), ("iReloadPIN_HSM_Step3_n", "soz"),
        ("iUnblockPIN_HSM_Step1_n", "isoz"), ("iUnblockPIN_HSM_Step2_n", "soz"), ("iUnblockPIN_HSM_Step3_n", "soz"),
        ("iReadCardBas_n", "ioz"), ("iReadCard_n", "iissoz"), ("iWriteCard_n", "isssoz"), ("iVerifyPIN_n", "ioz"),
        ("iReadCardBas_HSM_Step1_n", "ioz"), ("iReadCardBas_HSM_Step2_n", "soz"),
        ("iReadCard_HSM_Step1_n", "issoz"), ("iReadCard_HSM_Step2_n", "soz"),
        ("iLoadCard_n", "ioz"), ("iWriteCaStep1_n", "oz"),
    ]

    /// The malformed strings: invalid GB18030, separators only, 4 KiB of one letter.
    static let malformedStrings: [[UInt8]] = [[0xFF, 0xFE, 0x81], Array("|||$$$".utf8), [UInt8](repeating: 0x41, count: 4096)]
    /// Numbers outside every int parameter's range (iType 1–4, iAuthType 1–2, n 0–9).
    static let badNumbers: [Int32] = [-1, 99, Int32.min]

    /// The hostile inputs of one function: each NULL pointer alone, each string malformed,
    /// each number out of range, and for _n an outSize of 0. The other parameters are empty
    /// strings and numbers out of range, so no input is a valid call.
    static func hostileInputs(_ signature: String) -> [(arguments: [DriverArgument], outputSize: Int?)] {
        let parameters = Array(signature)
        let sized = parameters.contains("z")
        let base: [DriverArgument] = parameters.compactMap { p in
            switch p {
            case "i": return .int(99)
            case "s": return .bytes([])
            default: return nil
            }
        }
        let argumentKinds = parameters.filter { $0 == "i" || $0 == "s" }
        var inputs: [([DriverArgument], Int?)] = [(base, nil)]  // NULL pOutInfo
        for (index, kind) in argumentKinds.enumerated() {
            if kind == "s" {
                var nulled = base
                nulled[index] = .null
                inputs.append((nulled, 1024))
                for bad in malformedStrings {
                    var malformed = base
                    malformed[index] = .bytes(bad)
                    inputs.append((malformed, 1024))
                }
            } else {
                for number in badNumbers {
                    var odd = base
                    odd[index] = .int(number)
                    inputs.append((odd, 1024))
                }
            }
        }
        if sized { inputs.append((base, 0)) }
        return inputs
    }

    static var robustnessCases: [ConformanceCase] {
        signatures.map { function, signature in
            ConformanceCase(
                id: "robustness.\(function)", group: .robustness,
                title: Bilingual("\(function)：空指针与畸形输入", "\(function): NULL and malformed inputs"),
                clause: "include/SSCardDriver.h 约定；《广东省社会保障卡经办规程》附件9 驱动封装要求",
                expected: Bilingual("每个输入都返回负值，输出以 NUL 结尾且不越界，不崩溃，20 秒内返回",
                                    "every input gives a negative code, a NUL-terminated output inside the buffer, no crash, an answer within 20 s")
            ) { ctx in
                guard try ctx.has(function) else {
                    let required = nationalFunctions.contains(function)
                    if required { return ctx.expect(false, "\(function) is not exported") }
                    throw CaseStop.notApplicable(Bilingual("库没有此函数", "the library has no such function"))
                }
                try ctx.insert(try ConformanceCards.personalised())
                var count = 0
                for input in hostileInputs(signature) {
                    let r = try ctx.call(function, input.arguments, outputSize: input.outputSize)
                    count += 1
                    let label = DriverCall(function, input.arguments, outputSize: input.outputSize).shown
                    ctx.expect(r.code < 0, "\(label) returned \(r.code)")
                    ctx.expect(!r.overran, "\(label) wrote past the buffer")
                    if let size = input.outputSize, size > 0 { ctx.expect(r.nulPosition != nil, "\(label): no NUL") }
                }
                ctx.saw("\(count) hostile inputs, no crash")
            }
        }
    }

    static var timingCases: [ConformanceCase] {
        [
            ConformanceCase(
                id: "timing.read-basic", group: .timing,
                title: Bilingual("iReadCardBas 连续20次：中位数与 P90", "iReadCardBas 20 times: median and p90"),
                clause: "本测试的约定：柜台等待，P90 不超过 5 秒",
                expected: Bilingual("20次都返回0（或都为 −2201），P90 ≤ 5 秒", "20 × 0 (or 20 × −2201), p90 ≤ 5 s")
            ) { ctx in
                try ctx.insert(try ConformanceCards.personalised())
                var times: [Duration] = []
                var codes: Set<Int> = []
                for _ in 0..<20 {
                    let r = try ctx.call("iReadCardBas", [.int(1)])
                    times.append(r.elapsed)
                    codes.insert(r.code)
                }
                let figures = TimingFigures(times)
                ctx.saw("codes \(codes.sorted()); median \(String(format: "%.1f", figures.medianMilliseconds)) ms, p90 \(String(format: "%.1f", figures.p90Milliseconds)) ms")
                ctx.expect(codes == [0] || codes == [-2201], "codes \(codes.sorted())")
                ctx.expect(figures.p90Milliseconds <= 5000, "p90 \(figures.p90Milliseconds) ms")
            },
        ]
    }

    static var issuanceCases: [ConformanceCase] {
        [
            ConformanceCase(
                id: "issuance.load-and-reject", group: .issuance,
                title: Bilingual("iLoadCard 从卡盒1进卡，iPrint(2) 全空项把卡送废卡盒", "iLoadCard from hopper 1, iPrint(2) with every item empty rejects the card"),
                clause: "《广东省社会保障卡经办规程》附件9 驱动封装要求（iLoadCard、iPrint）",
                expected: Bilingual("iLoadCard 0，读卡器中是卡盒1的空白预制卡；iPrint 0，读卡器随后无卡（−2），虚拟制卡机的废卡盒多一张", "iLoadCard 0 and hopper 1's blank card in the reader; iPrint 0, then no card (−2), one more card in the reject box")
            ) { ctx in
                let present = try issuanceFunctions.filter { try ctx.has($0) }
                guard present.count == issuanceFunctions.count else {
                    throw CaseStop.notApplicable(Bilingual("库没有即时制卡函数", "the library has no instant-issuance functions"))
                }
                defer { try? ctx.bench.printer.eject(to: .reject) }
                let hopperCards = Set((1...10).compactMap { try? PreMadeCardFactory().blankCard(.sample(sequence: $0)).cardIdentificationCode })
                let load = try ctx.call("iLoadCard", [.int(1)], deadline: .seconds(30))
                ctx.saw("iLoadCard \(load.code): \(load.shownText)")
                ctx.expect(load.code == 0, "iLoadCard \(load.code)")
                let step1 = try ctx.call("iReadCardBas_HSM_Step1", [.int(1)])
                let id = (try? HSMAuthenticationChallenge(parsing: step1.text ?? ""))?.cardIdentificationCode
                ctx.saw("in the reader: \(id?.hex ?? "no card (\(step1.code))")")
                ctx.expect(id.map(hopperCards.contains) == true, "the reader does not hold a card of hopper 1")
                let empty = [DriverArgument](repeating: .bytes([]), count: 8)
                let print = try ctx.call("iPrint", [.int(2)] + empty, deadline: .seconds(60))
                ctx.saw("iPrint \(print.code): \(print.shownText)")
                ctx.expect(print.code == 0, "iPrint \(print.code)")
                let after = try ctx.call("iReadCardBas_HSM_Step1", [.int(1)])
                ctx.saw("afterwards \(after.code)")
                ctx.expect(after.code == -2, "afterwards \(after.code), expected −2 (the card left the reader)")
            },
            ConformanceCase(
                id: "issuance.refused-item-ejects", group: .issuance,
                title: Bilingual("iPrint 拒绝打印项时仍自动退卡", "iPrint still ejects the card when it refuses an item"),
                clause: "《广东省社会保障卡经办规程》附件9 iPrint：不论印卡是否成功，执行完本命令均要自动退卡",
                expected: Bilingual("iLoadCard 0；iPrint 对只有4个字段的 sData1 返回负值并说明原因；读卡器随后无卡（−2）",
                                    "iLoadCard 0; iPrint answers negative for an sData1 of 4 fields, saying why; then no card in the reader (−2)")
            ) { ctx in
                let present = try issuanceFunctions.filter { try ctx.has($0) }
                guard present.count == issuanceFunctions.count else {
                    throw CaseStop.notApplicable(Bilingual("库没有即时制卡函数", "the library has no instant-issuance functions"))
                }
                defer { try? ctx.bench.printer.eject(to: .reject) }
                let load = try ctx.call("iLoadCard", [.int(1)], deadline: .seconds(30))
                ctx.saw("iLoadCard \(load.code): \(load.shownText)")
                ctx.expect(load.code == 0, "iLoadCard \(load.code)")
                let malformed = GB18030.encode("姓名  张三|宋体|8.5|320") ?? []
                let items = [DriverArgument.bytes(malformed)] + [DriverArgument](repeating: .bytes([]), count: 7)
                let print = try ctx.call("iPrint", [.int(1)] + items, deadline: .seconds(60))
                ctx.saw("iPrint \(print.code): \(print.shownText)")
                ctx.expect(print.code < 0, "iPrint \(print.code), expected a refusal")
                ctx.expect(!(print.text ?? "").isEmpty, "iPrint gave no reason in pOutInfo")
                let after = try ctx.call("iReadCardBas_HSM_Step1", [.int(1)])
                ctx.saw("afterwards \(after.code)")
                ctx.expect(after.code == -2, "afterwards \(after.code), expected −2 (the refused card left the reader)")
            },
        ]
    }
}

/// Median and 90th percentile of call times (nearest rank).
public struct TimingFigures: Codable, Hashable, Sendable {
    public var calls: Int
    public var medianMilliseconds: Double
    public var p90Milliseconds: Double

    init(_ times: [Duration]) {
        let ms = times.map(\.milliseconds).sorted()
        calls = ms.count
        func rank(_ p: Double) -> Double {
            guard !ms.isEmpty else { return 0 }
            return ms[min(ms.count - 1, max(0, Int((p * Double(ms.count)).rounded(.up)) - 1))]
        }
        medianMilliseconds = rank(0.5)
        p90Milliseconds = rank(0.9)
    }
}
