import ArgumentParser
import Foundation
import InstantIssue

/// `issue-station inventory import FILE`: 入库 — the card maker's return file (回盘文件, YZKCG)
/// into stock, all cards or none.
struct InventoryImportCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: Messages.importAbstract, discussion: Messages.importDiscussion)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var clerk: ClerkOption

    @Argument(help: ArgumentHelp(Messages.importFileHelp, valueName: "file"))
    var file: String

    @Flag(help: ArgumentHelp(Messages.importDetailsHelp))
    var details = false

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        let url = URL(fileURLWithPath: NSString(string: file).expandingTildeInPath)
        let receipt: YZKCGImportReceipt
        do {
            receipt = try setup.withStock { stock in try stock.importReturnFile(at: url, by: clerk.resolved) }
        } catch let error as YZKCGImportError where details {
            ErrorAdvice(for: error).print(to: console)
            for problem in error.problems { console.fail(Messages.returnFileProblem(problem)) }
            if error.total > error.problems.count { console.fail(Messages.moreProblems(error.total - error.problems.count)) }
            throw ExitCode(ErrorAdvice.errorStatus)
        }
        console.say(Messages.imported(receipt))
        console.say(Messages.importNext(bank: receipt.bank))
    }
}
