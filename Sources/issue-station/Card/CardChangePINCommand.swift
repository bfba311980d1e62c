import ArgumentParser
import Foundation
import SSCardDriver

/// `issue-station card change-pin`: iChangePIN — current PIN, then the new PIN twice.
struct CardChangePINCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "change-pin", abstract: Messages.changePINAbstract, discussion: Messages.changePINDiscussion)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var reader: CardReaderOption

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        let interface = try CardDesk.interface(setup, reader: reader.reader)
        console.say(Messages.holderTypesPIN)
        try interface.changePIN(reader: .contact)
        console.say(Messages.pinChanged)
    }
}
