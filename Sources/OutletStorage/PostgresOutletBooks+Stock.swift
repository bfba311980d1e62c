import Foundation
import InstantIssue
import PostgresNIO
import SSCardDriver

/// The clerk's stock work on the outlet's books (`issue-station inventory`, `printer status`, the
/// web desk's stock page), each call one transaction: moves recorded in `card_movement` with a
/// ledger entry in the outlet's chain, as the workflow's calls do. What the desk's own books call
/// "the hoppers" are this desk's hoppers here; "the safe" is the outlet's.
extension PostgresOutletBooks {
    /// 装卡, giving back the whole cards (with their packing positions, for the clerk to take).
    public func loadHopperCards(_ hopper: Hopper, bank: String, count: Int, by clerk: String) async throws -> [PreMadeCard] {
        precondition(count > 0, "load at least one card")
        try Self.requireClerk(clerk)
        return try await transaction { c, at in
            var loaded: [PreMadeCard] = []
            for number in try await self.loadFromSafe(c, into: hopper, bank: bank, count: count, by: clerk, at: at) {
                loaded.append(try await self.requireWholeCard(c, try Self.cardNumber(number)))
            }
            return loaded
        }
    }

    /// 卸卡: every unreserved card of this desk's `hopper` back to the outlet's safe (`returned`).
    public func unloadHopper(_ hopper: Hopper, by clerk: String) async throws -> [PreMadeCard] {
        try Self.requireClerk(clerk)
        return try await transaction { c, at in
            var held: [(String, String)] = []
            for try await (n, b) in try await c.query("""
                SELECT card_number, bank FROM pre_made_card
                WHERE outlet = \(self.outlet) AND desk = \(self.desk) AND hopper = \(hopper.rawValue) AND state = 'inHopper'
                ORDER BY import_id, sequence FOR UPDATE
                """, logger: self.logger).decode((String, String).self) { held.append((n, b)) }
            var unloaded: [PreMadeCard] = []
            for (number, bank) in held {
                try await self.move(c, number, from: "inHopper", fromPlace: self.place(hopper), to: "returned", hopper: nil,
                                    application: nil, spoilReason: nil, reason: nil, action: "card.unload", bank: bank,
                                    clerk: clerk, at: at)
                unloaded.append(try await self.requireWholeCard(c, try Self.cardNumber(number)))
            }
            return unloaded
        }
    }

    /// 作废 by the clerk: as on the desk's books, a card already issued or spoiled is refused.
    public func spoilCard(_ number: CardNumber, reason: String, by clerk: String) async throws -> PreMadeCard {
        try Self.requireClerk(clerk)
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty else { throw InventoryError.reasonRequired(cardNumber: number) }
        return try await transaction { c, at in
            guard let card = try await self.lockedCard(c, number) else { throw InventoryError.unknownCard(number) }
            guard card.state != "issued", card.state != "spoiled" else {
                // The state as the desk's books name it (a spoiled card with its reason).
                let whole = try await self.wholeCard(c, number)
                throw InventoryError.notAllowed(cardNumber: number, state: whole?.state ?? card.kindState, action: .spoil)
            }
            try await self.move(c, card.number, from: card.state, fromPlace: card.place, to: "spoiled", hopper: nil,
                                application: card.state == "reserved" ? card.application : nil, spoilReason: why, reason: why,
                                action: "card.spoil", bank: card.bank, clerk: clerk, at: at)
            return try await self.requireWholeCard(c, number)
        }
    }

    /// The outlet's cards in import order, by state and bank, at most `limit`.
    public func cards(state: PreMadeCardState.Kind?, bank: String?, limit: Int?) async throws -> [PreMadeCard] {
        try await run { c in
            var q: PostgresQuery = "SELECT \(unescaped: Self.cardColumns) FROM pre_made_card WHERE outlet = \(self.outlet)"
            if let state {
                q.sql += " AND state = $\(q.binds.count + 1)"
                q.binds.append(state.rawValue)
            }
            if let bank {
                q.sql += " AND bank = $\(q.binds.count + 1)"
                q.binds.append(bank)
            }
            q.sql += " ORDER BY import_id, sequence"
            if let limit {
                q.sql += " LIMIT $\(q.binds.count + 1)"
                q.binds.append(max(0, limit))
            }
            return try await self.wholeCards(c, q)
        }
    }

    /// The cards the books put in this desk's `hopper`, free and reserved.
    public func cards(inHopper hopper: Hopper) async throws -> [PreMadeCard] {
        try await run { c in
            try await self.wholeCards(c, """
                SELECT \(unescaped: Self.cardColumns) FROM pre_made_card
                WHERE outlet = \(self.outlet) AND desk = \(self.desk) AND hopper = \(hopper.rawValue)
                ORDER BY import_id, sequence
                """)
        }
    }

    /// The banks with cards in the outlet's books, sorted.
    public func banks() async throws -> [String] {
        try await run { c in
            var out: [String] = []
            for try await (b) in try await c.query("""
                SELECT DISTINCT bank FROM pre_made_card WHERE outlet = \(self.outlet) ORDER BY bank
                """, logger: self.logger).decode(String.self) { out.append(b) }
            return out
        }
    }

    // MARK: 盘点

    /// The outlet's counts per state and bank, this desk's hopper cards and the chain's head, in
    /// one snapshot; recorded nowhere.
    public func stockReport() async throws -> StockTakeReport {
        try await transaction { c, at in
            try await c.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: self.logger)
            return try await self.stockCounts(c, at: at, by: nil)
        }
    }

    /// 盘点 of the outlet's safe and this desk's hoppers, recorded in the outlet's chain
    /// (`stock.take`, the totals as on the desk's books); the report's head is that entry.
    public func takeStock(by clerk: String) async throws -> StockTakeReport {
        try Self.requireClerk(clerk)
        return try await transaction { c, at in
            try await self.recordStockTake(c, at: at, clerk: clerk)
        }
    }

    /// 盘点 with a physical count of the outlet's safe and this desk's hoppers (`all`: the two
    /// together), compared with the books and recorded (`stock.take`, then `stock.count`) in one
    /// transaction.
    public func takeStock(counted count: PhysicalStockCount, by clerk: String) async throws -> StockCountResult {
        try Self.requireClerk(clerk)
        guard !count.places.isEmpty else { throw StockCountError.nothingCounted }
        return try await transaction { c, at in
            let report = try await self.recordStockTake(c, at: at, clerk: clerk)
            let lines = StockCountResult.compare(count, books: try await self.booksByPlace(c))
            let entry = try await self.appendLedgerEntry(c, at: at, clerk: clerk, action: PreMadeCardInventory.stockCountAction,
                                                         subject: "预制卡 pre-made cards", details: StockCountResult.ledgerDetails(lines))
            return StockCountResult(report: report, lines: lines, ledgerSeq: entry.seq)
        }
    }

    /// The outlet's safe (`inStock`, `returned`) and this desk's hoppers (`inHopper`, `reserved`).
    func booksByPlace(_ c: PostgresConnection) async throws -> [StockPlace: Int] {
        var places: [StockPlace: Int] = [.safe: 0]
        for try await (h, n) in try await c.query("""
            SELECT hopper, count(*)::bigint FROM pre_made_card WHERE outlet = \(outlet) AND desk = \(desk)
            AND state IN ('inHopper', 'reserved') GROUP BY hopper
            """, logger: logger).decode((Int, Int).self) {
            if let hopper = Hopper(rawValue: h) { places[.hopper(hopper)] = n }
        }
        for try await (n) in try await c.query("""
            SELECT count(*)::bigint FROM pre_made_card WHERE outlet = \(outlet) AND state IN ('inStock', 'returned')
            """, logger: logger).decode(Int.self) { places[.safe] = n }
        return places
    }

    private func recordStockTake(_ c: PostgresConnection, at: String, clerk: String) async throws -> StockTakeReport {
        var report = try await stockCounts(c, at: at, by: clerk)
        var details: [String: Any] = ["imported": report.imported, "outlet": outlet, "desk": desk]
        for (kind, n) in report.totals { details[kind.rawValue] = n }
        let entry = try await appendLedgerEntry(c, at: at, clerk: clerk, action: AuditLedger.stockTakeAction,
                                                subject: "预制卡 pre-made cards", details: Self.json(details))
        report.ledgerHead = entry
        return report
    }

    private func stockCounts(_ c: PostgresConnection, at: String, by clerk: String?) async throws -> StockTakeReport {
        var imported = 0
        for try await (n) in try await c.query("""
            SELECT COALESCE(SUM(card_count), 0)::bigint FROM yzkcg_import WHERE outlet = \(outlet)
            """, logger: logger).decode(Int.self) { imported = n }
        let none = Dictionary(uniqueKeysWithValues: PreMadeCardState.Kind.allCases.map { ($0, 0) })
        var totals = none
        var byBank: [String: [PreMadeCardState.Kind: Int]] = [:]
        for try await (bank, state, n) in try await c.query("""
            SELECT bank, state, count(*)::bigint FROM pre_made_card WHERE outlet = \(outlet) GROUP BY bank, state
            """, logger: logger).decode((String, String, Int).self) {
            guard let kind = PreMadeCardState.Kind(rawValue: state) else { continue }
            totals[kind, default: 0] += n
            byBank[bank, default: none][kind] = n
        }
        var hopperCards: [StockTakeReport.HopperCard] = []
        for try await (h, bank, number, application) in try await c.query("""
            SELECT hopper, bank, card_number, application_id FROM pre_made_card
            WHERE outlet = \(outlet) AND desk = \(desk) AND state IN ('inHopper', 'reserved')
            ORDER BY hopper, import_id, sequence
            """, logger: logger).decode((Int, String, String, String?).self) {
            guard let hopper = Hopper(rawValue: h) else { continue }
            hopperCards.append(.init(hopper: hopper, bank: bank, cardNumber: try Self.cardNumber(number), reservedFor: application))
        }
        return StockTakeReport(takenAt: StationTimestamp(text: at) ?? StationTimestamp(clock()), takenBy: clerk, imported: imported,
                               totals: totals, byBank: byBank, hopperCards: hopperCards, ledgerHead: try await ledgerHead(c))
    }

    /// Appends to the outlet's chain in this transaction and gives back the new entry (the
    /// advisory lock taken by the append is held to commit, so the head read is this entry).
    private func appendLedgerEntry(_ c: PostgresConnection, at: String, clerk: String, action: String, subject: String,
                                   details: String) async throws -> AuditLedgerAnchor {
        try await appendLedger(c, at: at, clerk: clerk, action: action, subject: subject, details: details)
        // The entry just appended: never nil.
        return try await ledgerHead(c) ?? AuditLedgerAnchor(seq: 0, hash: OutletLedgerChain.genesisHash)
    }

    private func ledgerHead(_ c: PostgresConnection) async throws -> AuditLedgerAnchor? {
        var head: AuditLedgerAnchor?
        for try await (s, h) in try await c.query("""
            SELECT seq, hash FROM ledger_entry WHERE outlet = \(outlet) ORDER BY seq DESC LIMIT 1
            """, logger: logger).decode((Int64, String).self) { head = AuditLedgerAnchor(seq: s, hash: h) }
        return head
    }

    // MARK: 预制卡申请表

    /// The order sheet's counts from the outlet's books: usable cards (safe, every desk's hoppers,
    /// returned) and the cards issued or spoiled in the last `windowDays`, per bank and card maker
    /// (the card maker read from the return file's name, as the desk's books record it).
    public func orderSheet(windowDays: Int, coverDays: Int, packSize: Int) async throws -> PreMadeCardOrder {
        try PreMadeCardOrder.checkParameters(windowDays: windowDays, coverDays: coverDays, packSize: packSize)
        let since = StationTimestamp(clock().addingTimeInterval(-Double(windowDays) * 86_400)).text
        let rows = try await run { c in
            var rows: [(String, String, Int, Int)] = []
            for try await row in try await c.query("""
                SELECT i.bank, i.file_name,
                       count(*) FILTER (WHERE p.state IN ('inStock', 'inHopper', 'returned')),
                       count(*) FILTER (WHERE p.state IN ('issued', 'spoiled') AND EXISTS (
                           SELECT 1 FROM card_movement m WHERE m.outlet = p.outlet AND m.card_number = p.card_number
                           AND m.to_state = p.state AND m.at >= \(since)))
                FROM pre_made_card p JOIN yzkcg_import i ON i.id = p.import_id
                WHERE p.outlet = \(self.outlet) GROUP BY i.id, i.bank, i.file_name
                """, logger: self.logger).decode((String, String, Int, Int).self) { rows.append(row) }
            return rows
        }
        var counts: [String: (bank: String, cardMaker: String, usable: Int, used: Int)] = [:]
        for (bank, fileName, usable, used) in rows {
            let maker = (try? YZKCGFileName(parsing: fileName))?.cardMaker ?? ""
            counts["\(bank)\u{0}\(maker)", default: (bank, maker, 0, 0)].usable += usable
            counts["\(bank)\u{0}\(maker)", default: (bank, maker, 0, 0)].used += used
        }
        let lines = counts.values.sorted { ($0.bank, $0.cardMaker) < ($1.bank, $1.cardMaker) }
        return PreMadeCardOrder(counts: lines, windowDays: windowDays, coverDays: coverDays, packSize: packSize)
    }

    // MARK: Internals

    /// 附件9: one bank per hopper; this desk's `hopper` may hold no other bank's cards.
    func requireHopper(_ c: PostgresConnection, _ hopper: Hopper, acceptsBank bank: String) async throws {
        var other: String?
        for try await (b) in try await c.query("""
            SELECT DISTINCT bank FROM pre_made_card WHERE outlet = \(outlet) AND desk = \(desk)
            AND hopper = \(hopper.rawValue) AND state IN ('inHopper', 'reserved') AND bank <> \(bank)
            """, logger: logger).decode(String.self) { other = b }
        if let other { throw InventoryError.hopperHoldsOtherBank(hopper: hopper, bank: other, refused: bank) }
    }
}
