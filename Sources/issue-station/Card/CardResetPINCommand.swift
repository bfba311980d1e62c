import ArgumentParser
import Foundation
import InstantIssue
import SSCardDriver

/// `issue-station card reset-pin`: iReloadPIN (密码重置, seed 004 第二十一条) — for a forgotten or
/// locked PIN: the holder types a new PIN twice; the try counter is full afterwards. Recorded
/// in the ledger (the card number, never the PIN).
struct CardResetPINCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset-pin", abstract: Messages.resetPINAbstract, discussion: Messages.resetPINDiscussion)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var reader: CardReaderOption
    @OptionGroup var clerk: ClerkOption
    @OptionGroup var identity: IdentityCheckOption

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        let clerkName = clerk.resolved
        guard !clerkName.isEmpty else { throw InventoryError.clerkRequired }
        let database = try setup.openDatabase()
        defer { try? database.close() }
        let interface = try CardDesk.interface(setup, reader: reader.reader)
        let (cardInfo, holder) = try CardDesk.cardInfo(interface)
        try IdentityCheck.confirm(holder, alreadyChecked: identity.idChecked, console: console)
        console.say(Messages.holderTypesNewPIN)
        try interface.reloadPIN(iType: ReaderChoice.contact.rawValue, cardInfo: cardInfo)
        _ = try AuditLedger(database: database).append(clerk: clerkName, action: "card.pin.reset", subject: cardInfo.cardNumber,
                                                  details: IdentityCheck.ledgerNote)
        console.say(Messages.pinReset(cardInfo.cardNumber))
    }
}
