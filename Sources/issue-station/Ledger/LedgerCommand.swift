import ArgumentParser

/// `issue-station ledger`: the 台账 — export a day as CSV, verify the hash chain.
struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: Messages.ledgerAbstract,
        discussion: Messages.ledgerDiscussion,
        subcommands: [LedgerExportCommand.self, LedgerVerifyCommand.self])
}
