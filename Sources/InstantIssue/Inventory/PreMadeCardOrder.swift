import Foundation
import GRDB
import CounterDocuments

/// 《广东省社会保障卡预制卡申请表》 (《广东省社会保障卡经办规程》第三十六条二（一）, 附件5): how many
/// pre-made cards to ask for, one line per bank and card maker (不同银行及不同制卡厂商的预制卡要分开申请),
/// from the stock on the books and what the desk used. The quantity is what `coverDays` of the
/// recent use (issued and spoiled cards of the last `windowDays`) needs beyond the cards still
/// usable (in the safe, in a hopper, returned), rounded up to a whole `packSize`.
public struct PreMadeCardOrder: Hashable, Sendable {
    public struct Line: Hashable, Sendable {
        public var bank: String
        /// 制卡商, from the return file's name.
        public var cardMaker: String
        /// Cards still usable: in stock, in a hopper, returned (reserved ones are spoken for).
        public var usable: Int
        /// Cards issued or spoiled in the window.
        public var used: Int
        /// Cards to ask for.
        public var quantity: Int
    }

    public var lines: [Line]
    public var windowDays: Int
    public var coverDays: Int
    public var packSize: Int

    /// The lines with something to order.
    public var orders: [Line] { lines.filter { $0.quantity > 0 } }

    /// UTF-8 CSV with a BOM (for spreadsheet programs): 附件5's columns 银行, 制卡商, 数量, 备注, then
    /// the figures behind the quantity.
    public var csv: Data {
        var text = "\u{FEFF}银行,制卡商,数量,备注,可用库存,近\(windowDays)天用量\r\n"
        for line in lines {
            text += [line.bank, line.cardMaker, String(line.quantity), Self.remark(line, windowDays: windowDays, coverDays: coverDays),
                     String(line.usable), String(line.used)].map(AuditLedger.csvCell).joined(separator: ",") + "\r\n"
        }
        return Data(text.utf8)
    }

    static func remark(_ line: Line, windowDays: Int, coverDays: Int) -> String {
        "可用\(line.usable)张，近\(windowDays)天用\(line.used)张，按\(coverDays)天用量申请"
    }

    /// 附件5 for one bank and card maker (a separate form each, 第三十六条二（一）).
    public func form(for line: Line, number: Int, applicant: String, date: Date) -> CounterDocument {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyy年MM月dd日"
        let reference = "\(formatter.string(from: date).filter { $0.isASCII && $0.isNumber })-\(number)"
        return CounterDocument(kind: Self.formKind, title: "广东省社会保障卡预制卡申请表", reference: reference, blocks: [
            .field("申请单位", applicant),
            .table(header: ["银行", "制卡商", "数量", "备注"],
                   rows: [[line.bank, line.cardMaker, String(line.quantity), Self.remark(line, windowDays: windowDays, coverDays: coverDays)]]),
            .gap,
            .signature("经办人（签字）"),
            .field("日期", formatter.string(from: date)),
            .gap,
            .field("审核单位", "广东省人力资源和社会保障厅政务服务中心"),
            .signature("经办人（签字）"),
            .gap,
            .field("抄送单位", "\(line.bank)广东省分行"),
            .signature("经办人（签字）"),
        ])
    }

    public static let formKind = DocumentKind(rawValue: "pre-made-card-order")!
}

extension PreMadeCardInventory {
    /// The order sheet from the books now (see `PreMadeCardOrder`).
    public func orderSheet(windowDays: Int = 30, coverDays: Int = 60, packSize: Int = 100) throws -> PreMadeCardOrder {
        try PreMadeCardOrder.checkParameters(windowDays: windowDays, coverDays: coverDays, packSize: packSize)
        let since = StationTimestamp(database.clock().addingTimeInterval(-Double(windowDays) * 86_400)).text
        let rows = try database.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT i.bank, i.card_maker,
                       SUM(CASE WHEN c.state IN ('inStock', 'inHopper', 'returned') THEN 1 ELSE 0 END) AS usable,
                       SUM(CASE WHEN c.state IN ('issued', 'spoiled') AND EXISTS (
                               SELECT 1 FROM pre_made_card_movement m WHERE m.card_number = c.card_number
                               AND m.to_state = c.state AND m.at >= ?) THEN 1 ELSE 0 END) AS used
                FROM pre_made_card c JOIN yzkcg_import i ON i.id = c.import_id
                GROUP BY i.bank, i.card_maker ORDER BY i.bank, i.card_maker
                """, arguments: [since])
        }
        let counts = rows.map { row in
            (bank: row["bank"] as String, cardMaker: row["card_maker"] as String, usable: row["usable"] as Int, used: row["used"] as Int)
        }
        return PreMadeCardOrder(counts: counts, windowDays: windowDays, coverDays: coverDays, packSize: packSize)
    }
}

extension PreMadeCardOrder {
    /// Refuses a window, cover or pack out of range (`PreMadeCardOrderError`).
    public static func checkParameters(windowDays: Int, coverDays: Int, packSize: Int) throws {
        guard (1...366).contains(windowDays), (1...366).contains(coverDays), (1...10_000).contains(packSize) else {
            throw PreMadeCardOrderError.badParameters(windowDays: windowDays, coverDays: coverDays, packSize: packSize)
        }
    }

    /// The order from each bank and card maker's usable and used cards, lines in the order given:
    /// the same arithmetic whichever books counted them.
    public init(counts: [(bank: String, cardMaker: String, usable: Int, used: Int)], windowDays: Int, coverDays: Int, packSize: Int) {
        let lines = counts.map { c -> Line in
            let needed = Int((Double(c.used) * Double(coverDays) / Double(windowDays)).rounded(.up))
            let short = max(0, needed - c.usable)
            let quantity = short == 0 ? 0 : ((short + packSize - 1) / packSize) * packSize
            return Line(bank: c.bank, cardMaker: c.cardMaker, usable: c.usable, used: c.used, quantity: quantity)
        }
        self.init(lines: lines, windowDays: windowDays, coverDays: coverDays, packSize: packSize)
    }
}

public enum PreMadeCardOrderError: Error, Hashable, Sendable {
    case badParameters(windowDays: Int, coverDays: Int, packSize: Int)
}
