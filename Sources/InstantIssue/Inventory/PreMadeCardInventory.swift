import Foundation
import GRDB
import GRDBSQLite
import Logging
import SSCardDriver
import CardManagement

/// 预制卡库存: the pre-made card books. Cards come on the books only by importing a card maker's
/// return file (`YZKCGFile`), and leave the usable stock only as issued or spoiled.
/// 《广东省社会保障卡经办规程》第三十六条（四）: 预制卡为重要空白证件…做好出入库及使用登记，
/// 每天盘点数量，确保卡片不丢失; 第三十九条（二） holds staff responsible when pre-made cards are
/// lost or handed out carelessly.
///
/// Every move is one SQLite transaction that updates the card, appends a movement row (who, when,
/// from, to) and appends a 台账 entry (`AuditLedger`), so the three never disagree. Refused moves
/// throw `InventoryError` and change nothing.
public struct PreMadeCardInventory: Sendable {
    public let database: StationDatabase
    /// Imports are logged here and counted in `metrics`.
    public var logger = Logger(label: "sscard.station")
    public var metrics = StationMetrics()

    public init(database: StationDatabase) { self.database = database }

    // MARK: Import

    /// Reads, checks and imports the return file at `url` (see `importReturnFile(_:by:)`), its
    /// rows read beside the transaction that writes them
    /// (`importReturnFile(fileName:contents:by:)`).
    @discardableResult
    public func importReturnFile(at url: URL, by clerk: String) throws -> YZKCGImportReceipt {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw YZKCGImportError(fileName: url.lastPathComponent, problems: [
                YZKCGProblem(kind: .unreadable, line: nil, field: nil,
                             chinese: "无法读取文件", english: "cannot read the file: \(error)"),
            ])
        }
        return try importReturnFile(fileName: url.lastPathComponent, contents: data, by: clerk)
    }

    /// Imports a parsed return file as stock (`inStock`), all cards or none. Refuses, with a
    /// `YZKCGImportError` naming the lines, a file imported before (same name) and any card whose
    /// 社保卡号, 卡识别码 or 银行卡号 is already on the books.
    @discardableResult
    public func importReturnFile(_ file: YZKCGFile, by clerk: String) throws -> YZKCGImportReceipt {
        try logged(file.name.fileName, clerk) {
            try Self.requireClerk(clerk)
            return try inImportTransaction { db, at in try importTransaction(file, by: clerk, at: at, db) }
        }
    }

    /// Logs and counts the import `body` makes, or logs its refusal.
    func logged(_ fileName: String, _ clerk: String, _ body: () throws -> YZKCGImportReceipt) throws -> YZKCGImportReceipt {
        do {
            let receipt = try body()
            logger.info("return file imported", metadata: ["file": "\(receipt.fileName)", "cards": "\(receipt.count)", "clerk": "\(clerk)"])
            metrics.imported(cards: receipt.count)
            return receipt
        } catch {
            logger.warning("return file refused: \(error)", metadata: ["file": "\(fileName)", "clerk": "\(clerk)"])
            throw error
        }
    }

    /// The writer's page cache while an import runs (`PRAGMA cache_size`; negative: KiB). With
    /// the default 2 MB a 100,000-card import spills its pages to the WAL mid-transaction, some
    /// of them more than once, and reads some back (a fifth more writes, a third more reads);
    /// 64 MB holds its 35 MB. The import also keeps SQLite's statement journal in memory
    /// (`PRAGMA temp_store = MEMORY`): each 50-card INSERT may abort on a CHECK, so SQLite
    /// journals every page it touches for the statement's own rollback, and past 64 KB it did
    /// so in a temporary file, 79,400 writes a 100,000-card import. Both settings are given
    /// back after the import (docs/performance.md §4).
    static let importCacheSize = -65_536

    /// One transaction, committed with the database's `synchronous = FULL` (the WAL is synced:
    /// the cards are on the books when this returns). SQLite's automatic checkpoint, which would
    /// copy the import's WAL (35 MB for 100,000 cards) into the database file inside the commit,
    /// is held off for this transaction and run right after on the writer's queue: the clerk does
    /// not wait for it, the next write does (docs/performance.md §4).
    func inImportTransaction(_ body: (Database, StationTimestamp) throws -> YZKCGImportReceipt) throws -> YZKCGImportReceipt {
        let at = database.timestamp()
        let receipt = try database.pool.writeWithoutTransaction { db in
            let pages = try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint") ?? 1000
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
            defer { try? db.execute(sql: "PRAGMA wal_autocheckpoint = \(pages)") }
            let cache = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
            let temporary = try Int.fetchOne(db, sql: "PRAGMA temp_store") ?? 0
            try db.execute(sql: "PRAGMA cache_size = \(Self.importCacheSize); PRAGMA temp_store = MEMORY")
            defer {
                try? db.execute(sql: "PRAGMA cache_size = \(cache); PRAGMA temp_store = \(temporary); PRAGMA shrink_memory")
            }
            var receipt: YZKCGImportReceipt?
            try db.inTransaction(.immediate) {
                receipt = try body(db, at)
                return .commit
            }
            return receipt!
        }
        database.pool.asyncWriteWithoutTransaction { db in _ = try? db.checkpoint(.passive) }
        return receipt
    }

    private func importTransaction(_ file: YZKCGFile, by clerk: String, at: StationTimestamp,
                                   _ db: Database) throws -> YZKCGImportReceipt {
        if let earlier = try Self.earlierImport(of: file.name.fileName, db) {
            throw YZKCGImportError(fileName: file.name.fileName, problems: [earlier])
        }
        let importID = try Self.insertImportRow(file.name, encoding: file.encoding, count: file.records.count,
                                                contentHash: file.contentHash, at: at, clerk: clerk, db)
        // A card whose 社保卡号, 卡识别码 or 银行卡号 is already on the books is skipped by the
        // upsert clause (uniqueness only; CHECK and NOT NULL still throw) and reported below,
        // which rolls the whole file back. The parser already refused duplicates inside the file.
        if try Self.insert(file.records, bank: file.name.bank, importID: importID, at: at, clerk: clerk, db) {
            try Self.refuseCardsOnTheBooks(file.records, fileName: file.name.fileName, importID: importID, db)
        }
        return try finishImport(file.name, encoding: file.encoding, count: file.records.count, contentHash: file.contentHash,
                                first: file.records.first?.cardNumber, last: file.records.last?.cardNumber,
                                importID: importID, at: at, clerk: clerk, db)
    }

    /// The `.alreadyImported` problem when a file of this name was imported before.
    static func earlierImport(of fileName: String, _ db: Database) throws -> YZKCGProblem? {
        guard let earlier = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT imported_at, imported_by FROM yzkcg_import WHERE file_name = ?"),
            arguments: [fileName]) else { return nil }
        let when: String = earlier["imported_at"], who: String = earlier["imported_by"]
        return YZKCGProblem(kind: .alreadyImported, line: nil, field: nil,
                            chinese: "该文件已于\(when)由\(who)导入", english: "this file was imported at \(when) by \(who)")
    }

    /// The import's `yzkcg_import` row; its id.
    static func insertImportRow(_ name: YZKCGFileName, encoding: YZKCGEncoding, count: Int, contentHash: String,
                                at: StationTimestamp, clerk: String, _ db: Database) throws -> Int64 {
        try db.cachedStatement(sql: """
                INSERT INTO yzkcg_import (file_name, bank, city_agency, batch, card_count, card_maker,
                    bank_branch_code, file_time, encoding, content_sm3, imported_at, imported_by)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [name.fileName, name.bank, name.cityAgency, name.batch, count, name.cardMaker, name.bankBranchCode,
                                         name.time, encoding.rawValue, contentHash, at.text, clerk])
        return db.lastInsertedRowID
    }

    /// Throws the `.duplicateInStock` problems of `records`, some of which the card INSERT skipped
    /// because another batch holds one of their unique values.
    static func refuseCardsOnTheBooks(_ records: [YZKCGRecord], fileName: String, importID: Int64, _ db: Database) throws {
        let inserted = Set(try String.fetchAll(db.cachedStatement(sql: "SELECT card_number FROM pre_made_card WHERE import_id = ?"),
                                               arguments: [importID]))
        let problems = try problems(records.filter { !inserted.contains($0.cardNumber.value) }, importID: importID, db)
        throw YZKCGImportError(fileName: fileName, problems: problems.items, total: problems.total)
    }

    /// The import's 台账 entry, and its receipt.
    func finishImport(_ name: YZKCGFileName, encoding: YZKCGEncoding, count: Int, contentHash: String,
                      first: CardNumber?, last: CardNumber?, importID: Int64, at: StationTimestamp, clerk: String,
                      _ db: Database) throws -> YZKCGImportReceipt {
        // The `yzkcg_import` row is the import movement of all its cards into the safe (who,
        // when, which file): no movement row per card repeats it (`movements(of:)`).
        let details = Self.json([
            "bank": name.bank, "batch": name.batch, "cardMaker": name.cardMaker,
            "count": count, "encoding": encoding.rawValue, "sm3": contentHash,
            "first": first?.value ?? "", "last": last?.value ?? "",
        ])
        try AuditLedger(database: database).append(db, at: at, clerk: clerk, action: "yzkcg.import",
                                                   subject: name.fileName, details: details)
        return YZKCGImportReceipt(importID: importID, fileName: name.fileName, bank: name.bank,
                                  count: count, importedAt: at, importedBy: clerk)
    }

    /// Rows a card INSERT of the import carries: one statement's work (its cursors on the table
    /// and the five indexes) is shared by that many cards.
    static let cardsPerInsert = 50

    /// The card INSERT of `count` rows, skipping a row that would repeat a unique column.
    private static func cardInsert(rows count: Int) -> String {
        """
        INSERT INTO pre_made_card (card_number, card_identification_code, reset_code, personal_account,
            bank_card_number, bank_account, packing_position, make_date, expiry_date, bank, import_id,
            sequence, state, updated_at, updated_by)
        VALUES \(Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'inStock', ?, ?)", count: count).joined(separator: ", "))
        ON CONFLICT DO NOTHING
        """
    }

    /// Inserts the records as `inStock` cards of import `importID`, `cardsPerInsert` to a
    /// statement, binding through SQLite's C API: GRDB's arguments (an array of existentials,
    /// converted and bound one by one) and a statement per card cost more than the rows
    /// themselves over 100,000 cards (docs/performance.md). Nothing in the station observes
    /// single statements (GRDB's transaction observers see the commit, which GRDB runs), so
    /// leaving GRDB out of these steps changes nothing else. Returns whether the upsert skipped
    /// some (already on the books: `refuseCardsOnTheBooks`).
    static func insert(_ records: [YZKCGRecord], bank: String, importID: Int64, at: StationTimestamp,
                       clerk: String, _ db: Database) throws -> Bool {
        // The texts of one statement are copied into `scratch` and bound where they lie there
        // (SQLITE_STATIC), so SQLite makes no copy of its own; `scratch` outlives the step.
        var scratch: [UInt8] = []
        var texts: [(parameter: Int32, start: Int, count: Int)] = []
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var full: Statement?
        var skippedSome = false
        var start = 0
        while start < records.count {
            let count = min(cardsPerInsert, records.count - start)
            let statement: Statement
            if count == cardsPerInsert, let full {
                statement = full
            } else {
                statement = try db.makeStatement(sql: cardInsert(rows: count))
                if count == cardsPerInsert { full = statement }
            }
            let handle = statement.sqliteStatement
            sqlite3_reset(handle)
            scratch.removeAll(keepingCapacity: true)
            texts.removeAll(keepingCapacity: true)
            for row in 0..<count {
                let first = Int32(row * 14), r = records[start + row]
                func text(_ index: Int32, _ value: String) {
                    texts.append((first + index, scratch.count, value.utf8.count))
                    scratch.append(contentsOf: value.utf8)
                }
                text(1, r.cardNumber.value); text(3, r.resetCode)
                // The 卡识别码's upper-case hex straight into `scratch`, without a String.
                texts.append((first + 2, scratch.count, 32))
                for byte in r.cardIdentificationCode.bytes {
                    scratch.append(hexDigits[Int(byte >> 4)]); scratch.append(hexDigits[Int(byte & 0x0F)])
                }
                text(4, r.personalAccount); text(5, r.bankCardNumber); text(6, r.bankAccount); text(7, r.packingPosition)
                text(8, r.makeDate); text(9, r.expiryDate); text(10, bank)
                sqlite3_bind_int64(handle, first + 11, importID)
                sqlite3_bind_int64(handle, first + 12, Int64(r.sequence))
                text(13, at.text); text(14, clerk)
            }
            let (code, changes, message) = scratch.withUnsafeBufferPointer { bytes in
                let base = UnsafeRawPointer(bytes.baseAddress!).assumingMemoryBound(to: CChar.self)
                // A nil destructor is SQLITE_STATIC.
                for t in texts { sqlite3_bind_text(handle, t.parameter, base + t.start, Int32(t.count), nil) }
                let code = sqlite3_step(handle)
                let changes = sqlite3_changes(db.sqliteConnection)
                let message = code == SQLITE_DONE ? nil : String(cString: sqlite3_errmsg(db.sqliteConnection))
                // Nothing may point into `scratch` once it can move.
                sqlite3_reset(handle)
                sqlite3_clear_bindings(handle)
                return (code, changes, message)
            }
            guard code == SQLITE_DONE else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
            }
            if changes != count { skippedSome = true }
            start += count
        }
        return skippedSome
    }

    /// A `.duplicateInStock` problem for each column of each skipped record that another batch
    /// already holds.
    private static func problems(_ records: [YZKCGRecord], importID: Int64, _ db: Database) throws -> YZKCGProblemList {
        var problems = YZKCGProblemList()
        let columns: [(column: String, field: YZKCGField, value: (YZKCGRecord) -> String)] = [
            ("card_number", .cardNumber, { $0.cardNumber.value }),
            ("card_identification_code", .cardIdentificationCode, { $0.cardIdentificationCode.hex }),
            ("bank_card_number", .bankCardNumber, { $0.bankCardNumber }),
        ]
        for r in records {
            var found = false
            for c in columns {
                guard let owner = try String.fetchOne(
                    db, sql: "SELECT card_number FROM pre_made_card WHERE \(c.column) = ? AND import_id <> ?",
                    arguments: [c.value(r), importID]) else { continue }
                found = true
                problems.append(YZKCGProblem(kind: .duplicateInStock, line: r.line, field: c.field,
                                             chinese: "已在库存中（社保卡号\(owner)）",
                                             english: "already on the books (card \(owner))"))
            }
            if !found {
                problems.append(YZKCGProblem(kind: .duplicateInStock, line: r.line, field: nil,
                                             chinese: "与库存中的卡冲突", english: "conflicts with a card on the books"))
            }
        }
        return problems
    }

    // MARK: Reading

    public func card(_ cardNumber: CardNumber) throws -> PreMadeCard? {
        try database.pool.read { try Self.card(cardNumber, $0) }
    }

    /// The card with this 卡识别码, as read from a chip the printer fed.
    public func card(identifiedBy code: CardIdentificationCode) throws -> PreMadeCard? {
        try database.pool.read { db in
            try PreMadeCard.fetchOne(db.cachedStatement(sql: "SELECT * FROM pre_made_card WHERE card_identification_code = ?"),
                                     arguments: [code.hex])
        }
    }

    /// The card reserved for an application, if any.
    public func reservation(for applicationID: String) throws -> PreMadeCard? {
        try database.pool.read { try Self.reservation(applicationID, $0) }
    }

    /// Cards loaded in `hopper` (in the hopper or reserved from it), in the order they were loaded.
    public func cards(in hopper: Hopper) throws -> [PreMadeCard] {
        try database.pool.read { db in
            try PreMadeCard.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM pre_made_card WHERE hopper = ? AND state IN ('inHopper', 'reserved')
                ORDER BY import_id, sequence
                """), arguments: [hopper.rawValue])
        }
    }

    /// Every recorded move of a card, the import first. The import of a return file moves all
    /// its cards into the safe at once and is recorded once, by its `yzkcg_import` row; a card's
    /// own movement rows start at its first move out of the safe. A card whose first row is an
    /// import (from nothing: written before migration 6 and not folded into the import row)
    /// keeps that row as its import.
    public func movements(of cardNumber: CardNumber) throws -> [PreMadeCardMovement] {
        try database.pool.read { db in
            let recorded = try PreMadeCardMovement.fetchAll(
                db.cachedStatement(sql: "SELECT * FROM pre_made_card_movement WHERE card_number = ? ORDER BY id"),
                arguments: [cardNumber.value])
            if let first = recorded.first, first.from == nil { return recorded }
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT i.file_name, i.imported_at, i.imported_by FROM pre_made_card c JOIN yzkcg_import i ON i.id = c.import_id
                WHERE c.card_number = ?
                """), arguments: [cardNumber.value]) else { return recorded }
            let importMove = PreMadeCardMovement(
                cardNumber: cardNumber, from: nil, to: .inStock, hopper: nil, applicationID: nil,
                reason: Self.importReason(fileName: row["file_name"]), clerk: row["imported_by"],
                at: StationTimestamp(uncheckedText: row["imported_at"]))
            return [importMove] + recorded
        }
    }

    /// The reason an import movement gives.
    static func importReason(fileName: String) -> String { "导入 import \(fileName)" }

    // MARK: Moves

    /// Loads `count` cards of `bank` from the safe into `hopper` (已退库 returned cards first, then by import
    /// order). Refuses when the hopper holds another bank's cards or the safe has too few.
    @discardableResult
    public func loadHopper(_ hopper: Hopper, bank: String, count: Int, by clerk: String) throws -> [PreMadeCard] {
        precondition(count > 0, "load at least one card")
        return try write(clerk) { db, at in
            try Self.requireHopper(hopper, acceptsBank: bank, db)
            let cards = try PreMadeCard.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM pre_made_card WHERE bank = ? AND state IN ('returned', 'inStock')
                ORDER BY state = 'inStock', import_id, sequence LIMIT ?
                """), arguments: [bank, count])
            guard cards.count == count else {
                throw InventoryError.notEnoughStock(bank: bank, wanted: count, available: cards.count)
            }
            return try cards.map { try move(db, $0, to: .inHopper(hopper), hopper: hopper, action: "card.load", clerk: clerk, at: at) }
        }
    }

    /// Loads these cards (all of one bank, all in the safe) into `hopper`; all or none.
    @discardableResult
    public func loadHopper(_ hopper: Hopper, cardNumbers: [CardNumber], by clerk: String) throws -> [PreMadeCard] {
        try write(clerk) { db, at in
            var moved: [PreMadeCard] = []
            for number in cardNumbers {
                let card = try Self.existing(number, db)
                guard card.state == .inStock || card.state == .returned else {
                    throw InventoryError.notAllowed(cardNumber: number, state: card.state, action: .load)
                }
                try Self.requireHopper(hopper, acceptsBank: card.bank, db)
                moved.append(try move(db, card, to: .inHopper(hopper), hopper: hopper, action: "card.load", clerk: clerk, at: at))
            }
            return moved
        }
    }

    /// Takes every unreserved card out of `hopper` back to the safe (`returned`).
    @discardableResult
    public func unloadHopper(_ hopper: Hopper, by clerk: String) throws -> [PreMadeCard] {
        try write(clerk) { db, at in
            let cards = try PreMadeCard.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM pre_made_card WHERE hopper = ? AND state = 'inHopper' ORDER BY import_id, sequence
                """), arguments: [hopper.rawValue])
            return try cards.map { try move(db, $0, to: .returned, hopper: nil, action: "card.unload", clerk: clerk, at: at) }
        }
    }

    /// Sets aside one card of `bank` from the hoppers for one issuance — from `hopper` only when
    /// given (the driver configuration's bank → hopper map, 附件9 iLoadCard). An application
    /// holds at most one reserved card and cannot reserve after its card was issued.
    @discardableResult
    public func reserve(bank: String, applicationID: String, fromHopper hopper: Hopper? = nil, by clerk: String) throws -> PreMadeCard {
        precondition(!applicationID.isEmpty, "an application id is required")
        return try write(clerk) { db, at in
            if let held = try Self.reservation(applicationID, db) {
                throw InventoryError.alreadyReserved(applicationID: applicationID, cardNumber: held.cardNumber)
            }
            if let issued = try PreMadeCard.fetchOne(
                db.cachedStatement(sql: "SELECT * FROM pre_made_card WHERE state = 'issued' AND application_id = ?"),
                arguments: [applicationID]) {
                throw InventoryError.alreadyIssued(applicationID: applicationID, cardNumber: issued.cardNumber)
            }
            guard let card = try PreMadeCard.fetchOne(db.cachedStatement(sql: """
                SELECT * FROM pre_made_card WHERE bank = ? AND state = 'inHopper' AND (? IS NULL OR hopper = ?)
                ORDER BY hopper, import_id, sequence LIMIT 1
                """), arguments: [bank, hopper?.rawValue, hopper?.rawValue]) else {
                throw InventoryError.noCardInHopper(bank: bank)
            }
            return try move(db, card, to: .reserved(applicationID: applicationID), hopper: card.hopper,
                                 action: "card.reserve", clerk: clerk, at: at)
        }
    }

    /// The printer fed `fedCardNumber` (read from the chip) instead of the reserved card: the
    /// reservation moves to the fed card, which must be in the same hopper, and the reserved card
    /// stays in the hopper. Returns the card now reserved (unchanged if it was the reserved one).
    @discardableResult
    public func confirmFedCard(_ fedCardNumber: CardNumber, applicationID: String, by clerk: String) throws -> PreMadeCard {
        try write(clerk) { db, at in
            guard let reserved = try Self.reservation(applicationID, db) else {
                throw InventoryError.noReservation(applicationID: applicationID)
            }
            if reserved.cardNumber == fedCardNumber { return reserved }
            let fed = try Self.existing(fedCardNumber, db)
            guard case .inHopper(let hopper) = fed.state, hopper == reserved.hopper else {
                throw InventoryError.fedCardNotInHopper(cardNumber: fedCardNumber, state: fed.state, expected: reserved.hopper)
            }
            _ = try move(db, reserved, to: .inHopper(hopper), hopper: hopper, action: "card.release",
                              reason: "fed \(fedCardNumber) instead", clerk: clerk, at: at)
            return try move(db, fed, to: .reserved(applicationID: applicationID), hopper: hopper,
                                 action: "card.reserve", reason: "fed instead of \(reserved.cardNumber)", clerk: clerk, at: at)
        }
    }

    /// Gives an untouched reservation back to its hopper (the issuance was abandoned before the
    /// card left the hopper).
    @discardableResult
    public func releaseReservation(applicationID: String, by clerk: String) throws -> PreMadeCard {
        try write(clerk) { db, at in
            guard let card = try Self.reservation(applicationID, db), let hopper = card.hopper else {
                throw InventoryError.noReservation(applicationID: applicationID)
            }
            return try move(db, card, to: .inHopper(hopper), hopper: hopper, action: "card.release", clerk: clerk, at: at)
        }
    }

    /// 已发放: the card became `applicationID`'s card. Only the card reserved for that application.
    @discardableResult
    public func markIssued(_ cardNumber: CardNumber, applicationID: String, by clerk: String) throws -> PreMadeCard {
        try write(clerk) { db, at in
            let card = try Self.existing(cardNumber, db)
            guard case .reserved(let holder) = card.state else {
                throw InventoryError.notAllowed(cardNumber: cardNumber, state: card.state, action: .issue)
            }
            guard holder == applicationID else {
                throw InventoryError.reservedForAnotherApplication(cardNumber: cardNumber, applicationID: holder)
            }
            return try move(db, card, to: .issued(applicationID: applicationID), hopper: nil, action: "card.issue",
                                 clerk: clerk, at: at)
        }
    }

    /// 作废: the card is spoiled (misprint, chip failure, personal data written but not issued, damage).
    /// From any state but issued and spoiled; `reason` must say why.
    @discardableResult
    public func markSpoiled(_ cardNumber: CardNumber, reason: String, by clerk: String) throws -> PreMadeCard {
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty else { throw InventoryError.reasonRequired(cardNumber: cardNumber) }
        return try write(clerk) { db, at in
            let card = try Self.existing(cardNumber, db)
            guard !card.state.kind.isFinal else {
                throw InventoryError.notAllowed(cardNumber: cardNumber, state: card.state, action: .spoil)
            }
            return try move(db, card, to: .spoiled(reason: why), hopper: nil, action: "card.spoil", reason: why,
                                 clerk: clerk, at: at)
        }
    }

    /// 退库: a card from a hopper or a reservation goes back to the safe unused (for example after
    /// 制卡失败 with a blank chip).
    @discardableResult
    public func returnToStock(_ cardNumber: CardNumber, by clerk: String) throws -> PreMadeCard {
        try write(clerk) { db, at in
            let card = try Self.existing(cardNumber, db)
            guard card.state.kind == .inHopper || card.state.kind == .reserved else {
                throw InventoryError.notAllowed(cardNumber: cardNumber, state: card.state, action: .returnToStock)
            }
            return try move(db, card, to: .returned, hopper: nil, action: "card.return", clerk: clerk, at: at)
        }
    }

    // MARK: Internals

    private func write<T>(_ clerk: String, _ body: (Database, StationTimestamp) throws -> T) throws -> T {
        try Self.requireClerk(clerk)
        let at = database.timestamp()
        return try database.pool.write { try body($0, at) }
    }

    static func requireClerk(_ clerk: String) throws {
        guard !clerk.trimmingCharacters(in: .whitespaces).isEmpty else { throw InventoryError.clerkRequired }
    }

    /// Updates the card, records the movement and the 台账 entry, in the caller's transaction.
    private func move(_ db: Database, _ card: PreMadeCard, to state: PreMadeCardState, hopper: Hopper?,
                             action: String, reason: String? = nil, clerk: String, at: StationTimestamp) throws -> PreMadeCard {
        var application: String?
        var spoilReason: String?
        switch state {
        case let .reserved(a), let .issued(a): application = a
        case let .spoiled(r): spoilReason = r
        default: break
        }
        try db.cachedStatement(sql: """
            UPDATE pre_made_card SET state = ?, hopper = ?, application_id = ?, spoil_reason = ?, updated_at = ?, updated_by = ?
            WHERE card_number = ?
            """).execute(arguments: [state.kind.rawValue, hopper?.rawValue, application, spoilReason, at.text, clerk,
                                     card.cardNumber.value])
        // A released or spoiled reservation keeps the application on the movement row.
        if application == nil, case .reserved(let held) = card.state { application = held }
        try db.cachedStatement(sql: """
            INSERT INTO pre_made_card_movement (card_number, from_state, to_state, hopper, application_id, reason, clerk, at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [card.cardNumber.value, card.state.kind.rawValue, state.kind.rawValue, hopper?.rawValue,
                                     application, reason, clerk, at.text])
        var details: [String: Any] = ["from": card.state.kind.rawValue, "to": state.kind.rawValue, "bank": card.bank]
        if let hopper = hopper ?? card.hopper { details["hopper"] = hopper.rawValue }
        if let application { details["application"] = application }
        if let reason { details["reason"] = reason }
        try AuditLedger(database: database).append(db, at: at, clerk: clerk, action: action, subject: card.cardNumber.value,
                                                   details: Self.json(details))
        var moved = card
        moved.state = state
        moved.hopper = hopper
        moved.updatedAt = at
        moved.updatedBy = clerk
        return moved
    }

    private static func card(_ number: CardNumber, _ db: Database) throws -> PreMadeCard? {
        try PreMadeCard.fetchOne(db.cachedStatement(sql: "SELECT * FROM pre_made_card WHERE card_number = ?"), arguments: [number.value])
    }

    private static func existing(_ number: CardNumber, _ db: Database) throws -> PreMadeCard {
        guard let card = try card(number, db) else { throw InventoryError.unknownCard(number) }
        return card
    }

    private static func reservation(_ applicationID: String, _ db: Database) throws -> PreMadeCard? {
        try PreMadeCard.fetchOne(db.cachedStatement(sql: "SELECT * FROM pre_made_card WHERE state = 'reserved' AND application_id = ?"),
                                 arguments: [applicationID])
    }

    /// One bank per hopper (《广东省社会保障卡经办规程》附件9: 不同银行的预制卡放在不同卡盒).
    private static func requireHopper(_ hopper: Hopper, acceptsBank bank: String, _ db: Database) throws {
        let banks = try String.fetchAll(db.cachedStatement(sql: """
            SELECT DISTINCT bank FROM pre_made_card WHERE hopper = ? AND state IN ('inHopper', 'reserved')
            """), arguments: [hopper.rawValue])
        if let other = banks.first(where: { $0 != bank }) {
            throw InventoryError.hopperHoldsOtherBank(hopper: hopper, bank: other, refused: bank)
        }
    }

    /// Compact JSON with sorted keys, for ledger details.
    static func json(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }

    /// Migration 6: an import is one movement of all its cards, its `yzkcg_import` row (who,
    /// when, which file). Before, each card had a movement row repeating it, 100,000 rows with
    /// the same reason for a large file. A card's first row that repeats its import exactly (no
    /// state before, into the safe, the import's clerk, time and reason) is folded into the
    /// import row; any other row, an edited one too, stays.
    static func foldImportMovements(_ db: Database) throws {
        try db.execute(sql: """
            DELETE FROM pre_made_card_movement WHERE id IN (
                SELECT m.id FROM pre_made_card_movement m
                JOIN pre_made_card c ON c.card_number = m.card_number
                JOIN yzkcg_import i ON i.id = c.import_id
                WHERE m.from_state IS NULL AND m.to_state = 'inStock' AND m.hopper IS NULL AND m.application_id IS NULL
                    AND m.clerk = i.imported_by AND m.at = i.imported_at AND m.reason = '导入 import ' || i.file_name
                    AND m.id = (SELECT MIN(id) FROM pre_made_card_movement WHERE card_number = m.card_number))
            """)
    }

    static func createSchema(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE yzkcg_import (
                id INTEGER PRIMARY KEY,
                file_name TEXT NOT NULL UNIQUE,
                bank TEXT NOT NULL,
                city_agency TEXT NOT NULL,
                batch TEXT NOT NULL,
                card_count INTEGER NOT NULL CHECK (card_count >= 0),
                card_maker TEXT NOT NULL,
                bank_branch_code TEXT NOT NULL,
                file_time TEXT NOT NULL,
                encoding TEXT NOT NULL,
                content_sm3 TEXT NOT NULL,
                imported_at TEXT NOT NULL,
                imported_by TEXT NOT NULL
            );
            CREATE TABLE pre_made_card (
                card_number TEXT PRIMARY KEY,
                card_identification_code TEXT NOT NULL UNIQUE,
                reset_code TEXT NOT NULL,
                personal_account TEXT NOT NULL,
                bank_card_number TEXT NOT NULL UNIQUE,
                bank_account TEXT NOT NULL,
                packing_position TEXT NOT NULL,
                make_date TEXT NOT NULL,
                expiry_date TEXT NOT NULL,
                bank TEXT NOT NULL,
                import_id INTEGER NOT NULL REFERENCES yzkcg_import (id),
                sequence INTEGER NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('inStock', 'inHopper', 'reserved', 'issued', 'spoiled', 'returned')),
                hopper INTEGER CHECK (hopper BETWEEN 1 AND 9),
                application_id TEXT,
                spoil_reason TEXT,
                updated_at TEXT NOT NULL,
                updated_by TEXT NOT NULL,
                CHECK ((hopper IS NOT NULL) = (state IN ('inHopper', 'reserved'))),
                CHECK ((application_id IS NOT NULL) = (state IN ('reserved', 'issued'))),
                CHECK ((spoil_reason IS NOT NULL) = (state = 'spoiled'))
            );
            CREATE INDEX pre_made_card_by_state ON pre_made_card (state, bank, hopper);
            CREATE INDEX pre_made_card_by_import ON pre_made_card (import_id, sequence);
            CREATE UNIQUE INDEX pre_made_card_one_reservation ON pre_made_card (application_id) WHERE state = 'reserved';
            CREATE UNIQUE INDEX pre_made_card_one_issue ON pre_made_card (application_id) WHERE state = 'issued';
            CREATE TABLE pre_made_card_movement (
                id INTEGER PRIMARY KEY,
                card_number TEXT NOT NULL REFERENCES pre_made_card (card_number),
                from_state TEXT,
                to_state TEXT NOT NULL,
                hopper INTEGER,
                application_id TEXT,
                reason TEXT,
                clerk TEXT NOT NULL,
                at TEXT NOT NULL
            );
            CREATE INDEX pre_made_card_movement_by_card ON pre_made_card_movement (card_number, id);
            """)
    }
}

/// What an import did.
public struct YZKCGImportReceipt: Hashable, Sendable {
    public var importID: Int64
    public var fileName: String
    public var bank: String
    public var count: Int
    public var importedAt: StationTimestamp
    public var importedBy: String

    public init(importID: Int64, fileName: String, bank: String, count: Int, importedAt: StationTimestamp, importedBy: String) {
        self.importID = importID; self.fileName = fileName; self.bank = bank; self.count = count
        self.importedAt = importedAt; self.importedBy = importedBy
    }
}

/// A stock move the books refused. Nothing changed.
public enum InventoryError: Error, Hashable, CustomStringConvertible {
    public enum Action: String, Hashable, Sendable {
        case load = "装入卡盒 load into a hopper"
        case issue = "发放 issue"
        case spoil = "作废 spoil"
        case returnToStock = "退库 return to stock"
    }
    case clerkRequired
    case unknownCard(CardNumber)
    case notAllowed(cardNumber: CardNumber, state: PreMadeCardState, action: Action)
    case reservedForAnotherApplication(cardNumber: CardNumber, applicationID: String)
    case hopperHoldsOtherBank(hopper: Hopper, bank: String, refused: String)
    case notEnoughStock(bank: String, wanted: Int, available: Int)
    case noCardInHopper(bank: String)
    case alreadyReserved(applicationID: String, cardNumber: CardNumber)
    case alreadyIssued(applicationID: String, cardNumber: CardNumber)
    case noReservation(applicationID: String)
    case fedCardNotInHopper(cardNumber: CardNumber, state: PreMadeCardState, expected: Hopper?)
    case reasonRequired(cardNumber: CardNumber)
    /// A stored row that the schema's checks should have made impossible; `cardNumber` is the
    /// row's `card_number` as stored.
    case corruptRow(cardNumber: String, column: String)

    public var description: String {
        switch self {
        case .clerkRequired: "必须填写经办人 the clerk (经办人) is required"
        case let .unknownCard(n): "库存中没有社保卡号\(n) card \(n) is not on the books"
        case let .notAllowed(n, s, a): "卡\(n)当前为\(s)，不能\(a.rawValue) card \(n) is \(s): cannot \(a.rawValue)"
        case let .reservedForAnotherApplication(n, a): "卡\(n)已为申请\(a)预留 card \(n) is reserved for application \(a)"
        case let .hopperHoldsOtherBank(h, b, r):
            "\(h)已装\(b)的卡，不能再装\(r)的卡 \(h) holds \(b) cards; one bank per hopper, refused \(r)"
        case let .notEnoughStock(b, w, a): "\(b)在库只有\(a)张，不足\(w)张 only \(a) \(b) cards in stock, wanted \(w)"
        case let .noCardInHopper(b): "卡盒中没有\(b)的预制卡 no \(b) pre-made card in any hopper"
        case let .alreadyReserved(a, n): "申请\(a)已预留卡\(n) application \(a) already has card \(n) reserved"
        case let .alreadyIssued(a, n): "申请\(a)已发放卡\(n) application \(a) already had card \(n) issued"
        case let .noReservation(a): "申请\(a)没有预留的卡 application \(a) has no reserved card"
        case let .fedCardNotInHopper(n, s, h):
            "送出的卡\(n)当前为\(s)，不在\(h.map(\.description) ?? "卡盒") fed card \(n) is \(s), not in \(h.map(\.description) ?? "a hopper")"
        case let .reasonRequired(n): "作废卡\(n)必须填写原因 spoiling card \(n) needs a reason"
        case let .corruptRow(n, c): "卡\(n)的\(c)数据损坏 card \(n): stored \(c) is corrupt"
        }
    }
}
