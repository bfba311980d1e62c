import ArgumentParser
import SSCardDriver

/// The station's executable: one subcommand per tool, each in its own file.
@main
struct IssueStation: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "issue-station",
        abstract: Messages.stationAbstract,
        version: ReleaseVersion.text,  // `issue-station --version`: the VERSION file's release
        subcommands: [DemoCommand.self, ServeCommand.self, IssueCommand.self, RecoverCommand.self, ActivateCommand.self, VCardCommand.self, VPrinterCommand.self, ProvinceSimCommand.self, BridgeCommand.self, ConformanceCommand.self]
            + IssueStation.clerkAndTechnicianCommands + IssueStation.counterProcessCommands)
}
