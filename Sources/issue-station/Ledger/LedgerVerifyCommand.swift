import ArgumentParser
import Foundation
import InstantIssue

/// `issue-station ledger verify [--anchor SEQ:HASH]`: checks every entry of the 台账 against its
/// keyed hash and the chain, then the chain against the checkpoints the card-management system
/// holds (sending the head as a new one); exits 2 when an entry was forged, edited, moved or
/// removed, or the ledger disagrees with a checkpoint. Without the key file it fails (exit 1).
/// On the outlet's PostgreSQL books it checks the outlet's one chain (`OutletLedgerChain`); the
/// checkpoint comparison is the desk ledger's extra and is said to be skipped.
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
        var shared = false
        let result = try setup.withLedger { ledger in
            shared = ledger.isShared
            return try ledger.verify(anchor: anchor.flatMap(Self.parseAnchor), against: system, terminal: setup.station.terminal)
        }
        if shared { console.say(Messages.ledgerSharedChain) }
        if result.isIntact {
            console.say(Messages.ledgerIntact(count: result.entryCount, head: result.head, anchored: anchor != nil))
            console.say(shared ? Messages.ledgerCheckpointsDeskOnly : Messages.ledgerCheckpoints(result.checkpoints))
            return
        }
        console.fail(Messages.ledgerTampered(result.problems.count, first: result.firstAlteredSeq))
        for problem in result.problems { console.fail(Localized(verbatim: "  " + problem.description)) }
        if case .unavailable? = result.checkpoints { console.fail(Messages.ledgerCheckpoints(result.checkpoints)) }
        console.fail(Messages.ledgerTamperedNext)
        throw ExitCode.checkFailed
    }
}
