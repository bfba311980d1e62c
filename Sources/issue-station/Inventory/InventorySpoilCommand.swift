import ArgumentParser
import Foundation
import InstantIssue
import SSCardDriver

/// `issue-station inventory spoil CARDNO --reason …`: 作废 — a pre-made card that can no longer
/// be issued (jammed, misprinted, damaged), with the reason, into the ledger.
struct InventorySpoilCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "spoil", abstract: Messages.spoilAbstract, discussion: Messages.spoilDiscussion)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var clerk: ClerkOption

    @Argument(help: ArgumentHelp(Messages.spoilCardHelp, valueName: "card-number"))
    var cardNumber: String

    @Option(help: ArgumentHelp(Messages.spoilReasonHelp, valueName: "reason"))
    var reason: String

    /// The card number as typed: white space around it is dropped and letters are upper-cased,
    /// as on the card.
    var typedCardNumber: CardNumber? { CardNumber(cardNumber.trimmingCharacters(in: .whitespaces).uppercased()) }

    func validate() throws {
        if typedCardNumber == nil { throw ValidationError(Messages.cardNumberForm(cardNumber)) }
    }

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        let card = try setup.withStock { stock in try stock.spoilCard(typedCardNumber!, reason: reason, by: clerk.resolved) }
        console.say(Messages.spoiled(card.cardNumber, reason: reason))
    }
}
