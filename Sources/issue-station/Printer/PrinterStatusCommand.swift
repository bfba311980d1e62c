import ArgumentParser
import Foundation
import InstantIssue
import SSCardDriver

/// `issue-station printer status`: what the printer's sensors say — hoppers, cover, ribbon,
/// where the card is, reject box — beside the cards the books put in each hopper.
struct PrinterStatusCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: Messages.printerStatusAbstract, discussion: Messages.printerStatusDiscussion)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONOption

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        let (printer, driver) = try StationPrinter.make(setup)
        let status = try printer.status()
        // The books' side is a help, not a requirement: a printer is checked without a database
        // too, and an outlet database that is away is not waited for long.
        let booked: [Int: Int]? = try? setup.withStock(reconnectWindow: .seconds(3)) { stock in
            var counts: [Int: Int] = [:]
            for h in status.hoppers {
                if let hopper = Hopper(h.number) { counts[h.number] = try stock.cards(inHopper: hopper).count }
            }
            return counts
        }
        if output.json {
            try JSONOutput.write(PrinterStatusDocument(status, printer: StationPrinter.describe(driver.printer), booked: booked, console.language), to: console)
            return
        }
        for line in Messages.printerStatus(status, printer: StationPrinter.describe(driver.printer), booked: booked, console.language) {
            console.say(verbatim: line)
        }
        for warning in Messages.printerWarnings(status) { console.say(warning) }
    }
}
