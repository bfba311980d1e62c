import ArgumentParser
import Foundation
import InstantIssue

/// `issue-station inventory stocktake`: 盘点 — the daily count
/// (《广东省社会保障卡经办规程》第三十六条（四） 每天盘点数量), recorded in the ledger, and the
/// check that the books add up. Exits 2 when they do not.
struct InventoryStocktakeCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "stocktake", abstract: Messages.stocktakeAbstract, discussion: Messages.stocktakeDiscussion)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var clerk: ClerkOption
    @OptionGroup var output: JSONOption

    @Flag(help: ArgumentHelp(Messages.stocktakeDryRunHelp))
    var dryRun = false

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        let (report, check) = try setup.withDatabase { database in
            let inventory = PreMadeCardInventory(database: database)
            let report = dryRun ? try inventory.stockReport() : try inventory.takeStock(by: clerk.resolved)
            return (report, try inventory.checkInvariants())
        }
        if output.json {
            try JSONOutput.write(StocktakeDocument(report, check), to: console)
            if !check.holds { throw ExitCode.checkFailed }
            return
        }
        for line in Messages.stockReport(report, console.language) { console.say(verbatim: line) }
        if check.holds {
            console.say(Messages.booksAddUp(imported: check.imported))
        } else {
            console.fail(Messages.booksDoNotAddUp(check.violations.count))
            for violation in check.violations { console.fail(Localized(verbatim: "  " + violation)) }
            console.fail(Messages.booksDoNotAddUpNext)
            throw ExitCode.checkFailed
        }
    }
}
