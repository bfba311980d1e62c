import Foundation
import InstantIssue

/// How the issuance commands show progress, ask the clerk, and die on purpose for the crash
/// harness.
enum IssuanceConsole {
    /// One line per step: `[3/9] 读卡核对预制卡 … 完成`.
    static func progressPrinter(_ console: StationConsole) -> (IssuanceProgress) -> Void {
        let counter = StepCounter()
        return { event in
            switch event {
            case .started(let step):
                let side: [IssuanceStep] = [.fail, .backfill, .activate, .cancel]
                let prefix = side.contains(step) ? "[*] " : "[\(counter.next())/9] "
                console.say(verbatim: prefix + console.text(step.chinese, step.english) + " …")
            case .finished(let step):
                console.say(verbatim: "      " + console.text("\(step.chinese)：完成", "\(step.english): done"))
            case .preview(let path):
                console.say(Localized("      卡面预览：\(path)", "      card-face preview: \(path)"))
            case .retrying(let step, let attempt, let reason):
                console.say(Localized("      \(step.chinese)：第\(attempt)次重试（\(reason)）", "      \(step.english): try \(attempt) (\(reason))"))
            }
        }
    }

    /// The crash harness (Tests/IntegrationTests/CrashRecoveryTests.swift, docs/recovery.md):
    /// with `SSCARD_CRASH_AFTER=<step>:<start|done>` the process kills itself with SIGKILL right
    /// after that journal entry is committed, as a power cut would; with `SSCARD_CRASH_SIGNAL=INT`
    /// it sends itself SIGINT there instead, as a clerk's Ctrl-C. A point that names no step is
    /// refused rather than never reached.
    static func crashHook(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> (@Sendable (JournalEntry) -> Void)? {
        guard let point = environment["SSCARD_CRASH_AFTER"], !point.isEmpty else { return nil }
        guard let (step, stage) = IssuanceStep.parse(point) else { throw CrashPointError(point: point) }
        let signal = environment["SSCARD_CRASH_SIGNAL"] == "INT" ? SIGINT : SIGKILL
        return { entry in
            if entry.step == step && entry.stage == stage { kill(getpid(), signal) }
        }
    }

    /// Reads one line from the clerk; nil at end of input (no terminal, Ctrl-D).
    static func ask(_ console: StationConsole, _ question: Localized) -> String? {
        console.say(question)
        return readLine()?.trimmingCharacters(in: .whitespaces)
    }
}

/// `SSCARD_CRASH_AFTER` names no journal entry.
struct CrashPointError: AdvisedError {
    let point: String

    var advice: ErrorAdvice {
        ErrorAdvice(Localized("SSCARD_CRASH_AFTER=\(point) 不是流水步骤", "SSCARD_CRASH_AFTER=\(point) names no journal step"),
                    next: Localized("写成 <步骤>:<start|done>，如 identify:done（docs/recovery.md）",
                                    "write <step>:<start|done>, e.g. identify:done (docs/recovery.md)"))
    }
}

/// Numbers the workflow's steps as they start.
private final class StepCounter {
    private var value = 0
    func next() -> Int { value += 1; return value }
}

/// Ctrl-C while a card is being made: the first asks the workflow to stop at the next step
/// boundary (the card is then rejected or released and the journal closed); the workflow never
/// stops half-way through a step. A later Ctrl-C says so again.
final class InterruptGuard: @unchecked Sendable {
    private let source: DispatchSourceSignal

    init(cancellation: IssuanceCancellation, console: StationConsole) {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            cancellation.cancel()
            console.fail(Localized("收到中断：当前步骤完成后停止，卡片按规定处理，请稍候…",
                                   "Interrupted: stopping after the current step; the card is handled by the rules, please wait…"))
        }
        source.resume()
    }

    func end() {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
