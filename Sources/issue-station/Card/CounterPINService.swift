import ArgumentParser
import Foundation
import InstantIssue
import SSCardDriver

/// A PIN service only the counter gives (密码解锁, 密码重置; 《广东省社会保障卡经办规程》第二十条,
/// 第二十一条): the reader, the clerk and the identity check it takes, and the order it runs in —
/// the books first (a station that cannot record the service should not perform it), then the
/// card's holder confirmed against the ID document, the service, and the ledger entry.
struct CounterPINService: ParsableArguments {
    @OptionGroup var reader: CardReaderOption
    @OptionGroup var clerk: ClerkOption
    @OptionGroup var identity: IdentityCheckOption

    /// Runs `service` on the card in the reader and records `ledgerAction`; the card number.
    func run(_ global: GlobalOptions, console: StationConsole, ledgerAction: String,
             _ service: (SSCardInterface, CardInfoArgument) throws -> Void) throws -> CardNumber {
        let setup = try StationSetup(global)
        let clerkName = clerk.resolved
        guard !clerkName.isEmpty else { throw InventoryError.clerkRequired }
        let database = try setup.openDatabase()
        defer { try? database.close() }
        let interface = try CardDesk.interface(setup, reader: reader.reader)
        let (cardInfo, holder) = try CardDesk.cardInfo(interface)
        try IdentityCheck.confirm(holder, alreadyChecked: identity.idChecked, console: console)
        try service(interface, cardInfo)
        _ = try AuditLedger(database: database).append(clerk: clerkName, action: ledgerAction, subject: cardInfo.cardNumber.value,
                                                       details: IdentityCheck.ledgerNote)
        return cardInfo.cardNumber
    }
}
