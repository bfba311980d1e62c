import Foundation
import SSCardDriver
import SSCardSimulator

/// A text in Chinese and English; the report shows the Chinese first.
public struct Bilingual: Codable, Hashable, Sendable {
    public var zh: String
    public var en: String
    public init(_ zh: String, _ en: String) {
        self.zh = zh
        self.en = en
    }
}

/// How a case ended.
public enum Verdict: String, Codable, Hashable, Sendable {
    case pass
    case fail
    /// The bench cannot test it (e.g. the reader has a PIN pad the tester cannot type on).
    case notTestable = "not-testable"
    /// The library does not offer what the case tests (e.g. no instant-issuance functions).
    case notApplicable = "not-applicable"
}

/// The groups of cases, in the order of the report.
public enum CaseGroup: String, Codable, CaseIterable, Sendable {
    case exports, readBasic = "read-basic", readWrite = "read-write", hsm, pin, buffers, robustness, timing, issuance

    var title: Bilingual {
        switch self {
        case .exports: return Bilingual("导出函数", "Exported functions")
        case .readBasic: return Bilingual("读基本信息 iReadCardBas", "Basic information (iReadCardBas)")
        case .readWrite: return Bilingual("读写卡 iReadCard / iWriteCard", "Reading and writing (iReadCard / iWriteCard)")
        case .hsm: return Bilingual("加密机两步函数", "HSM two-step functions")
        case .pin: return Bilingual("密码函数", "PIN functions")
        case .buffers: return Bilingual("输出缓冲区", "Output buffers")
        case .robustness: return Bilingual("健壮性（空指针与畸形输入，每项独立子进程）", "Robustness (NULL and malformed inputs, each in its own child process)")
        case .timing: return Bilingual("耗时", "Timing")
        case .issuance: return Bilingual("即时制卡函数", "Instant-issuance functions")
        }
    }
}

/// One conformance case: what it checks, the clause it checks against, and how it runs.
struct ConformanceCase {
    let id: String
    let group: CaseGroup
    let title: Bilingual
    /// The public document and article, or the header's convention, the case checks.
    let clause: String
    let expected: Bilingual
    let run: (CaseContext) throws -> Void
}

/// Ends a case early with a verdict that is not a failure.
enum CaseStop: Error {
    case notTestable(Bilingual)
    case notApplicable(Bilingual)
}

/// One call as the report shows it.
public struct CallRecord: Codable, Hashable, Sendable {
    public var call: String
    /// nil when the call had no result (crash, hang, missing).
    public var code: Int?
    public var milliseconds: Double?
    public var output: String
}

/// What a case may use while it runs: the bench, one fresh probe on the library, the cards it
/// serves (their APDUs recorded), and its findings.
final class CaseContext {
    let bench: ConformanceBench
    let library: String
    let probeURL: URL
    private(set) var probe: DriverProbe?
    private var served: [ServedCard] = []
    private(set) var calls: [CallRecord] = []
    private(set) var timedCalls: [(function: String, elapsed: Duration)] = []
    private(set) var apdus: [String] = []
    private(set) var seen: [String] = []
    private(set) var failures: [String] = []
    /// The default deadline of one call.
    static let callDeadline: Duration = .seconds(20)

    init(bench: ConformanceBench, library: String, probeURL: URL) {
        self.bench = bench
        self.library = library
        self.probeURL = probeURL
    }

    /// The case's probe, started on first use.
    func driver() throws -> DriverProbe {
        if let probe { return probe }
        let made = try DriverProbe(probe: probeURL, library: library, environment: bench.environment)
        probe = made
        return made
    }

    /// Calls the library; records the call, its time and the APDUs it caused.
    @discardableResult
    func call(_ function: String, _ arguments: [DriverArgument], outputSize: Int? = DriverCall.standardOutputSize,
              deadline: Duration = CaseContext.callDeadline) throws -> DriverCallResult {
        let call = DriverCall(function, arguments, outputSize: outputSize)
        do {
            let result = try driver().call(call, deadline: deadline)
            calls.append(CallRecord(call: call.shown, code: result.code, milliseconds: result.elapsed.milliseconds, output: result.shownText))
            timedCalls.append((function, result.elapsed))
            collectAPDUs()
            return result
        } catch {
            calls.append(CallRecord(call: call.shown, code: nil, milliseconds: nil, output: "\(error)"))
            collectAPDUs()
            throw error
        }
    }

    func has(_ function: String) throws -> Bool { try driver().has(function) }

    /// Serves a card in the bench's reader for the rest of the case.
    @discardableResult
    func insert(_ card: any VirtualCard) throws -> ServedCard {
        let s = try bench.insert(card)
        served.append(s)
        return s
    }

    /// Takes a served card out (pcscd sees the reader empty afterwards).
    func remove(_ card: ServedCard) {
        collectAPDUs()
        bench.remove(card)
        served.removeAll { $0 === card }
    }

    /// Records what the case saw.
    func saw(_ line: String) { seen.append(line) }

    /// Records a failure unless `condition` holds.
    func expect(_ condition: Bool, _ failure: @autoclosure () -> String) {
        if !condition { failures.append(failure()) }
    }

    private func collectAPDUs() {
        for card in served {
            apdus += card.takeExchanges().map(APDUMasking.line)
        }
    }

    /// Ends the probe and takes every card out.
    func finish() {
        collectAPDUs()
        probe?.close()
        for card in served { bench.remove(card) }
        served.removeAll()
    }
}
