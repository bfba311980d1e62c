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

    @OptionGroup var count: StockCountOptions

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        let physical = try count.physicalCount()
        if physical != nil && dryRun { throw StockCountCommandError.dryRunWithCount }
        let (report, check, counted, scope) = try setup.withStock { stock in
            if let physical {
                let result = try stock.takeStock(counted: physical, by: clerk.resolved)
                return (result.report, try stock.checkInvariants(), Optional(result), stock.sharedScope)
            }
            let report = dryRun ? try stock.stockReport() : try stock.takeStock(by: clerk.resolved)
            return (report, try stock.checkInvariants(), nil, stock.sharedScope)
        }
        if output.json {
            var document = StocktakeDocument(report, check)
            document.count = counted?.lines.map { .init(place: $0.place.key, books: $0.books, counted: $0.counted, difference: $0.difference) }
            document.scope = scope.map { .init(outlet: $0.outlet, desk: $0.desk) }
            try JSONOutput.write(document, to: console)
            if !check.holds || counted?.balanced == false { throw ExitCode.checkFailed }
            return
        }
        if let scope { console.say(Messages.sharedStockScope(scope)) }
        for line in Messages.stockReport(report, console.language) { console.say(verbatim: line) }
        if let counted {
            for line in StockCountMessages.lines(counted) { console.say(line) }
            if !counted.balanced {
                console.fail(StockCountMessages.difference(counted, clerk: clerk.resolved))
                if check.holds { throw ExitCode.checkFailed }
            }
        }
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
