import ArgumentParser
import Conformance
import Foundation
import SSCardSimulator

/// `issue-station conformance`: runs the conformance cases against any SSCardDriver library
/// (a vendor's or ours) with simulated cards through pcscd + vpcd, and writes the report.
/// Its exit status is the run's: 0 every applicable case passed, 1 a case failed, 2 the run
/// could not start.
struct ConformanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conformance", abstract: Messages.conformanceAbstract, discussion: Messages.conformanceDiscussion)

    @OptionGroup var lang: LanguageOption

    @Option(help: ArgumentHelp("被测的驱动库（.so 文件）。 The driver library to test (a .so file).", valueName: "path"))
    var library: String

    @Option(help: ArgumentHelp("模拟卡所在的 vpcd 读卡器，被测库须把它当接触式读卡器。 The vpcd reader the simulated cards are served in; the library must use it as its contact reader.",
                               valueName: "name"))
    var reader = VirtualReaderStack.readerNames[0]

    @Option(help: ArgumentHelp("报告目录（conformance-report.json 与 .html），默认当前目录。 Where to write conformance-report.json and .html (default: the current directory).",
                               valueName: "dir"))
    var report = "."

    @Option(name: .customLong("case"), help: ArgumentHelp("只运行该用例或该组（可重复），如 read-basic 或 robustness.iReadCardBas。 Run only this case or group (repeatable).",
                                                          valueName: "id"))
    var cases: [String] = []

    @Flag(help: ArgumentHelp("使用已运行的 pcscd（须带 vpcd 读卡器），不另起私有的。 Use the running pcscd (with the vpcd readers) instead of starting a private one."))
    var useRunningPcscd = false

    func run() throws {
        let console = StationConsole(language: lang.language)
        let probe = Bundle.main.executableURL?.deletingLastPathComponent().appendingPathComponent("sscard-conformance-probe")
            ?? URL(fileURLWithPath: "sscard-conformance-probe")
        let options = ConformanceOptions(
            library: URL(fileURLWithPath: NSString(string: library).expandingTildeInPath).path,
            reader: reader, useRunningPCSCD: useRunningPcscd, cases: cases, probe: probe,
            commandLine: (["issue-station"] + CommandLine.arguments.dropFirst()).joined(separator: " "))
        console.say(Localized("测试驱动库 \(options.library)，读卡器 \(reader)…", "Testing the driver library \(options.library) in reader \(reader)…"))
        let result: ConformanceReport
        do {
            result = try ConformanceRun.run(options) { console.say(verbatim: $0) }
        } catch {
            console.fail(Localized("无法开始测试：\(error)", "The run could not start: \(error)"))
            throw ExitCode(2)
        }
        let directory = URL(fileURLWithPath: NSString(string: report).expandingTildeInPath)
        let files: (json: URL, html: URL)
        do { files = try result.write(to: directory) } catch {
            console.fail(Localized("报告写不进 \(directory.path)：\(error)", "Cannot write the report into \(directory.path): \(error)"))
            throw ExitCode(2)
        }
        let s = result.summary
        console.say(Localized(
            "通过 \(s.passed)，不通过 \(s.failed)，无法测试 \(s.notTestable)，不适用 \(s.notApplicable)；用时 \(String(format: "%.1f", result.durationSeconds)) 秒",
            "passed \(s.passed), failed \(s.failed), not testable \(s.notTestable), not applicable \(s.notApplicable); \(String(format: "%.1f", result.durationSeconds)) s"))
        console.say(Localized("报告：\(files.html.path)，\(files.json.path)", "Report: \(files.html.path), \(files.json.path)"))
        throw ExitCode(result.exitStatus)
    }
}

extension Messages {
    static let conformanceAbstract = "用模拟卡测试任一社保卡驱动库（SSCardDriver 接口）并出报告。 Tests any SSCardDriver library with simulated cards and writes a report."
    static let conformanceDiscussion = """
        用 dlopen 加载被测库，在子进程中按国家接口（人社信息函〔2016〕38号、59号）调用它；模拟卡经 pcscd + vpcd \
        放入读卡器（已个人化、空白预制卡、密码已锁、不应答、拔出、外地卡、非社保卡），加密机为省级模拟系统的， \
        制卡机为虚拟制卡机。库若读 SSCARD_DRIVER_CONFIG（本项目的库即如此），测试程序为它写好配置；其他库须配置为 \
        使用 --reader 所指的读卡器。退出状态：0 所有适用用例通过，1 有用例不通过，2 无法开始。 \
        报告为 conformance-report.json 和 conformance-report.html（中文在前）。见 docs/technician.md。
        Loads the library with dlopen and calls it in a child process through the national interface; \
        simulated cards are served through pcscd + vpcd in the states each case needs, the HSM is the \
        province simulator's and the printer the virtual one. A library that reads SSCARD_DRIVER_CONFIG \
        (ours does) gets a configuration written for it; any other must be set to use the --reader reader. \
        Exit status: 0 every applicable case passed, 1 a case failed, 2 the run could not start. \
        See docs/technician.md.
        """
}
