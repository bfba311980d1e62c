import ArgumentParser
import Foundation
import InstantIssue
import SSCardDriver

/// `issue-station inventory load --hopper N --bank B --count N`: 装卡 — records that the clerk
/// takes N cards of one bank from the safe and puts them into printer hopper N, and names the
/// cards to take (returned cards first, then in import order).
struct InventoryLoadCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "load", abstract: Messages.loadAbstract, discussion: Messages.loadDiscussion)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var clerk: ClerkOption

    @Option(help: ArgumentHelp(Messages.hopperHelp, valueName: "n"))
    var hopper: Int

    @Option(help: ArgumentHelp(Messages.loadBankHelp, valueName: "bank"))
    var bank: String

    @Option(help: ArgumentHelp(Messages.loadCountHelp, valueName: "n"))
    var count: Int

    func validate() throws {
        if Hopper(hopper) == nil { throw ValidationError(Messages.hopperRange) }
        if count < 1 { throw ValidationError(Messages.loadCountRange) }
    }

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        // The issuance feeds each bank's cards from the hopper the driver configuration names
        // (附件9: one bank per hopper); loading elsewhere would feed the wrong bank's cards.
        let driver = try setup.driverConfiguration()
        let map = (try? HopperMap(configuration: driver)) ?? .empty
        if let configured = map.hopper(forBank: bank), configured != hopper {
            throw InventoryCommandError.hopperDiffersFromConfiguration(bank: bank, configured: configured, asked: hopper)
        }
        let loaded = try setup.withStock { stock in
            try stock.loadHopper(Hopper(hopper)!, bank: bank, count: count, by: clerk.resolved)
        }
        console.say(Messages.loaded(count: loaded.count, bank: bank, hopper: hopper))
        for card in loaded { console.say(verbatim: Messages.cardLine(card)) }
        if map.hopper(forBank: bank) == nil { console.say(Messages.bankNotMapped(bank: bank, hopper: hopper)) }
    }
}

/// Refusals of the inventory commands that the library does not make itself.
enum InventoryCommandError: Error {
    case hopperDiffersFromConfiguration(bank: String, configured: Int, asked: Int)
}

extension InventoryCommandError: AdvisedError {
    var advice: ErrorAdvice {
        switch self {
        case let .hopperDiffersFromConfiguration(bank, configured, asked):
            ErrorAdvice(Localized("驱动配置规定\(bank)的卡放在卡盒\(configured)，不是卡盒\(asked)", "The driver configuration puts \(bank) cards in hopper \(configured), not hopper \(asked)"),
                        next: Localized("把卡装入卡盒\(configured)（--hopper \(configured)），或请技术员修改 driver.json 的 hoppers", "load them into hopper \(configured) (--hopper \(configured)), or ask the technician to change hoppers in driver.json"))
        }
    }
}
