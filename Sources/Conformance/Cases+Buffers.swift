import Foundation
import SSCardDriver
import SSCardSimulator

/// Output buffers: NUL-terminated inside SSCARD_OUT_SIZE (1024) and nothing written past it;
/// with the size-aware `_n` variants, an exact buffer and one at its limit.
extension CaseCatalogue {
    static let bufferClause = "include/SSCardDriver.h：pOutInfo 1024 字节（SSCARD_OUT_SIZE），输出以 NUL 结尾；_n 变体不写出 outSize"

    static func checkBuffer(_ r: DriverCallResult, _ label: String, _ ctx: CaseContext) {
        ctx.saw("\(label): code \(r.code), NUL at \(r.nulPosition.map(String.init) ?? "none"), past the buffer \(r.overran ? "WRITTEN" : "untouched")")
        ctx.expect(r.nulPosition != nil, "\(label): no NUL inside the buffer")
        ctx.expect(!r.overran, "\(label): bytes past the buffer were written")
    }

    static var bufferCases: [ConformanceCase] {
        [
            ConformanceCase(
                id: "buffers.nul-terminated", group: .buffers,
                title: Bilingual("输出以 NUL 结尾，不越界（成功与失败两种输出）", "Output NUL-terminated, nothing past the buffer (a success and a failure)"),
                clause: bufferClause,
                expected: Bilingual("1024 字节内有 NUL；其后 64 字节哨兵不变", "a NUL within the 1024 bytes; the 64 canary bytes after it untouched")
            ) { ctx in
                try ctx.insert(try ConformanceCards.personalised())
                checkBuffer(try ctx.call("iReadCardBas", [.int(1)]), "iReadCardBas", ctx)
                checkBuffer(try ctx.call("iReadCardBas_HSM_Step1", [.int(1)]), "iReadCardBas_HSM_Step1", ctx)
                checkBuffer(try ctx.call("iReadCardBas", [.int(9)]), "iReadCardBas(iType 9)", ctx)
            },
            ConformanceCase(
                id: "buffers.exact-size", group: .buffers,
                title: Bilingual("iReadCardBas_n：缓冲区恰好够用", "iReadCardBas_n with a buffer of exactly the output's size"),
                clause: bufferClause,
                expected: Bilingual("outSize = 长度+1：输出完整，NUL 在最后一个字节", "outSize = length + 1: the whole output, the NUL in the last byte")
            ) { ctx in
                guard try ctx.has("iReadCardBas_n") else {
                    throw CaseStop.notApplicable(Bilingual("库没有 _n 变体", "the library has no _n variants"))
                }
                try ctx.insert(try ConformanceCards.personalised())
                let full = try ctx.call("iReadCardBas_n", [.int(1)], outputSize: 1024)
                ctx.saw("outSize 1024: code \(full.code), \(full.output.count) bytes")
                guard full.code == 0 else { return ctx.expect(full.code == -2201, "code \(full.code)") }
                let exact = try ctx.call("iReadCardBas_n", [.int(1)], outputSize: full.output.count + 1)
                checkBuffer(exact, "outSize \(full.output.count + 1)", ctx)
                ctx.expect(exact.output == full.output, "the output differs from the one in 1024 bytes")
            },
            ConformanceCase(
                id: "buffers.at-limit", group: .buffers,
                title: Bilingual("iReadCardBas_n：缓冲区比输出小", "iReadCardBas_n with a buffer smaller than the output"),
                clause: bufferClause,
                expected: Bilingual("outSize = 长度、16、1：截断在字符边界（仍是 GB18030），NUL 在缓冲区内，不越界", "outSize = length, 16, 1: cut on a character boundary, NUL inside, nothing past")
            ) { ctx in
                guard try ctx.has("iReadCardBas_n") else {
                    throw CaseStop.notApplicable(Bilingual("库没有 _n 变体", "the library has no _n variants"))
                }
                try ctx.insert(try ConformanceCards.personalised())
                let full = try ctx.call("iReadCardBas_n", [.int(1)], outputSize: 1024)
                guard full.code == 0, full.output.count > 16 else { return ctx.expect(full.code == -2201, "code \(full.code)") }
                for size in [full.output.count, 16, 1] {
                    let cut = try ctx.call("iReadCardBas_n", [.int(1)], outputSize: size)
                    checkBuffer(cut, "outSize \(size)", ctx)
                    ctx.expect(cut.output.count < size, "outSize \(size): \(cut.output.count) bytes before the NUL")
                    ctx.expect(full.output.starts(with: cut.output), "outSize \(size): not a prefix of the full output")
                    ctx.expect(cut.text != nil, "outSize \(size): cut inside a character")
                }
            },
        ]
    }
}
