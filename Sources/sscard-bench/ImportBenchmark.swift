import Foundation
import InstantIssue
import SimulatedDesk
import SSCardPrinter

/// A 100,000-row YZKCG return file imported into a fresh station database, `runs` times: the
/// whole import (read + parse + validate + one transaction, WAL, synchronous=FULL; the rows read
/// beside the transaction that writes them), and its two halves apart — the parse alone and the
/// transaction of an already parsed file.
///
///   .build/release/sscard-bench import [--count N] [--json]   (N runs, default 5)
struct ImportBenchmark {
    let count: Int
    var rows = 100_000

    func run() throws {
        let runs = count
        let work = URL(fileURLWithPath: try PrivateFile.makeTemporaryFolder(prefix: "sscard-bench-import-"), isDirectory: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let url = work.appendingPathComponent("YZKCG_工商银行_广州市社保卡管理中心_B001_\(rows)_金邦达_102581000013_20240501120000.txt")
        try Self.returnFile(rows: rows).write(to: url)
        var whole = Timing(), parse = Timing(), transaction = Timing(), checkpoint = Timing()
        for run in 0..<runs {
            let folder = work.appendingPathComponent("run\(run)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: false)
            let database = try StationDatabase(path: folder.appendingPathComponent("station.sqlite").path)
            try whole.measure { _ = try PreMadeCardInventory(database: database).importReturnFile(at: url, by: "bench") }
            try database.close()
            var file: YZKCGFile?
            try parse.measure { file = try YZKCGFile(contentsOf: url) }
            let second = try StationDatabase(path: folder.appendingPathComponent("second.sqlite").path)
            try transaction.measure { _ = try PreMadeCardInventory(database: second).importReturnFile(file!, by: "bench") }
            // The WAL checkpoint the import leaves to the writer's queue, after the call returned.
            try checkpoint.measure { try second.finishQueuedWrites() }
            let books = try PreMadeCardInventory(database: second).checkInvariants()
            precondition(books.holds, "\(books)")
            try second.close()
            try FileManager.default.removeItem(at: folder)
        }
        report.line("YZKCG import of \(rows) rows into a fresh database (WAL, synchronous=FULL):")
        report.line("  import (read + parse + validate + one transaction, side by side): \(report.timing("import.whole", whole))")
        report.line("    parse + validate alone:                                       \(report.timing("import.parse", parse))")
        report.line("    transaction of a parsed file:                                 \(report.timing("import.transaction", transaction))")
        report.line("    then the WAL checkpoint, after the call:                      \(report.timing("import.checkpoint_after", checkpoint))")
    }

    /// The return file the station benchmark imports too: `rows` valid pre-made cards.
    static func returnFile(rows: Int) -> Data { SampleReturnFile.contents(rows: rows) }
}
