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
        // The 台账 the configuration chose — the desk's own chain, or the outlet's shared one —
        // opened (connected) before the card is touched, and held until the entry is in.
        return try setup.withLedger { ledger in
            let interface = try CardDesk.interface(setup, reader: reader.reader)
            let (cardInfo, holder) = try CardDesk.cardInfo(interface)
            try IdentityCheck.confirm(holder, alreadyChecked: identity.idChecked, console: console)
            try service(interface, cardInfo)
            do {
                try ledger.append(clerk: clerkName, action: ledgerAction, subject: cardInfo.cardNumber.value,
                                  details: IdentityCheck.ledgerNote)
            } catch {
                // The service is done on the card; only its record failed (the outlet's database
                // away longer than the desk waits): say what to record, not only why.
                throw CounterPINServiceError.notRecorded(action: ledgerAction, card: cardInfo.cardNumber.value,
                                                         problem: ErrorAdvice(for: error).problem)
            }
            return cardInfo.cardNumber
        }
    }
}

/// A PIN service done on the card whose 台账 entry could not be written.
enum CounterPINServiceError: AdvisedError {
    case notRecorded(action: String, card: String, problem: Localized)

    var advice: ErrorAdvice {
        switch self {
        case let .notRecorded(action, card, problem):
            ErrorAdvice(Localized("卡 \(card) 的密码业务（\(action)）已办好，但未能记入台账（",
                                  "The PIN service (\(action)) on card \(card) is done, but it could not be recorded in the ledger (")
                            + problem + Localized("）", ")"),
                        next: Localized("不要重做；请在纸质登记簿记下卡号、业务、经办人和时间，数据库恢复后告知负责人补记",
                                        "do not do it again; write the card number, the service, the clerk and the time in the paper register and tell the supervisor once the database is back"))
        }
    }
}
