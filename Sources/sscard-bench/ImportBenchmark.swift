import Foundation
import InstantIssue
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
    static func returnFile(rows: Int) -> Data {
        var lines = [String(rows), "序号,社保卡号,身份证号,姓名,制卡日期,有效期至,卡识别码,卡复位码,个人账户,银行卡号,银行账户,装箱位置"]
        lines.reserveCapacity(rows + 2)
        for i in 1...rows {
            lines.append("\(i),\("B" + String(format: "%08d", i)),,,20240415,,\("440100D156000005" + String(format: "%016X", i)),008C544CB386844116018593CA,\("9" + String(format: "%017d", i)),\("62220" + String(format: "%014d", i)),\("1" + String(format: "%017d", i)),箱\(i / 100 + 1)-\(i % 100)")
        }
        return Data((lines.joined(separator: "\n") + "\n").utf8)
    }
}
