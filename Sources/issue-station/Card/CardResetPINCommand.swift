import ArgumentParser
import SSCardDriver

/// `issue-station card reset-pin`: iReloadPIN (密码重置, 《广东省社会保障卡经办规程》第二十一条) —
/// for a forgotten or locked PIN: the holder types a new PIN twice; the try counter is full
/// afterwards. Recorded in the ledger (the card number, never the PIN).
struct CardResetPINCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset-pin", abstract: Messages.resetPINAbstract, discussion: Messages.resetPINDiscussion)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var service: CounterPINService

    func execute(_ console: StationConsole) throws {
        let card = try service.run(global, console: console, ledgerAction: "card.pin.reset") { interface, cardInfo in
            console.say(Messages.holderTypesNewPIN)
            try interface.reloadPIN(reader: .contact, cardInfo: cardInfo)
        }
        console.say(Messages.pinReset(card))
    }
}
