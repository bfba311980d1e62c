import ArgumentParser
import Foundation
import CardManagement
import InstantIssue
import ProvinceSimulator

/// `issue-station batch check PATH`: 批量申请数据文件 (《广东省社会保障卡经办规程》附件6) — every
/// problem reported by row; with `--queue` the valid rows become 待制卡 applications.
struct BatchCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "检查批量申请数据文件（附件6），逐行报告问题，合格的排队待制卡。 Checks a batch application file (附件6), reports every problem by row, queues the valid rows.",
        discussion: """
            PATH 为 SBK2_银行_经办机构_人数_时间.zip 或其解压后的目录（含同名 .txt 和 PHOTO 目录）。有文件级问题（文件名、人数、\
            标题行）时一行也不排队。--queue 把合格的行作为待制卡申请放入卡管系统（本机模拟的卡管系统；接真实省卡管系统时\
            请在省卡管系统上传）。 PATH is the SBK2 zip or its unpacked folder. A file-level problem queues nothing. \
            --queue puts the valid rows into the card-management system as applications awaiting production (the \
            embedded simulator; with the real province system, upload the file there).
            """)

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("批量申请 zip 文件或解压后的目录。 The batch zip or its unpacked folder.", valueName: "path"))
    var path: String
    @Option(help: ArgumentHelp("发卡地区代码（6位）；默认取终端机编号前6位。 The 6-digit region; the terminal number's first six by default.", valueName: "code"))
    var region: String?
    @Flag(help: ArgumentHelp("把合格的行排队待制卡。 Queues the valid rows."))
    var queue = false

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        let regionCode = region ?? String(setup.station.terminal.prefix(6))
        let (folder, cleanup) = try Self.unpacked(path)
        defer { cleanup() }
        let report = try BatchApplicationFile.check(folder: folder, regionCode: regionCode)
        for problem in report.fileProblems { console.fail(Localized(verbatim: "文件 file: " + problem)) }
        for row in report.rowProblems {
            for problem in row.problems { console.fail(Localized(verbatim: "第\(row.line)行 line \(row.line): " + problem)) }
        }
        console.say(Localized("共 \(report.rowCount) 行，合格 \(report.valid.count) 行，有问题 \(report.rowProblems.count) 行。",
                              "\(report.rowCount) rows: \(report.valid.count) valid, \(report.rowProblems.count) with problems."))
        if queue && !report.valid.isEmpty {
            guard let simulator = try setup.cardManagementSystem() as? SimulatedCardManagementSystem else {
                throw BatchCommandError.noQueue
            }
            var added = 0
            for application in report.valid {
                do { try simulator.add(application); added += 1 } catch {
                    console.fail(Localized("申请 \(application.id) 已在卡管系统中，未重复排队。", "Application \(application.id) is already there; not queued again."))
                }
            }
            console.say(Localized("已排队待制卡 \(added) 份。", "\(added) application(s) queued."))
        }
        if !report.fileProblems.isEmpty || !report.rowProblems.isEmpty { throw ExitCode.checkFailed }
    }

    /// A folder as is; a zip unpacked with unzip into a private temporary folder.
    static func unpacked(_ path: String) throws -> (URL, () -> Void) {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { throw BatchCommandError.missing(path) }
        if isFolder.boolValue { return (URL(fileURLWithPath: path), {}) }
        let temp = FileManager.default.temporaryDirectory.appendingPathComponent("sbk2-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temp, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let unzip = Process()
        unzip.executableURL = URL(fileURLWithPath: "/usr/bin/unzip")
        unzip.arguments = ["-q", "-n", path, "-d", temp.path]
        unzip.standardOutput = FileHandle.nullDevice
        unzip.standardError = FileHandle.nullDevice
        do { try unzip.run() } catch { throw BatchCommandError.unzip(path) }
        unzip.waitUntilExit()
        guard unzip.terminationStatus == 0 else {
            try? FileManager.default.removeItem(at: temp)
            throw BatchCommandError.unzip(path)
        }
        return (temp, { try? FileManager.default.removeItem(at: temp) })
    }
}

enum BatchCommandError: AdvisedError {
    case missing(String)
    case unzip(String)
    case noQueue

    var advice: ErrorAdvice {
        switch self {
        case let .missing(path):
            ErrorAdvice(Localized("找不到 \(path)", "\(path) does not exist"), next: Localized("检查路径后重试", "check the path and retry"))
        case let .unzip(path):
            ErrorAdvice(Localized("无法解压 \(path)", "Cannot unpack \(path)"),
                        next: Localized("确认是完整的 zip 文件（需要 unzip 程序），或先解压再给出目录", "check it is a whole zip (unzip is needed), or unpack it and give the folder"))
        case .noQueue:
            ErrorAdvice(Localized("接真实省卡管系统时制卡站不能上传批量申请", "With the real province system the desk cannot upload a batch"),
                        next: Localized("在省卡管系统上传批量申请文件（附件6）", "upload the batch file in the province system"))
        }
    }
}

extension BatchApplicationError: AdvisedError {
    var advice: ErrorAdvice {
        let problem: Localized = switch self {
        case let .textFileCount(n): Localized("批量申请应有且只有一个 .txt 文件（找到 \(n) 个）", "A batch holds exactly one .txt file (found \(n))")
        case .notUTF8: Localized("批量申请文本文件不是 UTF-8 编码", "The batch text file is not UTF-8")
        case .tooShort: Localized("批量申请文本文件缺少人数行或标题行", "The batch text file lacks the count or header line")
        }
        return ErrorAdvice(problem, next: Localized("按《广东省社会保障卡经办规程》附件6更正文件后重试", "correct the file as 附件6 describes and retry"))
    }
}
