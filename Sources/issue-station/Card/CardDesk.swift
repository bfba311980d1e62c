import ArgumentParser
import Foundation
import InstantIssue
import SSCardDriver
import DeskAssembly
import SimulatedDesk

/// `--reader`: which PC/SC reader the card commands use.
struct CardReaderOption: ParsableArguments {
    @Option(help: ArgumentHelp(
        "读卡器名称的一部分，例如 \"Virtual PCD 00 00\"；不给时用驱动配置的 contactReader，再用第一个读卡器。 "
            + "Part of the reader's name, e.g. \"Virtual PCD 00 00\"; without it the driver configuration's contactReader, else the first reader.",
        valueName: "name"))
    var reader: String?
}

/// The driver as the card commands use it: the national interface (`SSCardInterface`) over the
/// contact reader, with the security module the driver configuration names.
enum CardDesk {
    /// Checks that pcscd runs, the reader is there and holds a card — so the clerk gets one
    /// clear sentence at once instead of a timeout — then makes the interface.
    static func interface(_ setup: StationSetup, reader: String?) throws -> SSCardInterface {
        var configuration = try setup.driverConfiguration()
        if let reader { configuration.contactReader = reader }
        try precheck(pattern: configuration.contactReader)
        // The card commands are the counter's: the initial PIN may be changed here (第十八条).
        return SSCardInterface(configuration: configuration, securityModule: try DeskAssembly.withSimulators.securityModule(configuration),
                               isCounter: true)
    }

    static func precheck(pattern: String?) throws {
        let context = try PCSCContext()
        let readers = try context.readers()
        guard !readers.isEmpty else { throw PCSCError.noReadersAvailable }
        guard let found = readers.first(where: { pattern.map($0.contains) ?? true }) else {
            throw CardCommandError.readerNotFound(pattern: pattern ?? "", present: readers)
        }
        let status = try context.status(of: found)
        guard status.hasCard else { throw CardCommandError.noCard(reader: found) }
    }

    /// `卡识别码|卡号|` of the card in the reader, for the PIN reset functions.
    static func cardInfo(_ interface: SSCardInterface) throws -> (CardInfoArgument, BasicInformation) {
        let basic = try interface.readBasicInformation(reader: .contact)
        return (try CardInfoArgument(basic), basic)
    }
}

enum CardCommandError: AdvisedError {
    case readerNotFound(pattern: String, present: [String])
    case noCard(reader: String)
    case identityNotConfirmed

    var advice: ErrorAdvice {
        switch self {
        case let .readerNotFound(pattern, present):
            ErrorAdvice(Localized("找不到名称含“\(pattern)”的读卡器（现有：\(present.joined(separator: "、"))）",
                                  "No reader's name contains “\(pattern)” (present: \(present.joined(separator: ", ")))"),
                        next: Localized("检查读卡器连接和 --reader 或驱动配置的 contactReader，运行 issue-station readers 查看读卡器",
                                        "check the reader's cable and --reader or contactReader in the driver configuration; issue-station readers lists the readers"))
        case .noCard(let reader):
            ErrorAdvice(Localized("读卡器 \(reader) 里没有卡", "There is no card in the reader \(reader)"), next: ErrorAdvice.insertCard)
        case .identityNotConfirmed:
            ErrorAdvice(Localized("没有确认持卡人身份，未办理，卡片没有改动", "The holder's identity was not confirmed, so nothing was done to the card"),
                        next: Localized("核实持卡人本人有效身份证件原件与卡上一致后重新办理，回答 y（或加 --id-checked）（《广东省社会保障卡经办规程》第二十条、第二十一条）",
                                        "check the holder's original ID document against the card, then run it again and answer y (or add --id-checked) (《广东省社会保障卡经办规程》第二十条, 第二十一条)"))
        }
    }
}
