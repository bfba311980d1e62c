import Foundation
import InstantIssue
import SSCardDriver

/// The outlet's 台账 as one hash chain, appended by every desk of the outlet. An append takes
/// the outlet's transaction-scoped advisory lock, reads the head and inserts the next entry in
/// the caller's transaction, so desks never fork the chain and a rolled-back move leaves no entry.
/// Each entry's hash is SM3 over its canonical serialisation (outlet, seq, desk, time, clerk,
/// action, subject, details and the previous hash, length-prefixed as in `AuditLedgerEntry`):
/// `verify` finds an edited, removed or reordered entry as on the desk's own ledger. The desk's
/// keyed chain (HMAC-SM3 under a desk key file) is not used for the shared chain: its key would
/// have to be shared by every desk of the outlet; the database's append-only trigger, the desks'
/// INSERT-only grants and the checkpoints carry that weight instead (docs/outlet.md).
enum OutletLedgerChain {
    static let genesisHash = String(repeating: "0", count: 64)

    struct Entry {
        var outlet: String, seq: Int64, desk: String, recordedAt: String, clerk: String, action: String
        var subject: String, details: String, previousHash: String, hash: String

        var canonicalBytes: [UInt8] {
            var out = Array("SSCARD-OUTLET-LEDGER-1\n".utf8)
            for field in [outlet, String(seq), desk, recordedAt, clerk, action, subject, details, previousHash] {
                let bytes = Array(field.utf8)
                out += Array("\(bytes.count):".utf8)
                out += bytes
                out.append(0x0A)
            }
            return out
        }

        func computedHash() throws -> String { try SM3.hash(canonicalBytes).hexString }
    }

    /// What `verify` reports for entries in seq order.
    static func verify(_ entries: [Entry]) -> AuditLedgerVerification {
        var problems: [AuditLedgerProblem] = []
        var intact: [Bool] = []
        for e in entries {
            let ok = (try? e.computedHash()) == e.hash
            intact.append(ok)
            if !ok { problems.append(.edited(seq: e.seq)) }
        }
        for i in entries.indices {
            let expectedSeq: Int64 = i == 0 ? 1 : entries[i - 1].seq + 1
            if entries[i].seq > expectedSeq {
                problems.append(.missing(seqs: expectedSeq...(entries[i].seq - 1)))
                continue
            }
            guard intact[i], i == 0 || intact[i - 1] else { continue }
            let expectedPrevious = i == 0 ? genesisHash : entries[i - 1].hash
            if entries[i].previousHash != expectedPrevious { problems.append(.chainBroken(seq: entries[i].seq)) }
        }
        problems.sort { $0.seq < $1.seq }
        return AuditLedgerVerification(entryCount: entries.count,
                                       head: entries.last.map { AuditLedgerAnchor(seq: $0.seq, hash: $0.hash) },
                                       problems: problems)
    }
}
