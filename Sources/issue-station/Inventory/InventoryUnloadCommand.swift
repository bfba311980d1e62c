import ArgumentParser
import Foundation
import InstantIssue

/// `issue-station inventory unload --hopper N`: 卸卡 — the cards of hopper N go back to the safe
/// (已退库). Reserved cards stay: an issuance is using them.
struct InventoryUnloadCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "unload", abstract: Messages.unloadAbstract, discussion: Messages.unloadDiscussion)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var clerk: ClerkOption

    @Option(help: ArgumentHelp(Messages.hopperHelp, valueName: "n"))
    var hopper: Int

    func validate() throws {
        if Hopper(hopper) == nil { throw ValidationError(Messages.hopperRange) }
    }

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        let unloaded = try setup.withStock { stock in try stock.unloadHopper(Hopper(hopper)!, by: clerk.resolved) }
        guard !unloaded.isEmpty else {
            console.say(Messages.unloadedNothing(hopper: hopper))
            return
        }
        console.say(Messages.unloaded(count: unloaded.count, hopper: hopper))
        for card in unloaded { console.say(verbatim: Messages.cardLine(card)) }
    }
}
