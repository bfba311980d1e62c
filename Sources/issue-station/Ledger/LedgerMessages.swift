import Foundation
import InstantIssue

// MARK: ledger

extension Messages {
    static let ledgerAbstract = "台账：按天导出 CSV，核对台账有没有被改动。 The ledger (台账): export a day as CSV, check that nothing was altered."
    static let ledgerDiscussion = """
        台账记录每一次入库、装卡、卸卡、作废、盘点和办卡，只能追加，每条带用台账密钥计算的哈希并与前一条相连。\
        台账至少保存5年，并与省卡管系统的记录一致（《广东省社会保障卡经办规程》第十二条（三））；备份和归档由技术员负责。
        The ledger records every import, load, unload, spoil, stock-take and issuance. It is \
        append-only and each entry carries a hash, made with the ledger key, chained to the one \
        before. Keep it at least 5 \
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

    static let verifyAbstract = "逐条核对台账带密钥的哈希链，并与卡管系统的校验点比对，发现伪造、修改、调换或删除的记录。 Checks the ledger's keyed hash chain and the card-management system's checkpoints; finds entries that were forged, edited, moved or removed."
    static let verifyDiscussion = """
        每条记录的哈希用台账密钥（站点配置 ledgerKeyPath，默认为配置文件旁的 ledger.key）计算；密钥文件不在时无法核对，\
        命令报错。本机核对后，把最新记录作为校验点上报卡管系统，并与卡管系统留存的全部校验点比对：删掉最后几条或把\
        数据库换成旧副本，本机哈希链仍然完整，但与校验点不符。台账完好时退出码为 0，有问题时为 2。也可以用 --anchor \
        给出事先抄下的“序号:哈希”（盘点报表最后一行）。
        Each entry's hash is made with the ledger key (station configuration ledgerKeyPath, by \
        default ledger.key beside the configuration file); without the key file nothing can be \
        checked and the command fails. After the local check the newest entry is sent to the \
        card-management system as a checkpoint and the ledger is compared with every checkpoint \
        the system holds: entries cut off the end or a database replaced by an older copy leave \
        an intact chain but disagree with a checkpoint. Exits with 0 when the ledger is intact \
        and 2 when it is not. --anchor also compares with a head written down earlier \
        ("seq:hash", the last line of the stock-take report).
        """
    static let verifyAnchorHelp = "事先抄下的台账记录“序号:哈希”，例如盘点报表最后一行。 A ledger head written down earlier, \"seq:hash\", e.g. the stock-take report's last line."
    static let verifyBadAnchor = "--anchor 应为“序号:64位十六进制哈希”。 --anchor must be \"seq:hash\" with a 64-hex-digit hash."
    static func ledgerIntact(count: Int, head: AuditLedgerAnchor?, anchored: Bool) -> Localized {
        let h = head.map { "\($0.seq):\($0.hash)" } ?? "-"
        return Localized("台账完好：共 \(count) 条记录\(anchored ? "，与留存记录一致" : "")。最新记录 \(h)",
                         "The ledger is intact: \(count) entries\(anchored ? ", matching the anchor" : ""). Newest entry \(h)")
    }
    static func ledgerTampered(_ n: Int, first: Int64?) -> Localized {
        let at = first.map { ("，最早一处在第 \($0) 条", ", the first at entry #\($0)") } ?? ("", "")
        return Localized("错误：台账被改动过，发现 \(n) 处问题\(at.0)：", "Error: the ledger was altered; \(n) problems\(at.1):")
    }
    /// `ledger verify` on the outlet's PostgreSQL books.
    static let ledgerSharedChain = Localized(
        "核对网点共享库（PostgreSQL）中本网点各窗口共用的一条台账链。",
        "Checking the outlet's one ledger chain, shared by its desks, in the outlet's database (PostgreSQL).")
    static let ledgerCheckpointsDeskOnly = Localized(
        "与卡管系统校验点的比对只对单机 SQLite 台账进行，网点共享台账不做此项（共享台账由数据库只追加触发器和各窗口只写权限保护，见 docs/outlet.md）。",
        "The comparison with the card-management system's checkpoints is done for a desk's own SQLite ledger only, not for the outlet's shared chain (which the database's append-only trigger and the desks' insert-only grants protect; docs/outlet.md).")

    static func ledgerCheckpoints(_ comparison: LedgerCheckpointComparison?) -> Localized {
        switch comparison {
        case let .compared(held, sent)?:
            let sentZH = sent.map { "，已上报第 \($0.seq) 条为新校验点" } ?? ""
            let sentEN = sent.map { "; entry #\($0.seq) sent as a new checkpoint" } ?? ""
            return Localized("与卡管系统留存的 \(held) 个校验点一致\(sentZH)。",
                             "Agrees with the \(held) checkpoint\(held == 1 ? "" : "s") the card-management system holds\(sentEN).")
        case let .unavailable(error)?:
            return Localized("警告：未能与卡管系统核对校验点（\(error.chinese)），只核对了本机台账；网络恢复后再运行一次。",
                             "Warning: the checkpoints could not be compared with the card-management system (\(error.english)); only the local chain was checked. Run again when the system is reachable.")
        case nil:
            return Localized("未与卡管系统核对校验点。", "The checkpoints were not compared.")
        }
    }
    static let ledgerTamperedNext = Localized(
        "下一步：停止办卡，不要再改动数据库，立即报告负责人和技术员（用备份核对）。",
        "Next: stop issuing, do not touch the database, and report to your supervisor and the technician at once (compare with the backups).")
}
