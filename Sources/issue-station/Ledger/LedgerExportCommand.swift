import ArgumentParser
import Foundation
import InstantIssue
import SSCardPrinter

/// `issue-station ledger export --day YYYY-MM-DD [--out FILE]`: one day of the 台账 as CSV
/// (UTF-8 with BOM, for Excel and WPS), to a file or to standard output. On the outlet's PostgreSQL
/// books, the day of the outlet's shared chain (every desk's entries).
struct LedgerExportCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: Messages.exportAbstract, discussion: Messages.exportDiscussion)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp(Messages.exportDayHelp, valueName: "YYYY-MM-DD"))
    var day: String?

    @Option(help: ArgumentHelp(Messages.exportOutHelp, valueName: "file"))
    var out: String?

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        let chosenDay = day ?? Self.today()
        let csv = try setup.withLedger { try $0.exportCSV(day: chosenDay, timeZone: .current) }
        guard let out else {
            FileHandle.standardOutput.write(csv)
            return
        }
        let url = URL(fileURLWithPath: NSString(string: out).expandingTildeInPath)
        do {
            // Clerks' names, application ids and card numbers: 0600, not through a symbolic link.
            try PrivateFile.write([UInt8](csv), to: url.path)
        } catch {
            throw LedgerCommandError.cannotWrite(path: url.path)
        }
        console.say(Messages.exported(day: chosenDay, path: url.path))
    }

    static func today() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = .current
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: Date())
    }
}

enum LedgerCommandError: AdvisedError {
    case cannotWrite(path: String)

    var advice: ErrorAdvice {
        switch self {
        case .cannotWrite(let path):
            ErrorAdvice(Localized("无法写入文件 \(path)", "Cannot write the file \(path)"),
                        next: Localized("检查目录是否存在、是否有写权限，或用 --out 换一个位置", "check that the folder exists and is writable, or choose another place with --out"))
        }
    }
}
