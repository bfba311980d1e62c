import Foundation
import InstantIssue

/// 《广东省社会保障卡经办规程》第三十六条一（四） 每天盘点数量: the day's first command that opens the
/// station's books warns on stderr when the desk worked yesterday without a stock-take (the
/// reminder is recorded in the 台账, so the next commands stay quiet). On the outlet's
/// PostgreSQL books the desk's entries and stock-takes in the outlet's 台账 decide.
enum StockTakeReminder {
    /// The desk's own books.
    static func remind(_ database: StationDatabase, language: Language) {
        // A reminder must never stop the clerk's command: a ledger that cannot be written now
        // will say so itself in the command that needs it.
        say(try? PreMadeCardInventory(database: database).missedStockTakeYesterday(), language: language)
    }

    /// The books in force (`StationStock`): the outlet's shared books on PostgreSQL.
    static func remind(_ stock: any StationStock, language: Language) {
        say(try? stock.missedStockTakeYesterday(), language: language)
    }

    private static func say(_ missedDay: String?, language: Language) {
        guard let day = missedDay else { return }
        let text = Localized("提醒：昨天（\(day)）本桌面有业务但没有盘点记录（第三十六条一（四） 每天盘点数量）；请今天运行 issue-station inventory stocktake --counted N。",
                             "Reminder: the desk worked yesterday (\(day)) but took no stock (每天盘点, 第三十六条); run issue-station inventory stocktake --counted N today.")
        FileHandle.standardError.write(Data((text.text(language) + "\n").utf8))
    }
}
