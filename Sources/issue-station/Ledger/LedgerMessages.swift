import Foundation
import InstantIssue

// MARK: ledger

extension Messages {
    static let ledgerAbstract = "台账：按天导出 CSV，核对台账有没有被改动。 The ledger (台账): export a day as CSV, check that nothing was altered."
    static let ledgerDiscussion = """
        台账记录每一次入库、装卡、卸卡、作废、盘点和办卡，只能追加，每条带哈希并与前一条相连。\
        台账至少保存5年，并与省卡管系统的记录一致（《广东省社会保障卡经办规程》第十二条（三））；备份和归档由技术员负责。
        The ledger records every import, load, unload, spoil, stock-take and issuance. It is \
        append-only and each entry carries a hash chained to the one before. Keep it at least 5 \
        years, matching the card-management system (《广东省社会保障卡经办规程》第十二条（三）); the technician keeps \
        the backups.
        """

    static let exportAbstract = "把某一天的台账导出为 CSV 文件。 Exports one day of the ledger as a CSV file."
    static let exportDiscussion = """
        按本机时区取这一天的记录。文件为 UTF-8（带 BOM），可用 Excel 或 WPS 直接打开；以 = + - @ 开头的内容前加 '，\
        防止被当作公式。不给 --out 时输出到屏幕。
        The day is taken in this computer's time zone. The file is UTF-8 with a BOM, so Excel and \
        WPS open it directly; a cell starting with = + - @ gets a leading ' so it is not run as a \
        formula. Without --out the CSV goes to standard output.
        """
    static let exportDayHelp = "要导出的日期，例如 2024-05-01；不给时为今天。 The day to export, e.g. 2024-05-01; today when not given."
    static let exportOutHelp = "写入的 CSV 文件。 The CSV file to write."
    static func exported(day: String, path: String) -> Localized {
        Localized("已把 \(day) 的台账导出到 \(path)。", "Exported the ledger of \(day) to \(path).")
    }

    static let verifyAbstract = "逐条核对台账的哈希链，发现被修改、调换或删除的记录。 Checks the ledger's hash chain and finds entries that were edited, moved or removed."
    static let verifyDiscussion = """
        台账完好时退出码为 0，有问题时为 2。删掉最后几条记录后哈希链仍然完整，只有与事先留存的记录\
        （盘点报表最后一行的“序号:哈希”）比较才能发现：用 --anchor 给出。
        Exits with 0 when the ledger is intact and 2 when it is not. Entries cut off the end leave \
        an intact chain; only a head written down earlier (the last line of the stock-take \
        report, "seq:hash") reveals that: give it with --anchor.
        """
    static let verifyAnchorHelp = "事先抄下的台账记录“序号:哈希”，例如盘点报表最后一行。 A ledger head written down earlier, \"seq:hash\", e.g. the stock-take report's last line."
    static let verifyBadAnchor = "--anchor 应为“序号:64位十六进制哈希”。 --anchor must be \"seq:hash\" with a 64-hex-digit hash."
    static func ledgerIntact(count: Int, head: AuditLedgerAnchor?, anchored: Bool) -> Localized {
        let h = head.map { "\($0.seq):\($0.hash)" } ?? "-"
        return Localized("台账完好：共 \(count) 条记录\(anchored ? "，与留存记录一致" : "")。最新记录 \(h)",
                         "The ledger is intact: \(count) entries\(anchored ? ", matching the anchor" : ""). Newest entry \(h)")
    }
    static func ledgerTampered(_ n: Int) -> Localized {
        Localized("错误：台账被改动过，发现 \(n) 处问题：", "Error: the ledger was altered; \(n) problems:")
    }
    static let ledgerTamperedNext = Localized(
        "下一步：停止办卡，不要再改动数据库，立即报告负责人和技术员（用备份核对）。",
        "Next: stop issuing, do not touch the database, and report to your supervisor and the technician at once (compare with the backups).")
}
