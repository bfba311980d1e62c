import Foundation
import OutletStorage

/// The outlet's PostgreSQL books failing a command: one sentence in the clerk's language and
/// what to do, with the server's own words (SQLSTATE, the connection's reason) kept.
extension OutletStorageError: AdvisedError {
    var advice: ErrorAdvice {
        switch self {
        case let .unreachable(location, seconds, reason):
            ErrorAdvice(Localized("\(seconds) 秒内无法连接网点数据库 \(location)（\(reason)）",
                                  "The outlet's database \(location) could not be reached within \(seconds) s (\(reason))"),
                        next: Localized("重做是安全的（已记的账不会重记）：检查网络和网点数据库服务器后重试（docs/outlet.md“数据库连不上时”）；制卡中断的，恢复后运行 issue-station recover",
                                        "a retry is safe (nothing is booked twice): check the network and the outlet's database server, then retry (docs/outlet.md, when the database is unreachable); after an interrupted issuance run issue-station recover once it is back"))
        case let .schemaTooNew(database, known):
            ErrorAdvice(Localized("网点数据库的结构版本 \(database) 高于本程序所知的 \(known)", "The outlet database's schema is version \(database); this program knows up to \(known)"),
                        next: Localized("请技术员把本窗口的制卡站程序升级到与网点其他窗口相同的版本", "ask the technician to upgrade this desk's station to the version of the outlet's other desks"))
        case let .notOutletMember(role, outlet):
            ErrorAdvice(Localized("数据库角色 \(role) 不是网点 \(outlet) 的窗口", "Database role \(role) is not a desk of outlet \(outlet)"),
                        next: Localized("核对 station.json 的 storage.outlet 和 storage.url；新窗口由管理员用 issue-station storage add-outlet 登记",
                                        "check storage.outlet and storage.url in station.json; the administrator registers a new desk with issue-station storage add-outlet"))
        case let .server(state, message):
            ErrorAdvice(Localized("网点数据库报错 \(state)：\(message)", "The outlet's database failed with \(state): \(message)"),
                        next: Localized("把这条消息告诉技术员；账目没有改动", "tell the technician this message; the books were not changed"))
        default:
            // The configuration's own mistakes (url, sslmode, certificate): their text names the key in both languages.
            ErrorAdvice(Localized(verbatim: description),
                        next: Localized("按提示改正 station.json 的 storage 后重试（docs/outlet.md）", "correct storage in station.json as said, then retry (docs/outlet.md)"))
        }
    }
}
