import ArgumentParser
import Foundation
import SSCardDriver

/// `issue-station card read [--reader …]`: iReadCardBas, printed as labelled fields.
struct CardReadCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "read", abstract: Messages.cardReadAbstract, discussion: Messages.cardReadDiscussion)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var reader: CardReaderOption

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        let interface = try CardDesk.interface(setup, reader: reader.reader)
        let basic = try interface.readBasicInformation(reader: .contact)
        for line in Messages.basicInformation(basic, console.language) { console.say(verbatim: line) }
    }
}
