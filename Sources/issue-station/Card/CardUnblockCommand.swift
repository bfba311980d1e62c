import ArgumentParser
import SSCardDriver

/// `issue-station card unblock`: iUnblockPIN (密码解锁, 《广东省社会保障卡经办规程》第二十条) — the
/// try counter is reset with the security module; the PIN stays what it was. Recorded in the
/// ledger.
struct CardUnblockCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "unblock", abstract: Messages.unblockAbstract, discussion: Messages.unblockDiscussion)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var service: CounterPINService

    func execute(_ console: StationConsole) throws {
        let card = try service.run(global, console: console, ledgerAction: "card.pin.unblock") { interface, cardInfo in
            try interface.unblockPIN(reader: .contact, cardInfo: cardInfo)
        }
        console.say(Messages.pinUnblocked(card))
    }
}
