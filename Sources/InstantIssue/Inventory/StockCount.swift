import Foundation
import GRDB

/// 盘点 with a physical count (《广东省社会保障卡经办规程》第三十六条一（四）: 预制卡为重要空白证件……
/// 每天盘点数量，确保卡片不丢失): the clerk counts the cards in each hopper and in the safe, the
/// station compares the count with the books and records it — any difference with the clerk's
/// name — in the 台账.
extension PreMadeCardInventory {
    /// 台账 action of a physical count (details: each place's books, count and difference).
    public static let stockCountAction = "stock.count"
    /// 台账 action recorded by the day's first command when the desk worked yesterday without a
    /// stock-take (subject: that day).
    public static let stockTakeMissedAction = "stock.takeMissed"

    /// Takes the daily stock (`takeStock(by:)`) and compares `count` with the books: a hopper
    /// holds its `inHopper` and `reserved` cards, the safe its `inStock` and `returned` ones.
    /// The comparison is recorded as one `stock.count` entry; the result lists every place
    /// counted with its difference (counted − books).
    public func takeStock(counted count: PhysicalStockCount, by clerk: String) throws -> StockCountResult {
        try Self.requireClerk(clerk)
        guard !count.places.isEmpty else { throw StockCountError.nothingCounted }
        let report = try takeStock(by: clerk)
        let lines = StockCountResult.compare(count, books: try booksByPlace())
        let entry = try AuditLedger(database: database).append(clerk: clerk, action: Self.stockCountAction,
                                                               subject: "预制卡 pre-made cards",
                                                               details: StockCountResult.ledgerDetails(lines))
        return StockCountResult(report: report, lines: lines, ledgerSeq: entry.seq)
    }

    /// Cards the books put in each hopper and in the safe.
    public func booksByPlace() throws -> [StockPlace: Int] {
        try database.pool.read { db in
            var places: [StockPlace: Int] = [.safe: 0]
            for row in try Row.fetchAll(db, sql: """
                SELECT hopper, COUNT(*) AS n FROM pre_made_card WHERE state IN ('inHopper', 'reserved') GROUP BY hopper
                """) {
                let h: Int = row["hopper"], n: Int = row["n"]
                if let hopper = Hopper(rawValue: h) { places[.hopper(hopper)] = n }
            }
            places[.safe] = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM pre_made_card WHERE state IN ('inStock', 'returned')") ?? 0
            return places
        }
    }

    /// 第三十六条一（四）: the day a desk that worked yesterday (China time) took no stock. Nil
    /// when yesterday had a stock-take, had no activity at all, or the reminder was already
    /// recorded; otherwise records `stock.takeMissed` for that day and returns it (YYYY-MM-DD),
    /// so only the day's first command warns.
    public func missedStockTakeYesterday(timeZone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!) throws -> String? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        guard let yesterdayDate = calendar.date(byAdding: .day, value: -1, to: database.clock()) else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd"
        let yesterday = formatter.string(from: yesterdayDate)
        guard let range = StationTimestamp.range(ofDay: yesterday, in: timeZone) else { return nil }
        let missed = try database.pool.read { db -> Bool in
            let worked = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM audit_ledger WHERE recorded_at >= ? AND recorded_at < ? AND action <> ?
                """, arguments: [range.start, range.end, Self.stockTakeMissedAction]) ?? 0
            let counted = try Int.fetchOne(db, sql: """
                SELECT COUNT(*) FROM audit_ledger WHERE recorded_at >= ? AND recorded_at < ? AND action = ?
                """, arguments: [range.start, range.end, AuditLedger.stockTakeAction]) ?? 0
            let reminded = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM audit_ledger WHERE action = ? AND subject = ?",
                                            arguments: [Self.stockTakeMissedAction, yesterday]) ?? 0
            return worked > 0 && counted == 0 && reminded == 0
        }
        guard missed else { return nil }
        try AuditLedger(database: database).append(clerk: "issue-station", action: Self.stockTakeMissedAction, subject: yesterday,
                                                   details: "昨日未盘点 no stock-take on \(yesterday)")
        return yesterday
    }
}

/// A place cards are counted in.
public enum StockPlace: Hashable, Sendable, Comparable {
    /// 卡盒 n of the printer.
    case hopper(Hopper)
    /// 保险柜: the cards in stock (在库) and returned (已退库).
    case safe
    /// Hoppers and safe together (`--counted N`).
    case all

    /// `hopper1`…`hopper9`, `safe`, `all`: the key in the count file and the ledger.
    public var key: String {
        switch self {
        case .hopper(let h): "hopper\(h.rawValue)"
        case .safe: "safe"
        case .all: "all"
        }
    }

    public init?(key: String) {
        switch key {
        case "safe": self = .safe
        case "all": self = .all
        default:
            guard key.hasPrefix("hopper"), key.count == 7, let n = Int(key.dropFirst(6)), let hopper = Hopper(rawValue: n) else { return nil }
            self = .hopper(hopper)
        }
    }

    public var chinese: String {
        switch self {
        case .hopper(let h): "卡盒\(h.rawValue)"
        case .safe: "保险柜"
        case .all: "合计"
        }
    }

    public var english: String {
        switch self {
        case .hopper(let h): "hopper \(h.rawValue)"
        case .safe: "safe"
        case .all: "all places"
        }
    }

    public static func < (a: StockPlace, b: StockPlace) -> Bool {
        func rank(_ p: StockPlace) -> Int {
            switch p {
            case .hopper(let h): Int(h.rawValue)
            case .safe: 100
            case .all: 200
            }
        }
        return rank(a) < rank(b)
    }
}

/// What the clerk counted, per place.
public struct PhysicalStockCount: Hashable, Sendable {
    public var places: [StockPlace: Int]

    public init(places: [StockPlace: Int] = [:]) { self.places = places }

    /// Most cards a place is believed to hold; a count above it is a typing slip.
    public static let maximumCount = 100_000

    /// Sets a place's count, range-checked.
    public mutating func set(_ place: StockPlace, _ count: Int) throws {
        guard (0...Self.maximumCount).contains(count) else { throw StockCountError.badCount(place: place.key, count: String(count)) }
        guard places[place] == nil else { throw StockCountError.countedTwice(place: place.key) }
        places[place] = count
    }

    /// A count file: one `place,count` a line (`hopper1,5`, `safe,120`, or `all,125`); blank lines
    /// and lines starting with `#` are skipped. Every bad line is reported with its number.
    public static func parse(file text: String) throws -> PhysicalStockCount {
        var count = PhysicalStockCount()
        var problems: [String] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{FEFF}")))
            if line.isEmpty || line.hasPrefix("#") { continue }
            let parts = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let place = StockPlace(key: parts[0]) else {
                problems.append("第\(index + 1)行 line \(index + 1): “\(line)” 应为 should be place,count (hopper1…hopper9, safe, all)")
                continue
            }
            guard let n = Int(parts[1]) else {
                problems.append("第\(index + 1)行 line \(index + 1): 数量“\(parts[1])”不是整数 count “\(parts[1])” is not a whole number")
                continue
            }
            do { try count.set(place, n) } catch let error as StockCountError {
                problems.append("第\(index + 1)行 line \(index + 1): \(error.chinese) \(error.english)")
            }
        }
        guard problems.isEmpty else { throw StockCountError.badFile(problems) }
        return count
    }
}

/// A count compared with the books.
public struct StockCountResult: Hashable, Sendable {
    public struct Line: Hashable, Sendable {
        public var place: StockPlace
        public var books: Int
        public var counted: Int
        /// Counted − books: negative when cards are missing.
        public var difference: Int { counted - books }
    }

    /// The stock-take recorded with the count.
    public var report: StockTakeReport
    public var lines: [Line]
    /// The `stock.count` entry of the 台账.
    public var ledgerSeq: Int64

    public var balanced: Bool { lines.allSatisfy { $0.difference == 0 } }

    public init(report: StockTakeReport, lines: [Line], ledgerSeq: Int64) {
        self.report = report; self.lines = lines; self.ledgerSeq = ledgerSeq
    }

    /// Each place counted beside the cards the books put there (`all`: every place on the books).
    public static func compare(_ count: PhysicalStockCount, books: [StockPlace: Int]) -> [Line] {
        var lines: [Line] = []
        for (place, counted) in count.places.sorted(by: { $0.key < $1.key }) {
            let onBooks: Int
            switch place {
            case .all: onBooks = books.values.reduce(0, +)
            default: onBooks = books[place] ?? 0
            }
            lines.append(.init(place: place, books: onBooks, counted: counted))
        }
        return lines
    }

    /// The details of the `stock.count` 台账 entry.
    public static func ledgerDetails(_ lines: [Line]) -> String {
        PreMadeCardInventory.json([
            "places": lines.map { ["place": $0.place.key, "books": $0.books, "counted": $0.counted, "difference": $0.difference] },
            "balanced": lines.allSatisfy { $0.difference == 0 },
        ])
    }
}

public enum StockCountError: Error, Hashable, Sendable {
    case nothingCounted
    case badCount(place: String, count: String)
    case countedTwice(place: String)
    case badFile([String])

    public var chinese: String {
        switch self {
        case .nothingCounted: "没有给出盘点数量"
        case let .badCount(place, count): "\(place) 的数量 \(count) 不在 0–\(PhysicalStockCount.maximumCount) 之内"
        case let .countedTwice(place): "\(place) 给了两次数量"
        case let .badFile(problems): "盘点文件有 \(problems.count) 处错误：" + problems.joined(separator: "；")
        }
    }

    public var english: String {
        switch self {
        case .nothingCounted: "no count was given"
        case let .badCount(place, count): "the count \(count) for \(place) is not within 0–\(PhysicalStockCount.maximumCount)"
        case let .countedTwice(place): "\(place) was counted twice"
        case let .badFile(problems): "the count file has \(problems.count) problem(s): " + problems.joined(separator: "; ")
        }
    }
}
