import ArgumentParser
import Foundation
import InstantIssue

/// `issue-station inventory list [--state …] [--bank …]`: the cards on the books (on the outlet's
/// shared books with the desk whose hopper holds each card). Bank card numbers and accounts are
/// never shown.
struct InventoryListCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: Messages.listAbstract, discussion: Messages.listDiscussion)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var output: JSONOption

    @Option(help: ArgumentHelp(Messages.listStateHelp, valueName: "state"))
    var state: String?

    @Option(help: ArgumentHelp(Messages.listBankHelp, valueName: "bank"))
    var bank: String?

    @Option(help: ArgumentHelp(Messages.listLimitHelp, valueName: "n"))
    var limit = 500

    func validate() throws {
        if let state, PreMadeCardState.Kind(argument: state) == nil { throw ValidationError(Messages.listBadState(state)) }
        if limit < 0 { throw ValidationError(Messages.listBadLimit) }
    }

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        let kind = state.flatMap(PreMadeCardState.Kind.init(argument:))
        let (cards, total, shared) = try setup.withStock { stock in
            let shown = try stock.cards(state: kind, bank: bank, limit: limit == 0 ? nil : limit + 1)
            return (Array(shown.prefix(limit == 0 ? shown.count : limit)), shown.count, stock.sharedScope != nil)
        }
        if output.json {
            try JSONOutput.write(InventoryListDocument(cards, truncated: limit != 0 && total > limit), to: console)
            return
        }
        guard !cards.isEmpty else {
            console.say(Messages.listEmpty)
            return
        }
        // On the outlet's books every desk has a hopper 1: the desk column says whose.
        console.say(Messages.listHeader(desks: shared))
        for card in cards { console.say(verbatim: Messages.listRow(card, desks: shared, console.language)) }
        if limit != 0 && total > limit {
            console.say(Messages.listTruncated(limit))
        } else {
            console.say(Messages.listCount(cards.count))
        }
    }
}

extension PreMadeCardState.Kind {
    /// `inStock`, `instock`, `在库`…: the raw name (any case) or the Chinese name.
    init?(argument: String) {
        let wanted = argument.trimmingCharacters(in: .whitespaces)
        guard let kind = Self.allCases.first(where: { $0.rawValue.lowercased() == wanted.lowercased() || $0.chinese == wanted }) else {
            return nil
        }
        self = kind
    }
}
