import Foundation
import GRDB
import SSCardDriver

/// 盘点: the daily count of pre-made cards (《广东省社会保障卡经办规程》第三十六条（四）
/// 每天盘点数量), and the check that the books add up.
extension PreMadeCardInventory {
    /// The counts now, per state and per bank, and the cards the hoppers should hold. Reads only.
    public func stockReport() throws -> StockTakeReport {
        let at = database.timestamp()
        return try database.pool.read { try Self.report($0, at: at, by: nil) }
    }

    /// Takes the daily stock count and records it in the 台账 (`stock.take`, the totals per state
    /// as details). Compare `hopperCards` with the cards physically in the hoppers and the other
    /// counts with the safe; the report's `ledgerHead` is worth writing on the paper copy, for
    /// `AuditLedger.verify(anchor:)` later.
    public func takeStock(by clerk: String) throws -> StockTakeReport {
        try Self.requireClerk(clerk)
        let at = database.timestamp()
        return try database.pool.write { db in
            var report = try Self.report(db, at: at, by: clerk)
            var details: [String: Any] = ["imported": report.imported]
            for (kind, n) in report.totals { details[kind.rawValue] = n }
            let entry = try AuditLedger(database: database).append(db, at: at, clerk: clerk, action: AuditLedger.stockTakeAction,
                                                                   subject: "预制卡 pre-made cards", details: Self.json(details))
            report.ledgerHead = AuditLedgerAnchor(seq: entry.seq, hash: entry.hash)
            return report
        }
    }

    private static func report(_ db: Database, at: StationTimestamp, by clerk: String?) throws -> StockTakeReport {
        let imported = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(card_count), 0) FROM yzkcg_import") ?? 0
        var totals = Dictionary(uniqueKeysWithValues: PreMadeCardState.Kind.allCases.map { ($0, 0) })
        var byBank: [String: [PreMadeCardState.Kind: Int]] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT bank, state, COUNT(*) AS n FROM pre_made_card GROUP BY bank, state") {
            guard let kind = PreMadeCardState.Kind(rawValue: row["state"]) else { continue }
            let bank: String = row["bank"], n: Int = row["n"]
            totals[kind, default: 0] += n
            byBank[bank, default: Dictionary(uniqueKeysWithValues: PreMadeCardState.Kind.allCases.map { ($0, 0) })][kind] = n
        }
        let hopperCards = try Row.fetchAll(db, sql: """
            SELECT hopper, bank, card_number, application_id FROM pre_made_card
            WHERE state IN ('inHopper', 'reserved') ORDER BY hopper, import_id, sequence
            """).compactMap { row throws -> StockTakeReport.HopperCard? in
            guard let hopper = Hopper(rawValue: row["hopper"]) else { return nil }
            return .init(hopper: hopper, bank: row["bank"], cardNumber: try PreMadeCard.cardNumber(row), reservedFor: row["application_id"])
        }
        let head = try Row.fetchOne(db, sql: "SELECT seq, hash FROM audit_ledger ORDER BY seq DESC LIMIT 1")
            .map { AuditLedgerAnchor(seq: $0["seq"], hash: $0["hash"]) }
        return StockTakeReport(takenAt: at, takenBy: clerk, imported: imported, totals: totals, byBank: byBank,
                               hopperCards: hopperCards, ledgerHead: head)
    }

    /// Checks that every imported card is in exactly one state and the books add up:
    /// imported = inStock + inHopper + reserved + issued + spoiled + returned, each batch has the
    /// cards its return file declared, each card's movements form one unbroken chain from its
    /// import to its current state, state and columns agree, and no hopper holds two banks.
    public func checkInvariants() throws -> InventoryInvariantReport {
        try database.pool.read { db in
            var violations: [String] = []
            func note(_ s: String) { violations.append(s) }
            let imported = try Int.fetchOne(db, sql: "SELECT COALESCE(SUM(card_count), 0) FROM yzkcg_import") ?? 0
            let onBooks = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pre_made_card") ?? 0
            var counts = Dictionary(uniqueKeysWithValues: PreMadeCardState.Kind.allCases.map { ($0, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM pre_made_card GROUP BY state") {
                let state: String = row["state"], n: Int = row["n"]
                if let kind = PreMadeCardState.Kind(rawValue: state) { counts[kind] = n } else {
                    note("\(n)张卡状态未知“\(state)” \(n) cards in unknown state \"\(state)\"")
                }
            }
            let sum = counts.values.reduce(0, +)
            if imported != onBooks || onBooks != sum {
                note("数量不平：导入\(imported)，账上\(onBooks)，各状态合计\(sum) books do not add up: imported \(imported), on the books \(onBooks), sum of states \(sum)")
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT i.file_name, i.card_count, COUNT(c.card_number) AS n FROM yzkcg_import i
                LEFT JOIN pre_made_card c ON c.import_id = i.id GROUP BY i.id HAVING n <> i.card_count
                """) {
                let name: String = row["file_name"], declared: Int = row["card_count"], n: Int = row["n"]
                note("批次\(name)应有\(declared)张，账上\(n)张 batch \(name) declared \(declared) cards, \(n) on the books")
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT card_number, state FROM pre_made_card WHERE
                    (hopper IS NOT NULL) <> (state IN ('inHopper', 'reserved'))
                    OR (application_id IS NOT NULL) <> (state IN ('reserved', 'issued'))
                    OR (spoil_reason IS NOT NULL) <> (state = 'spoiled')
                """) {
                let n: String = row["card_number"], s: String = row["state"]
                note("卡\(n)的字段与状态\(s)不符 card \(n): columns disagree with state \(s)")
            }
            // A card with no movement row of its own was last moved by its import, into the safe.
            for row in try Row.fetchAll(db, sql: """
                SELECT c.card_number, c.state, COALESCE(m.to_state, 'inStock') AS to_state FROM pre_made_card c
                LEFT JOIN pre_made_card_movement m
                    ON m.id = (SELECT MAX(id) FROM pre_made_card_movement WHERE card_number = c.card_number)
                WHERE COALESCE(m.to_state, 'inStock') IS NOT c.state
                """) {
                let n: String = row["card_number"], s: String = row["state"], last: String? = row["to_state"]
                note("卡\(n)状态\(s)与最后一次登记\(last ?? "无")不符 card \(n) is \(s) but its last movement says \(last ?? "none")")
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT card_number, id, from_state, previous FROM (
                    SELECT card_number, id, from_state,
                           COALESCE(LAG(to_state) OVER (PARTITION BY card_number ORDER BY id),
                                    CASE WHEN from_state IS NULL THEN NULL ELSE 'inStock' END) AS previous
                    FROM pre_made_card_movement)
                WHERE from_state IS NOT previous
                """) {
                let n: String = row["card_number"], id: Int64 = row["id"]
                let from: String? = row["from_state"], previous: String? = row["previous"]
                note("卡\(n)的第\(id)条登记从\(from ?? "导入")开始，但前一条止于\(previous ?? "无") card \(n): movement \(id) starts from \(from ?? "import"), the one before ends at \(previous ?? "nothing")")
            }
            for row in try Row.fetchAll(db, sql: """
                SELECT hopper, GROUP_CONCAT(DISTINCT bank) AS banks FROM pre_made_card
                WHERE state IN ('inHopper', 'reserved') GROUP BY hopper HAVING COUNT(DISTINCT bank) > 1
                """) {
                let h: Int = row["hopper"], banks: String = row["banks"]
                note("卡盒\(h)装有多家银行的卡（\(banks)） hopper \(h) holds several banks' cards (\(banks))")
            }
            return InventoryInvariantReport(imported: imported, onBooks: onBooks, counts: counts, violations: violations)
        }
    }
}

/// The daily stock count.
public struct StockTakeReport: Hashable, Sendable, CustomStringConvertible {
    /// A card the hoppers should hold (reserved cards are still in their hopper).
    public struct HopperCard: Hashable, Sendable {
        public var hopper: Hopper
        public var bank: String
        public var cardNumber: CardNumber
        /// The application it is reserved for, nil when free.
        public var reservedFor: String?

        public init(hopper: Hopper, bank: String, cardNumber: CardNumber, reservedFor: String?) {
            self.hopper = hopper; self.bank = bank; self.cardNumber = cardNumber; self.reservedFor = reservedFor
        }
    }

    public var takenAt: StationTimestamp
    /// Nil for a report that was only looked at (`stockReport()`), not recorded.
    public var takenBy: String?
    /// Cards imported from return files in all.
    public var imported: Int
    /// Cards per state, every state present.
    public var totals: [PreMadeCardState.Kind: Int]
    /// Cards per bank and state.
    public var byBank: [String: [PreMadeCardState.Kind: Int]]
    public var hopperCards: [HopperCard]
    /// The ledger's newest entry (the stock-take entry itself for `takeStock`).
    public var ledgerHead: AuditLedgerAnchor?

    public init(takenAt: StationTimestamp, takenBy: String?, imported: Int, totals: [PreMadeCardState.Kind: Int],
                byBank: [String: [PreMadeCardState.Kind: Int]], hopperCards: [HopperCard], ledgerHead: AuditLedgerAnchor?) {
        self.takenAt = takenAt; self.takenBy = takenBy; self.imported = imported; self.totals = totals
        self.byBank = byBank; self.hopperCards = hopperCards; self.ledgerHead = ledgerHead
    }

    /// A plain-text report for printing, Chinese and English labels.
    public var description: String {
        let kinds = PreMadeCardState.Kind.allCases
        var lines = ["预制卡盘点 Pre-made card stock-take  \(takenAt.text)" + (takenBy.map { "  经办人 clerk \($0)" } ?? "")]
        lines.append("导入合计 imported: \(imported)")
        lines.append("银行 bank\t" + kinds.map(\.chinese).joined(separator: "\t"))
        for bank in byBank.keys.sorted() {
            lines.append(bank + "\t" + kinds.map { String(byBank[bank]?[$0] ?? 0) }.joined(separator: "\t"))
        }
        lines.append("合计 total\t" + kinds.map { String(totals[$0] ?? 0) }.joined(separator: "\t"))
        lines.append("卡盒中的卡 cards in hoppers: \(hopperCards.count)")
        for card in hopperCards {
            lines.append("  \(card.hopper.rawValue)\t\(card.bank)\t\(card.cardNumber)" + (card.reservedFor.map { "\t已预留 reserved \($0)" } ?? ""))
        }
        if let ledgerHead { lines.append("台账 ledger head \(ledgerHead)") }
        return lines.joined(separator: "\n")
    }
}

/// What `checkInvariants()` found.
public struct InventoryInvariantReport: Hashable, Sendable, CustomStringConvertible {
    public var imported: Int
    public var onBooks: Int
    public var counts: [PreMadeCardState.Kind: Int]
    /// Empty when the books add up.
    public var violations: [String]
    public var holds: Bool { violations.isEmpty }

    public init(imported: Int, onBooks: Int, counts: [PreMadeCardState.Kind: Int], violations: [String]) {
        self.imported = imported; self.onBooks = onBooks; self.counts = counts; self.violations = violations
    }

    public var description: String {
        let sum = PreMadeCardState.Kind.allCases.map { "\($0.rawValue) \(counts[$0] ?? 0)" }.joined(separator: " + ")
        return (holds ? "账实相符 books add up: " : "账目不平 books do NOT add up: ")
            + "imported \(imported) = \(sum)" + violations.map { "\n  " + $0 }.joined()
    }
}
