import ArgumentParser
import Foundation
import InstantIssue

/// `issue-station ledger verify [--anchor SEQ:HASH]`: checks every entry of the 台账 against its
/// keyed hash and the chain, then the chain against the checkpoints the card-management system
/// holds (sending the head as a new one); exits 2 when an entry was forged, edited, moved or
/// removed, or the ledger disagrees with a checkpoint. Without the key file it fails (exit 1).
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
        let system = try setup.cardManagementSystem()
        let result = try setup.withDatabase { database in
            try AuditLedger(database: database).verify(anchor: anchor.flatMap(Self.parseAnchor), against: system,
                                                       terminal: setup.station.terminal)
        }
        if result.isIntact {
            console.say(Messages.ledgerIntact(count: result.entryCount, head: result.head, anchored: anchor != nil))
            console.say(Messages.ledgerCheckpoints(result.checkpoints))
            return
        }
        console.fail(Messages.ledgerTampered(result.problems.count, first: result.firstAlteredSeq))
        for problem in result.problems { console.fail(Localized(verbatim: "  " + problem.description)) }
        if case .unavailable? = result.checkpoints { console.fail(Messages.ledgerCheckpoints(result.checkpoints)) }
        console.fail(Messages.ledgerTamperedNext)
        throw ExitCode.checkFailed
    }
}
