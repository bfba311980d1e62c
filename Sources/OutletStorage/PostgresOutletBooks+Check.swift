import Foundation
import InstantIssue
import PostgresNIO
import SSCardDriver

/// The outlet's checks: the stock invariant and the ledger chain, read in one snapshot.
extension PostgresOutletBooks {
    /// Every imported card in exactly one state, each batch complete, each card's moves one
    /// unbroken chain from the safe (its import) ending at its state, no card moved to
    /// `reserved` twice without a release between, and no hopper holding two banks.
    public func checkInvariants() async throws -> InventoryInvariantReport {
        // One snapshot: counts taken while desks keep moving cards still add up.
        try await transaction { c, _ in
            try await c.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: self.logger)
            var violations: [String] = []
            func note(_ s: String) { violations.append(s) }
            func ints(_ q: PostgresQuery) async throws -> [Int] {
                var out: [Int] = []
                for try await (n) in try await c.query(q, logger: self.logger).decode(Int.self) { out.append(n) }
                return out
            }
            let o = self.outlet
            let imported = try await ints("SELECT COALESCE(SUM(card_count), 0)::bigint FROM yzkcg_import WHERE outlet = \(o)").first ?? 0
            let onBooks = try await ints("SELECT count(*)::bigint FROM pre_made_card WHERE outlet = \(o)").first ?? 0
            var counts = Dictionary(uniqueKeysWithValues: PreMadeCardState.Kind.allCases.map { ($0, 0) })
            for try await (state, n) in try await c.query("""
                SELECT state, count(*)::bigint FROM pre_made_card WHERE outlet = \(o) GROUP BY state
                """, logger: self.logger).decode((String, Int).self) {
                if let kind = PreMadeCardState.Kind(rawValue: state) { counts[kind] = n } else { note("\(n) cards in unknown state \(state)") }
            }
            let sum = counts.values.reduce(0, +)
            if imported != onBooks || onBooks != sum {
                note("数量不平：导入\(imported)，账上\(onBooks)，各状态合计\(sum) books do not add up: imported \(imported), on the books \(onBooks), sum of states \(sum)")
            }
            for try await (name, declared, n) in try await c.query("""
                SELECT i.file_name, i.card_count, count(p.card_number)::bigint FROM yzkcg_import i
                LEFT JOIN pre_made_card p ON p.outlet = i.outlet AND p.import_id = i.id
                WHERE i.outlet = \(o) GROUP BY i.id HAVING count(p.card_number) <> i.card_count
                """, logger: self.logger).decode((String, Int, Int).self) {
                note("批次\(name)应有\(declared)张，账上\(n)张 batch \(name) declared \(declared) cards, \(n) on the books")
            }
            // No foreign key since schema version 2: a card's import must still be on the books.
            let orphans = try await ints("""
                SELECT count(*)::bigint FROM pre_made_card p WHERE p.outlet = \(o)
                AND NOT EXISTS (SELECT 1 FROM yzkcg_import i WHERE i.outlet = p.outlet AND i.id = p.import_id)
                """).first ?? 0
            if orphans > 0 { note("\(orphans)张卡的导入记录不在账上 \(orphans) cards name an import that is not on the books") }
            for try await (n, state, last) in try await c.query("""
                SELECT p.card_number, p.state, m.to_state FROM pre_made_card p
                LEFT JOIN LATERAL (SELECT to_state FROM card_movement WHERE outlet = p.outlet AND card_number = p.card_number
                                   ORDER BY id DESC LIMIT 1) m ON true
                WHERE p.outlet = \(o) AND COALESCE(m.to_state, 'inStock') <> p.state
                """, logger: self.logger).decode((String, String, String?).self) {
                note("卡\(n)状态\(state)与最后一次登记\(last ?? "无")不符 card \(n) is \(state) but its last movement says \(last ?? "none")")
            }
            for try await (n, id, from, previous) in try await c.query("""
                SELECT card_number, id, from_state, previous FROM (
                    SELECT card_number, id, from_state,
                           lag(to_state, 1, 'inStock') OVER (PARTITION BY card_number ORDER BY id) AS previous
                    FROM card_movement WHERE outlet = \(o)) AS m
                WHERE from_state IS DISTINCT FROM previous
                """, logger: self.logger).decode((String, Int64, String?, String?).self) {
                note("卡\(n)的第\(id)条登记从\(from ?? "导入")开始，但前一条止于\(previous ?? "无") card \(n): movement \(id) starts from \(from ?? "import"), the one before ends at \(previous ?? "nothing")")
            }
            for try await (d, h, banks) in try await c.query("""
                SELECT desk, hopper, string_agg(DISTINCT bank, ',') FROM pre_made_card
                WHERE outlet = \(o) AND state IN ('inHopper', 'reserved') GROUP BY desk, hopper HAVING count(DISTINCT bank) > 1
                """, logger: self.logger).decode((String, Int, String).self) {
                note("窗口\(d)卡盒\(h)装有多家银行的卡（\(banks)） desk \(d) hopper \(h) holds several banks' cards (\(banks))")
            }
            let twice = try await self.cardsReservedTwice(c)
            if twice > 0 { note("\(twice)张卡被重复预留 \(twice) cards were reserved twice") }
            return InventoryInvariantReport(imported: imported, onBooks: onBooks, counts: counts, violations: violations)
        }
    }

    /// Cards moved to `reserved` while already reserved (two reservations without a release):
    /// what `FOR UPDATE SKIP LOCKED` and the state guard must keep at zero.
    public func cardsReservedTwice() async throws -> Int {
        try await run { c in try await self.cardsReservedTwice(c) }
    }

    private func cardsReservedTwice(_ c: PostgresConnection) async throws -> Int {
        var n = 0
        for try await (k) in try await c.query("""
            SELECT count(DISTINCT card_number)::bigint FROM (
                SELECT card_number, to_state, lag(to_state) OVER (PARTITION BY card_number ORDER BY id) AS previous
                FROM card_movement WHERE outlet = \(outlet)) AS m
            WHERE to_state = 'reserved' AND previous IN ('reserved', 'issued')
            """, logger: logger).decode(Int.self) { n = k }
        return n
    }

    public func verifyLedger() async throws -> AuditLedgerVerification {
        try await run { c in
            var entries: [OutletLedgerChain.Entry] = []
            for try await (seq, d, at, clerk, action, subject, details, previous, hash) in try await c.query("""
                SELECT seq, desk, recorded_at, clerk, action, subject, details, previous_hash, hash
                FROM ledger_entry WHERE outlet = \(self.outlet) ORDER BY seq
                """, logger: self.logger).decode((Int64, String, String, String, String, String, String, String, String).self) {
                entries.append(.init(outlet: self.outlet, seq: seq, desk: d, recordedAt: at, clerk: clerk, action: action,
                                     subject: subject, details: details, previousHash: previous, hash: hash))
            }
            return OutletLedgerChain.verify(entries)
        }
    }

    /// Cards issued by each desk of the outlet.
    public func issuedByDesk() async throws -> [String: Int] {
        try await run { c in
            var out: [String: Int] = [:]
            for try await (d, n) in try await c.query("""
                SELECT desk, count(*)::bigint FROM card_movement WHERE outlet = \(self.outlet) AND to_state = 'issued' GROUP BY desk
                """, logger: self.logger).decode((String, Int).self) { out[d] = n }
            return out
        }
    }
}
