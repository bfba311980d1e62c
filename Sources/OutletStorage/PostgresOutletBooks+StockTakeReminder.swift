import Foundation
import InstantIssue
import PostgresNIO

/// The day's stock-take reminder on the outlet's books (《广东省社会保障卡经办规程》第三十六条一（四）
/// 预制卡为重要空白证件……每天盘点数量): as on a desk's own books (`PreMadeCardInventory.missedStockTakeYesterday`),
/// read from the outlet's 台账. A stock-take here counts the outlet's safe and this desk's
/// hoppers, so what is due is this desk's own: its entries yesterday and its `stock.take`.
extension PostgresOutletBooks {
    /// The day (YYYY-MM-DD in `timeZone`) this desk has entries in the outlet's chain but no
    /// stock-take and no reminder yet; the reminder is appended (`stock.takeMissed`, subject that
    /// day, this desk) in the same transaction, so only the day's first command warns. Nil
    /// when nothing is due.
    public func missedStockTakeYesterday(timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!) async throws -> String? {
        guard let yesterday = Self.dayBefore(clock(), in: timeZone),
              let range = StationTimestamp.range(ofDay: yesterday, in: timeZone) else { return nil }
        let missed = PreMadeCardInventory.stockTakeMissedAction, took = AuditLedger.stockTakeAction
        return try await transaction { c, at in
            // Timestamps compare as bytes, as on the desk's SQLite ledger, whatever the collation.
            var due = false
            for try await (worked, counted, reminded) in try await c.query("""
                SELECT count(*) FILTER (WHERE action <> \(missed) AND recorded_at COLLATE "C" >= \(range.start)
                                          AND recorded_at COLLATE "C" < \(range.end)),
                       count(*) FILTER (WHERE action = \(took) AND recorded_at COLLATE "C" >= \(range.start)
                                          AND recorded_at COLLATE "C" < \(range.end)),
                       count(*) FILTER (WHERE action = \(missed) AND subject = \(yesterday))
                FROM ledger_entry WHERE outlet = \(self.outlet) AND desk = \(self.desk)
                """, logger: self.logger).decode((Int64, Int64, Int64).self) {
                due = worked > 0 && counted == 0 && reminded == 0
            }
            guard due else { return nil }
            try await self.appendLedger(c, at: at, clerk: "issue-station", action: missed, subject: yesterday,
                                        details: "昨日未盘点 no stock-take on \(yesterday)")
            return yesterday
        }
    }

    /// The day before `now` in `timeZone`, YYYY-MM-DD.
    static func dayBefore(_ now: Date, in timeZone: TimeZone) -> String? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        guard let date = calendar.date(byAdding: .day, value: -1, to: now) else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }
}
