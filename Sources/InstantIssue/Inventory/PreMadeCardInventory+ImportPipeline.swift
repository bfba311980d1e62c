import Foundation
import GRDB

/// The import of a return file with its rows read and written side by side: one thread reads
/// the rows batch by batch while the import's transaction, on the writer, inserts the batches
/// already read. On two cores the call takes about the longer of the two instead of their sum
/// (docs/performance.md §4). Still one transaction, all or nothing: a bad row anywhere, or a
/// duplicate, refuses the whole file with the same problems `YZKCGFile` lists, and the rows
/// already written are rolled back with the rest.
extension PreMadeCardInventory {
    /// Rows the reading thread hands to the transaction at a time (a multiple of
    /// `cardsPerInsert`, so each batch is written with the one prepared statement).
    static let rowsPerImportBatch = 2_000

    /// Checks and imports the return file `contents` that arrived as `fileName`, as
    /// `importReturnFile(_:by:)` does a parsed `YZKCGFile`: the same problems, the same rows,
    /// the same receipt and 台账 entry.
    @discardableResult
    public func importReturnFile(fileName: String, contents: Data, by clerk: String) throws -> YZKCGImportReceipt {
        try importReturnFile(fileName: fileName, contents: contents, by: clerk, rowsPerBatch: Self.rowsPerImportBatch)
    }

    func importReturnFile(fileName: String, contents: Data, by clerk: String, rowsPerBatch: Int) throws -> YZKCGImportReceipt {
        let text = try YZKCGText(fileName: fileName, contents: contents)
        guard text.fileProblems.total == 0, let name = text.name else {
            // The file as a whole is wrong: the parse lists that with every row's problems.
            return try importReturnFile(try YZKCGFile(fileName: fileName, contents: contents), by: clerk)
        }
        return try logged(fileName, clerk) {
            try Self.requireClerk(clerk)
            let feed = YZKCGRowFeed()
            DispatchQueue.global(qos: .userInitiated).async { feed.read(text, rowsPerBatch: max(1, rowsPerBatch)) }
            do {
                return try inImportTransaction { db, at in
                    try pipelinedTransaction(text, name: name, feed: feed, by: clerk, at: at, db)
                }
            } catch {
                // The file's own problems come first, as when the whole file is read before
                // the transaction; the transaction's error otherwise.
                let read = feed.outcome()
                if read.problems.total > 0 {
                    throw YZKCGImportError(fileName: fileName, problems: read.problems.items, total: read.problems.total)
                }
                throw error
            }
        }
    }

    private func pipelinedTransaction(_ text: YZKCGText, name: YZKCGFileName, feed: YZKCGRowFeed, by clerk: String,
                                      at: StationTimestamp, _ db: Database) throws -> YZKCGImportReceipt {
        let earlier = try Self.earlierImport(of: name.fileName, db)
        // The SM3 is known only once the reading ends: the row gets it then.
        let importID = earlier == nil
            ? try Self.insertImportRow(name, encoding: text.encoding, count: text.rowCount, contentHash: "", at: at, clerk: clerk, db)
            : 0
        var batches: [[YZKCGRecord]] = []
        var skippedSome = false
        while let batch = feed.next() {
            batches.append(batch)
            // A file imported before is only read to the end, for its problems.
            if earlier == nil, try Self.insert(batch, bank: name.bank, importID: importID, at: at, clerk: clerk, db) {
                skippedSome = true
            }
        }
        let read = feed.outcome()
        guard read.problems.total == 0 else {
            throw YZKCGImportError(fileName: name.fileName, problems: read.problems.items, total: read.problems.total)
        }
        if let earlier { throw YZKCGImportError(fileName: name.fileName, problems: [earlier]) }
        if skippedSome {
            try Self.refuseCardsOnTheBooks(batches.flatMap { $0 }, fileName: name.fileName, importID: importID, db)
        }
        try db.execute(sql: "UPDATE yzkcg_import SET content_sm3 = ? WHERE id = ?", arguments: [read.contentHash, importID])
        return try finishImport(name, encoding: text.encoding, count: text.rowCount, contentHash: read.contentHash,
                                first: batches.first?.first?.cardNumber, last: batches.last?.last?.cardNumber,
                                importID: importID, at: at, clerk: clerk, db)
    }
}

/// Batches of valid rows handed from the thread that reads a return file to the transaction
/// that writes them, in file order. Once a row has a problem no further batch is handed on
/// (the file will be refused), but the reading goes on to the end to list every problem.
final class YZKCGRowFeed: @unchecked Sendable {
    // @unchecked Sendable: every property is read and written under `condition`.
    private let condition = NSCondition()
    private var waiting: [[YZKCGRecord]] = []
    private var taken = 0
    private var refused = false
    private var ended: (problems: YZKCGProblemList, contentHash: String)?

    /// Reads every row of `text`, `rowsPerBatch` at a time; on the reading thread.
    func read(_ text: YZKCGText, rowsPerBatch: Int) {
        var rowProblems = YZKCGProblemList()
        var duplicates = YZKCGDuplicateCheck(rows: text.rowCount)
        var start = 0
        while start < text.rowCount {
            let end = min(start + rowsPerBatch, text.rowCount)
            let rows = text.rows(start..<end)
            rowProblems.append(contentsOf: rows.problems)
            duplicates.check(rows.keys)
            hand(rows.records, refused: rowProblems.total + duplicates.problems.total > 0)
            start = end
        }
        let contentHash = text.contentHash
        var problems = YZKCGProblemList()
        // A row has field problems or duplicate problems, never both: merged by line.
        problems.append(merging: rowProblems, duplicates.problems)
        condition.lock()
        ended = (problems, contentHash)
        condition.broadcast()
        condition.unlock()
    }

    private func hand(_ records: [YZKCGRecord], refused: Bool) {
        condition.lock()
        defer { condition.unlock() }
        if refused { self.refused = true; waiting.removeAll() }
        guard !self.refused else { return }
        waiting.append(records)
        condition.broadcast()
    }

    /// The next batch in file order; nil once the reading has ended or a row was refused.
    func next() -> [YZKCGRecord]? {
        condition.lock()
        defer { condition.unlock() }
        while true {
            if refused { return nil }
            if taken < waiting.count {
                let batch = waiting[taken]
                waiting[taken] = []
                taken += 1
                return batch
            }
            if ended != nil { return nil }
            condition.wait()
        }
    }

    /// Every problem of the rows and the SM3 of the file, once the reading has ended.
    func outcome() -> (problems: YZKCGProblemList, contentHash: String) {
        condition.lock()
        defer { condition.unlock() }
        while ended == nil { condition.wait() }
        return ended!
    }
}
