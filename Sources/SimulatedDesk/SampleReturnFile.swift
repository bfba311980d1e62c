import Foundation
import InstantIssue

/// A card maker's return file (YZKCG) of made-up cards, for the outlet tests, demo and
/// benchmark: `rows` cards numbered from `first`, in batch `batch`, of one bank.
public enum SampleReturnFile {
    public static func make(rows: Int, first: Int = 1, batch: String = "B001", bank: String = "工商银行") throws -> YZKCGFile {
        try YZKCGFile(fileName: fileName(rows: rows, batch: batch, bank: bank), contents: contents(rows: rows, first: first))
    }

    /// The file's name as a card maker writes it (the count is part of the name).
    public static func fileName(rows: Int, batch: String = "B001", bank: String = "工商银行") -> String {
        "YZKCG_\(bank)_广州市社保卡管理中心_\(batch)_\(rows)_金邦达_102581000013_20240501120000.txt"
    }

    /// The file's bytes: the count, the header, then one line per card (序号 from 1).
    public static func contents(rows: Int, first: Int = 1) -> Data {
        precondition(rows > 0 && first > 0 && first + rows < 100_000_000)
        var lines = [String(rows), YZKCGFile.header]
        lines.reserveCapacity(rows + 2)
        for i in first..<(first + rows) {
            lines.append("\(i - first + 1),\("B" + String(format: "%08d", i)),,,20240415,,\("440100D156000005" + String(format: "%016X", i)),008C544CB386844116018593CA,\("9" + String(format: "%017d", i)),\("62220" + String(format: "%014d", i)),\("1" + String(format: "%017d", i)),箱\(i / 100 + 1)-\(i % 100)")
        }
        return Data((lines.joined(separator: "\n") + "\n").utf8)
    }
}
