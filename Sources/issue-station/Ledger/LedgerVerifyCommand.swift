import ArgumentParser
import Foundation
import InstantIssue

/// `issue-station ledger verify [--anchor SEQ:HASH]`: checks every entry of the 台账 against its
/// hash and the chain; exits 2 when an entry was edited, moved or removed.
struct LedgerVerifyCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify", abstract: Messages.verifyAbstract, discussion: Messages.verifyDiscussion)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp(Messages.verifyAnchorHelp, valueName: "seq:hash"))
    var anchor: String?

    func validate() throws {
        if let anchor, Self.parseAnchor(anchor) == nil { throw ValidationError(Messages.verifyBadAnchor) }
    }

    static func parseAnchor(_ text: String) -> AuditLedgerAnchor? {
        let parts = text.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "#", with: "").split(separator: ":")
        guard parts.count == 2, let seq = Int64(parts[0]), seq > 0,
              parts[1].count == 64, parts[1].allSatisfy(\.isHexDigit) else { return nil }
        return AuditLedgerAnchor(seq: seq, hash: parts[1].uppercased())
    }

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        let result = try setup.withDatabase { database in
            try AuditLedger(database: database).verify(anchor: anchor.flatMap(Self.parseAnchor))
        }
        if result.isIntact {
            console.say(Messages.ledgerIntact(count: result.entryCount, head: result.head, anchored: anchor != nil))
            return
        }
        console.fail(Messages.ledgerTampered(result.problems.count))
        for problem in result.problems { console.fail(Localized(verbatim: "  " + problem.description)) }
        console.fail(Messages.ledgerTamperedNext)
        throw ExitCode.checkFailed
    }
}
