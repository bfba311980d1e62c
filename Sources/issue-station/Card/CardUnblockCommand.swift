import ArgumentParser
import Foundation
import InstantIssue
import SSCardDriver

/// `issue-station card unblock`: iUnblockPIN (密码解锁, seed 004 第二十条) — the try counter is
/// reset with the security module; the PIN stays what it was. Recorded in the ledger.
struct CardUnblockCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "unblock", abstract: Messages.unblockAbstract, discussion: Messages.unblockDiscussion)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var reader: CardReaderOption
    @OptionGroup var clerk: ClerkOption
    @OptionGroup var identity: IdentityCheckOption

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        let clerkName = clerk.resolved
        guard !clerkName.isEmpty else { throw InventoryError.clerkRequired }
        // The database first: a station that cannot record the service should not perform it.
        let database = try setup.openDatabase()
        defer { try? database.close() }
        let interface = try CardDesk.interface(setup, reader: reader.reader)
        let (cardInfo, holder) = try CardDesk.cardInfo(interface)
        try IdentityCheck.confirm(holder, alreadyChecked: identity.idChecked, console: console)
        try interface.unblockPIN(iType: ReaderChoice.contact.rawValue, cardInfo: cardInfo)
        _ = try AuditLedger(database: database).append(clerk: clerkName, action: "card.pin.unblock", subject: cardInfo.cardNumber,
                                                  details: IdentityCheck.ledgerNote)
        console.say(Messages.pinUnblocked(cardInfo.cardNumber))
    }
}
