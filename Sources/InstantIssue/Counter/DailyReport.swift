import CounterDocuments
import Foundation

/// The desk's day (日报表): cards issued (制卡成功), failed (制卡失败), completed by 制卡补登,
/// spoiled, handed over and activated (领卡启用), the 工本费 charged and waived
/// (《广东省社会保障卡经办规程》第二十二条), and the stock moves of the day (第三十六条（四）:
/// 出入库及使用登记) and the day's physical counts with their differences (第三十六条一（四）:
/// 每天盘点数量), all counted from the 台账 — the record the regulation keeps — as a PDF for
/// the file and a CSV for the spreadsheet.
public struct DailyReport: Hashable, Sendable {
    /// `YYYY-MM-DD`, China time.
    public var day: String
    public var terminal: String
    public var issued = 0
    public var failed = 0
    public var backfilled = 0
    public var spoiled = 0
    public var activated = 0
    public var feesChargedCount = 0
    public var feesChargedFen = 0
    public var feesWaivedCount = 0
    /// 台账 action → count, for the stock moves (`card.*`, `yzkcg.import`, `stock.take`).
    public var stockMoves: [String: Int] = [:]
    /// The fees of the day, one row each.
    public var fees: [FeeCharge] = []
    /// Every place counted in the day's stock-takes with a count (`stock.count`), in 台账 order.
    public var counts: [CountedPlace] = []
    /// Who prints the report (经办人), named on its signature line.
    public var clerk: String?

    /// China time: the desk's day.
    public static let timeZone = TimeZone(identifier: "Asia/Shanghai")!

    /// Counts `day` (`YYYY-MM-DD`) from the station's 台账.
    public static func make(station: Station, day: String) throws -> DailyReport {
        guard let range = StationTimestamp.range(ofDay: day, in: timeZone) else { throw AuditLedgerError.badDay(day) }
        var report = DailyReport(day: day, terminal: station.configuration.terminal)
        let entries = try station.ledger.entries(from: StationTimestamp(text: range.start), to: StationTimestamp(text: range.end))
        for entry in entries {
            switch entry.action {
            case "制卡成功": report.issued += 1
            case "制卡失败": report.failed += 1
            case "制卡补登": report.backfilled += 1
            case "card.spoil": report.spoiled += 1
            case "领卡启用": report.activated += 1
            case PreMadeCardInventory.stockCountAction:
                report.counts += CountedPlace.lines(of: entry)
            case Fees.chargedAction, Fees.waivedAction:
                guard let fee = try? JSONDecoder().decode(FeeCharge.self, from: Data(entry.details.utf8)) else { continue }
                report.fees.append(fee)
                if fee.isWaived { report.feesWaivedCount += 1 } else {
                    report.feesChargedCount += 1
                    report.feesChargedFen += fee.amountFen
                }
            default: break
            }
            if entry.action.hasPrefix("card.") || entry.action == "yzkcg.import" || entry.action == AuditLedger.stockTakeAction {
                report.stockMoves[entry.action, default: 0] += 1
            }
        }
        return report
    }

    /// The day for `date` in China, `YYYY-MM-DD`.
    public static func day(of date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        return formatter.string(from: date)
    }

    /// The summary rows: (Chinese label, English label, value).
    public var rows: [(String, String, String)] {
        let differing = counts.filter { $0.difference != 0 }.count
        let summary: [(String, String, String)] = [("制卡成功", "issued", String(issued)), ("制卡失败", "failed", String(failed)), ("制卡补登", "completed by 补登", String(backfilled)),
         ("废卡", "spoiled", String(spoiled)), ("领卡启用", "activated", String(activated)),
         ("收取工本费笔数", "fees charged", String(feesChargedCount)), ("收取工本费金额（元）", "fees charged (yuan)", FeeCharge.yuan(feesChargedFen)),
         ("免收工本费笔数", "fees waived", String(feesWaivedCount)),
         ("盘点有差异的项", "places counted with a difference", String(differing))]
        let moves: [(String, String, String)] = stockMoves.keys.sorted().map { ("库存变动 \($0)", "stock move \($0)", String(stockMoves[$0] ?? 0)) }
        return summary + moves
    }

    /// The CSV (UTF-8 with BOM, CRLF, as `ledger export`): 项目, item, 数量, then one row per fee,
    /// then one row per place counted (差异 as a signed number).
    public var csv: String {
        var lines = [["日期", "day", day], ["终端", "terminal", terminal], ["项目", "item", "数量"]]
        lines += rows.map { [$0.0, $0.1, $0.2] }
        lines.append(["工本费明细", "fees", ""])
        lines.append(["申请编号", "原因", "金额（元）", "票据号"])
        lines += fees.map { [$0.applicationID, $0.reason.rawValue, FeeCharge.yuan($0.amountFen), $0.receiptNumber ?? ""] }
        lines.append(["盘点明细", "stock counts", ""])
        lines.append(["时间", "盘点人", "位置", "账面", "实点", "差异"])
        var rows = lines.map { $0.map(AuditLedger.csvCell).joined(separator: ",") }
        // The numbers as numbers: through csvCell a negative difference would get the quote
        // that keeps a formula out of a spreadsheet.
        rows += counts.map { ([$0.time, $0.clerk, $0.place].map(AuditLedger.csvCell) + [String($0.books), String($0.counted), String($0.difference)])
            .joined(separator: ",") }
        return "\u{FEFF}" + rows.joined(separator: "\r\n") + "\r\n"
    }

    /// The PDF's content.
    public var document: CounterDocument {
        CounterDocument(kind: .dailyReport, title: "社会保障卡即时制卡日报表", reference: day, blocks: [
            .field("日期", day), .field("终端", terminal),
            .table(header: ["项目", "数量"], rows: rows.map { [$0.0, $0.2] }),
            .heading("工本费明细（《广东省社会保障卡经办规程》第二十二条）"),
            .table(header: ["申请编号", "原因", "金额（元）", "票据号"],
                   rows: fees.map { [$0.applicationID, $0.reason.chinese, FeeCharge.yuan($0.amountFen), $0.receiptNumber ?? "—"] }),
            .heading("盘点明细（《广东省社会保障卡经办规程》第三十六条）"),
            .table(header: ["时间", "盘点人", "位置", "账面", "实点", "差异"],
                   rows: counts.map { [$0.time, $0.clerk, StockPlace(key: $0.place)?.chinese ?? $0.place, String($0.books), String($0.counted), $0.differenceText] }),
            .signature(clerk.map { "经办人（\($0)）签名" } ?? "经办人签名"), .signature("复核人签名"),
        ])
    }
}

/// One place of a physical count, as the `stock.count` entry of the 台账 recorded it.
public struct CountedPlace: Hashable, Sendable, Decodable {
    /// When the count was recorded (the entry's time, UTC as the 台账 keeps it).
    public var time = ""
    public var clerk = ""
    /// `hopper1`…`hopper9`, `safe`, `all`.
    public var place: String
    public var books: Int
    public var counted: Int
    /// Counted − books: negative when cards are missing.
    public var difference: Int

    /// `+1`, `-1` or `0`: the sign shown, so a missing card reads as one.
    public var differenceText: String { difference > 0 ? "+\(difference)" : String(difference) }

    private enum CodingKeys: String, CodingKey { case place, books, counted, difference }
    private struct Details: Decodable { var places: [CountedPlace] }

    /// The places of one `stock.count` entry; none when its details do not decode.
    static func lines(of entry: AuditLedgerEntry) -> [CountedPlace] {
        guard let details = try? JSONDecoder().decode(Details.self, from: Data(entry.details.utf8)) else { return [] }
        return details.places.map {
            var line = $0
            line.time = entry.recordedAt.text
            line.clerk = entry.clerk
            return line
        }
    }
}
