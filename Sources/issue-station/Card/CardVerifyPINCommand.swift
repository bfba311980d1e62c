import ArgumentParser
import Foundation
import SSCardDriver

/// `issue-station card verify-pin`: iVerifyPIN — the holder types the PIN on the reader's PIN
/// pad or this terminal (never echoed, logged or kept).
struct CardVerifyPINCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify-pin", abstract: Messages.verifyPINAbstract, discussion: Messages.verifyPINDiscussion)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var reader: CardReaderOption

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        let interface = try CardDesk.interface(setup, reader: reader.reader)
        console.say(Messages.holderTypesPIN)
        try interface.verifyPIN(reader: .contact)
        console.say(Messages.pinVerified)
    }
}
