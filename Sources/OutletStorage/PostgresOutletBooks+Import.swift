import Foundation
import InstantIssue
import NIOCore
import PostgresNIO
import SSCardDriver

/// Importing a card maker's return file into the outlet's safe: COPY into a temporary table,
/// one check against the outlet's books, then one INSERT … SELECT, all in one transaction under
/// the outlet's import lock. The `yzkcg_import` row is the recorded move of all its cards into
/// the safe (who, when, which desk), so a card's `card_movement` rows start with its first move
/// out of the safe; `checkInvariants` reads them that way.
extension PostgresOutletBooks {
    /// A file (same name or same content) or any card (社保卡号, 卡识别码 or 银行卡号) the outlet
    /// already has is refused, naming the desk, clerk and time of the first import. A repeat of
    /// this desk's own import after a lost answer (same `token`) gives back the first receipt.
    public func importReturnFile(_ file: YZKCGFile, by clerk: String) async throws -> YZKCGImportReceipt {
        try await importReturnFile(file, by: clerk, token: UUID().uuidString)
    }

    /// The same import, its time split into phases on `phases` (`sscard-bench storage`).
    public func importReturnFile(_ file: YZKCGFile, by clerk: String, phases: ImportPhaseClock) async throws -> YZKCGImportReceipt {
        try await importReturnFile(file, by: clerk, token: UUID().uuidString, phases: phases)
    }

    func importReturnFile(_ file: YZKCGFile, by clerk: String, token: String,
                          phases: ImportPhaseClock? = nil) async throws -> YZKCGImportReceipt {
        try Self.requireClerk(clerk)
        let name = file.name.fileName
        phases?.start()
        let receipt = try await transaction(within: importTimeout) { c, at in
            try await c.query("SELECT pg_advisory_xact_lock(hashtextextended(\("sscard.import." + self.outlet), 0))", logger: self.logger)
            for try await (id, when, who, whichDesk, earlierToken, count) in try await c.query("""
                SELECT id, imported_at, imported_by, desk, token, card_count FROM yzkcg_import
                WHERE outlet = \(self.outlet) AND (file_name = \(name) OR content_sm3 = \(file.contentHash))
                """, logger: self.logger).decode((Int64, String, String, String, String, Int).self) {
                if earlierToken == token {
                    return YZKCGImportReceipt(importID: id, fileName: name, bank: file.name.bank, count: count,
                                              importedAt: StationTimestamp(text: when) ?? StationTimestamp(Date()), importedBy: who)
                }
                throw YZKCGImportError(fileName: name, problems: [
                    YZKCGProblem(kind: .alreadyImported, line: nil, field: nil,
                                 chinese: "该文件已于\(when)由网点\(self.outlet)窗口\(whichDesk)的\(who)导入",
                                 english: "this file was imported at \(when) by \(who) at desk \(whichDesk) of outlet \(self.outlet)"),
                ])
            }
            var importID: Int64 = 0
            for try await (id) in try await c.query("""
                INSERT INTO yzkcg_import (outlet, file_name, bank, batch, card_count, content_sm3, imported_at, imported_by, desk, token)
                VALUES (\(self.outlet), \(name), \(file.name.bank), \(file.name.batch), \(file.records.count), \(file.contentHash),
                        \(at), \(clerk), \(self.desk), \(token))
                RETURNING id
                """, logger: self.logger).decode(Int64.self) { importID = id }
            phases?.mark(.start)
            if let partition = try await self.cardPartition(c) {
                // Straight into the outlet's partition; its unique indexes refuse a card the outlet
                // already has, and only then is the file staged again to say which and where.
                try await c.query("SAVEPOINT cards", logger: self.logger)
                do {
                    try await self.copyCards(c, of: file, into: partition, import: importID, by: clerk, at: at, phases: phases)
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" {
                    try await c.query("ROLLBACK TO SAVEPOINT cards", logger: self.logger)
                    try await self.stageCards(c, of: file, phases: nil)
                    try await self.refuseCardsOnTheBooks(c, file: file)
                    throw error
                }
                phases?.mark(.copy)
            } else {
                // Books before schema version 4: row-level security refuses COPY into
                // `pre_made_card`, so the rows go through a temporary table.
                try await self.stageCards(c, of: file, phases: phases)
                phases?.mark(.copy)
                try await self.refuseCardsOnTheBooks(c, file: file)
                phases?.mark(.duplicates)
                try await c.query("""
                    INSERT INTO pre_made_card (outlet, card_number, card_identification_code, reset_code, personal_account,
                        bank_card_number, bank_account, packing_position, make_date, expiry_date, bank, import_id, sequence,
                        state, updated_at, updated_by)
                    SELECT \(self.outlet), card_number, card_identification_code, reset_code, personal_account, bank_card_number,
                        bank_account, packing_position, make_date, expiry_date, \(file.name.bank), \(importID), sequence,
                        'inStock', \(at), \(clerk)
                    FROM incoming
                    """, logger: self.logger)
                phases?.mark(.insert)
            }
            let details = Self.json([
                "bank": file.name.bank, "batch": file.name.batch, "cardMaker": file.name.cardMaker,
                "count": file.records.count, "encoding": file.encoding.rawValue, "sm3": file.contentHash,
                "first": file.records.first?.cardNumber.value ?? "", "last": file.records.last?.cardNumber.value ?? "",
            ])
            try await self.appendLedger(c, at: at, clerk: clerk, action: "yzkcg.import", subject: name, details: details)
            phases?.mark(.ledger)
            return YZKCGImportReceipt(importID: importID, fileName: name, bank: file.name.bank, count: file.records.count,
                                      importedAt: StationTimestamp(text: at) ?? StationTimestamp(Date()), importedBy: clerk)
        }
        phases?.mark(.commit)
        return receipt
    }

    /// The outlet's partition of `pre_made_card` (schema version 4), nil on older books.
    func cardPartition(_ c: PostgresConnection) async throws -> String? {
        let name = "pre_made_card_" + outlet
        var exists = false
        for try await (e) in try await c.query("SELECT to_regclass(quote_ident(\(name))) IS NOT NULL", logger: logger)
            .decode(Bool.self) { exists = e }
        return exists ? name : nil
    }

    /// COPY of the file's cards, as the safe holds them, into the outlet's partition.
    private func copyCards(_ c: PostgresConnection, of file: YZKCGFile, into partition: String, import importID: Int64,
                           by clerk: String, at: String, phases: ImportPhaseClock?) async throws {
        let row = IncomingCardRows.Constants(outlet: outlet, bank: file.name.bank, importID: importID, at: at, clerk: clerk)
        try await c.copyFrom(table: partition, columns: IncomingCardRows.cardColumns, logger: logger) { writer in
            try await self.writeRows(file, to: writer, phases: phases) { IncomingCardRows.append($0, as: row, to: &$1) }
        }
    }

    /// COPY of the file's rows into the temporary table `incoming` (line and 序号 kept), to be
    /// checked against the books.
    private func stageCards(_ c: PostgresConnection, of file: YZKCGFile, phases: ImportPhaseClock?) async throws {
        try await c.query("""
            CREATE TEMPORARY TABLE incoming (
                line integer, sequence integer, card_number text, card_identification_code text, reset_code text,
                personal_account text, bank_card_number text, bank_account text, packing_position text,
                make_date text, expiry_date text) ON COMMIT DROP
            """, logger: logger)
        try await c.copyFrom(table: "incoming", logger: logger) { writer in
            try await self.writeRows(file, to: writer, phases: phases) { IncomingCardRows.append($0, to: &$1) }
        }
    }

    /// The rows straight into one buffer, sent in 1 MB chunks, in 社保卡号 order: the keys reach
    /// the indexes in order, which a btree takes faster.
    private func writeRows(_ file: YZKCGFile, to writer: PostgresCopyFromWriter, phases: ImportPhaseClock?,
                           _ append: (YZKCGRecord, inout ByteBuffer) -> Void) async throws {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(Self.copyChunk + 4096)
        let clock = ContinuousClock()
        var building = Duration.zero
        var started = clock.now
        let order = IncomingCardRows.cardNumberOrder(file.records)
        for i in file.records.indices {
            append(file.records[order?[i] ?? i], &buffer)
            if buffer.readableBytes >= Self.copyChunk {
                building += clock.now - started
                try await writer.write(buffer)
                buffer.clear()
                started = clock.now
            }
        }
        building += clock.now - started
        if buffer.readableBytes > 0 { try await writer.write(buffer) }
        phases?.add(.copyRows, building)
    }

    /// Throws the file's cards the outlet already has (staged in `incoming`), with where and when
    /// they came in; returns when there are none.
    private func refuseCardsOnTheBooks(_ c: PostgresConnection, file: YZKCGFile) async throws {
        let name = file.name.fileName
        // Cards the outlet already has, with where and when they came in.
        var problems: [YZKCGProblem] = []
        var total = 0
        for try await (line, column, owner, earlierFile, whichDesk, when) in try await c.query("""
            SELECT i.line, 'card_number', p.card_number, y.file_name, y.desk, y.imported_at FROM incoming i
                JOIN pre_made_card p ON p.outlet = \(outlet) AND p.card_number = i.card_number
                JOIN yzkcg_import y ON y.id = p.import_id
            UNION ALL
            SELECT i.line, 'card_identification_code', p.card_number, y.file_name, y.desk, y.imported_at FROM incoming i
                JOIN pre_made_card p ON p.outlet = \(outlet) AND p.card_identification_code = i.card_identification_code
                JOIN yzkcg_import y ON y.id = p.import_id
            UNION ALL
            SELECT i.line, 'bank_card_number', p.card_number, y.file_name, y.desk, y.imported_at FROM incoming i
                JOIN pre_made_card p ON p.outlet = \(outlet) AND p.bank_card_number = i.bank_card_number
                JOIN yzkcg_import y ON y.id = p.import_id
            ORDER BY 1, 2
            """, logger: logger).decode((Int, String, String, String, String, String).self) {
            total += 1
            guard problems.count < 100 else { continue }
            let field: YZKCGField = column == "card_number" ? .cardNumber
                : column == "bank_card_number" ? .bankCardNumber : .cardIdentificationCode
            problems.append(YZKCGProblem(kind: .duplicateInStock, line: line, field: field,
                                         chinese: "已在库存中（社保卡号\(owner)，\(when)由窗口\(whichDesk)从\(earlierFile)导入）",
                                         english: "already on the books (card \(owner), imported at \(when) by desk \(whichDesk) from \(earlierFile))"))
        }
        if total > 0 { throw YZKCGImportError(fileName: name, problems: problems, total: total) }
    }

    /// Bytes of COPY rows gathered before they are handed to the connection.
    static let copyChunk = 1 << 20
}
