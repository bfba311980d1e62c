import ArgumentParser

/// `issue-station card`: reading a card and the holder's PIN services at the counter.
struct CardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "card",
        abstract: Messages.cardAbstract,
        discussion: Messages.cardDiscussion,
        subcommands: [CardReadCommand.self, CardVerifyPINCommand.self, CardChangePINCommand.self,
                      CardUnblockCommand.self, CardResetPINCommand.self])
}
