import ArgumentParser
import Foundation
import SSCardDriver

/// `issue-station readers`: the PC/SC readers pcscd knows, each with card present or absent
/// and the card's ATR, and which one the driver configuration uses for what.
struct ReadersCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "readers", abstract: Messages.readersAbstract, discussion: Messages.readersDiscussion)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONOption

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        let driver = try setup.driverConfiguration()
        let context = try PCSCContext()
        let readers = try context.readers()
        if output.json {
            let listed = readers.enumerated().map { index, reader in
                ReadersDocument.reader(index: index, name: reader, status: try? context.status(of: reader),
                                       roles: ReaderRole.of(reader, driver, first: index == 0))
            }
            try JSONOutput.write(ReadersDocument(readers: listed), to: console)
            return
        }
        guard !readers.isEmpty else {
            console.say(Messages.noReaders)
            return
        }
        for (index, reader) in readers.enumerated() {
            let status = try? context.status(of: reader)
            console.say(verbatim: Messages.readerLine(index: index, name: reader, status: status,
                                                      roles: Messages.readerRoles(reader, driver, first: index == 0), console.language))
        }
    }
}

extension Messages {
    static let readersAbstract = "列出本机的读卡器、是否有卡以及卡片的 ATR。 Lists the card readers, whether each holds a card, and the card's ATR."
    static let readersDiscussion = """
        读卡器由 PC/SC 服务 pcscd 提供。“接触式读卡器”和“制卡机读卡器”是驱动配置中 contactReader 和 \
        printer.encoderReader 所指的读卡器。pcscd 没有运行时会说明怎么办。
        The readers come from the PC/SC service pcscd. "contact reader" and "printer encoder" mark \
        the readers the driver configuration's contactReader and printer.encoderReader name. If \
        pcscd is not running, the message says what to do.
        """
    static let noReaders = Localized("没有找到读卡器：请检查读卡器连接，然后运行 issue-station doctor。",
                                     "No card reader was found: check the reader's cable, then run issue-station doctor.")

    static func readerRoles(_ reader: String, _ driver: DriverConfiguration, first: Bool) -> [Localized] {
        ReaderRole.of(reader, driver, first: first).map(\.label)
    }

    static func readerLine(index: Int, name: String, status: ReaderStatus?, roles: [Localized], _ language: Language) -> String {
        let zh = language == .zh
        var line = "\(index): \(name)"
        if !roles.isEmpty { line += "  [" + roles.map { $0.text(language) }.joined(separator: zh ? "、" : ", ") + "]" }
        guard let status else { return line + (zh ? "  状态未知" : "  state unknown") }
        if status.state.contains(.mute) { return line + (zh ? "  有卡，但卡片无应答" : "  card present but mute") }
        guard status.hasCard else { return line + (zh ? "  无卡" : "  no card") }
        let atr = status.atr.map { String(format: "%02X", $0) }.joined(separator: " ")
        return line + (zh ? "  有卡  ATR \(atr)" : "  card present  ATR \(atr)")
    }
}

/// What the driver configuration uses a reader for.
enum ReaderRole: String {
    case contact, contactless, encoder

    var label: Localized {
        switch self {
        case .contact: Localized("接触式读卡器", "contact reader")
        case .contactless: Localized("非接触读卡器", "contactless reader")
        case .encoder: Localized("制卡机读卡器", "printer encoder")
        }
    }

    /// The contact reader is `contactReader`, or the first reader when none is named.
    static func of(_ reader: String, _ driver: DriverConfiguration, first: Bool) -> [ReaderRole] {
        var roles: [ReaderRole] = []
        if let p = driver.contactReader { if reader.contains(p) { roles.append(.contact) } }
        else if first { roles.append(.contact) }
        if let p = driver.contactlessReader, reader.contains(p) { roles.append(.contactless) }
        if let p = driver.printer.encoderReader, reader.contains(p) { roles.append(.encoder) }
        return roles
    }
}
