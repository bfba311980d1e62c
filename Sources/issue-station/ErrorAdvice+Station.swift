import CardManagement
import Foundation
import InstantIssue

/// The station library's errors (InstantIssue): stock, return files, ledger, database lock,
/// configuration and the card-management system. Each names what to do next; where a rule
/// comes from an article of 《广东省社会保障卡经办规程》, the article is named in
/// docs/operator-guide.*.md.
extension ErrorAdvice {
    static func stationAdvice(_ error: any Error) -> ErrorAdvice? {
        switch error {
        case let e as InventoryError: inventory(e)
        case let e as YZKCGImportError: returnFile(e)
        case let e as YZKCGProblem: returnFile(YZKCGImportError(fileName: "", problems: [e]))
        case let e as AuditLedgerError: ledger(e)
        case let e as StationDatabaseError: database(e)
        case let e as CardManagementError: cardManagement(e)
        default: issuanceAdvice(error)
        }
    }

    static let listStock = Localized("用 issue-station inventory list 查看库存", "see the stock with issue-station inventory list")

    static func inventory(_ e: InventoryError) -> ErrorAdvice {
        switch e {
        case .clerkRequired:
            return ErrorAdvice(Localized("没有填写经办人", "No clerk (经办人) was given"),
                               next: Localized("用 --clerk 写上经办人姓名，或设置环境变量 SSCARD_CLERK", "give the clerk's name with --clerk, or set SSCARD_CLERK"))
        case .unknownCard(let n):
            return ErrorAdvice(Localized("库存中没有社保卡号 \(n)", "Card \(n) is not on the books"),
                               next: Localized("核对社保卡号；\(listStock.zh)", "check the card number; \(listStock.en)"))
        case let .notAllowed(n, state, action):
            return ErrorAdvice(Localized("卡 \(n) 当前为“\(state.kind.chinese)”，不能\(action.chinese)", "Card \(n) is \(state.kind.english), so it cannot be \(action.englishPast)"),
                               next: Localized("核对社保卡号；\(listStock.zh)", "check the card number; \(listStock.en)"))
        case let .reservedForAnotherApplication(n, a):
            return ErrorAdvice(Localized("卡 \(n) 已为申请 \(a) 预留", "Card \(n) is reserved for application \(a)"),
                               next: Localized("先完成或取消申请 \(a)；不清楚时运行 issue-station recover", "finish or cancel application \(a) first; if unsure, run issue-station recover"))
        case let .hopperHoldsOtherBank(h, bank, refused):
            return ErrorAdvice(Localized("卡盒\(h.rawValue)已装有\(bank)的卡，不能再装\(refused)的卡（一个卡盒只放一家银行的卡）", "Hopper \(h.rawValue) holds \(bank) cards and cannot take \(refused) cards (one bank per hopper)"),
                               next: Localized("换一个卡盒，或先运行 issue-station inventory unload --hopper \(h.rawValue) 把卡退回保险柜", "use another hopper, or first return its cards with issue-station inventory unload --hopper \(h.rawValue)"))
        case let .notEnoughStock(bank, wanted, available):
            return ErrorAdvice(Localized("\(bank)的预制卡在库只有\(available)张，不够\(wanted)张", "Only \(available) \(bank) pre-made cards are in stock, \(wanted) were asked for"),
                               next: Localized("减少 --count，或先导入新的回盘文件（issue-station inventory import）", "ask for fewer with --count, or import a new return file first (issue-station inventory import)"))
        case .noCardInHopper(let bank):
            return ErrorAdvice(Localized("卡盒里没有\(bank)的预制卡", "No hopper holds \(bank) pre-made cards"),
                               next: Localized("向卡盒装入预制卡，然后运行 issue-station inventory load", "put pre-made cards into a hopper, then run issue-station inventory load"))
        case let .alreadyReserved(a, n):
            return ErrorAdvice(Localized("申请 \(a) 已预留了卡 \(n)", "Application \(a) already has card \(n) reserved"),
                               next: Localized("运行 issue-station recover 处理这笔未完成的制卡", "run issue-station recover to finish that issuance"))
        case let .alreadyIssued(a, n):
            return ErrorAdvice(Localized("申请 \(a) 已经发放了卡 \(n)", "Application \(a) already had card \(n) issued"),
                               next: Localized("不要重复制卡；在卡管系统中核对该申请", "do not make the card again; check the application in the card-management system"))
        case .noReservation(let a):
            return ErrorAdvice(Localized("申请 \(a) 没有预留的卡", "Application \(a) has no reserved card"),
                               next: Localized("运行 issue-station recover 查看未完成的制卡", "run issue-station recover to see unfinished issuances"))
        case let .fedCardNotInHopper(n, state, _):
            return ErrorAdvice(Localized("制卡机送出的卡 \(n) 在账上为“\(state.kind.chinese)”，不在卡盒中", "The printer fed card \(n), which the books show as \(state.kind.english), not in a hopper"),
                               next: Localized("停止制卡，运行 issue-station inventory stocktake 盘点卡盒里的卡，然后请技术员核对", "stop issuing, run issue-station inventory stocktake to count the hoppers, and call the technician"))
        case .reasonRequired(let n):
            return ErrorAdvice(Localized("作废卡 \(n) 必须写明原因", "Spoiling card \(n) needs a reason"),
                               next: Localized("用 --reason 写明原因，例如 --reason 打印卡住", "give the reason with --reason, e.g. --reason \"jammed at print\""))
        case let .corruptRow(n, column):
            return ErrorAdvice(Localized("数据库中卡 \(n) 的 \(column) 数据损坏", "The stored \(column) of card \(n) is corrupt"),
                               next: Localized("停止办卡，运行 issue-station ledger verify 和 inventory stocktake，并联系技术员", "stop issuing, run issue-station ledger verify and inventory stocktake, and call the technician"))
        }
    }

    /// A refused return file: the first problem in one sentence, and how many there are.
    static func returnFile(_ e: YZKCGImportError) -> ErrorAdvice {
        let name = e.fileName.isEmpty ? "" : " \(e.fileName)"
        let nameZH = e.fileName.isEmpty ? "" : " \(e.fileName) "
        guard let first = e.problems.first else {
            return ErrorAdvice(Localized("回盘文件\(nameZH)未导入", "The return file\(name) was not imported"), next: callTechnician)
        }
        let whereZH = (first.line.map { "第\($0)行" } ?? "") + (first.field.map { "“\($0.rawValue)”" } ?? "")
        let whereEN = [first.line.map { "line \($0)" }, first.field.map(\.english)].compactMap { $0 }.joined(separator: ", ")
        let more = e.total > 1
            ? Localized("（共\(e.total)处错误，加 --details 可全部列出）", " (\(e.total) problems in all; --details lists them)")
            : Localized("", "")
        let problem = Localized("回盘文件\(nameZH)未导入：\(whereZH.isEmpty ? "" : whereZH + "：")\(first.chinese)\(more.zh)",
                                "The return file\(name) was not imported: \(whereEN.isEmpty ? "" : whereEN + ": ")\(first.english)\(more.en)")
        let next: Localized
        switch first.kind {
        case .unreadable:
            next = Localized("检查文件路径是否正确、文件是否可读", "check the file's path and that it can be read")
        case .alreadyImported:
            next = Localized("这个文件已经导入过，不用再导入；\(listStock.zh)", "this file was imported before, nothing to do; \(listStock.en)")
        case .duplicateInStock:
            next = Localized("文件中的卡已在库存中：核对是否重复领取，并联系发卡银行", "cards in the file are already on the books: check for a duplicate delivery and contact the issuing bank")
        default:
            next = Localized("整个文件都没有导入，库存没有变化；请发卡银行或卡商更正回盘文件后重新导入", "nothing was imported and the stock is unchanged; ask the bank or card maker for a corrected return file and import it again")
        }
        return ErrorAdvice(problem, next: next)
    }

    static func ledger(_ e: AuditLedgerError) -> ErrorAdvice {
        switch e {
        case .badDay(let day):
            ErrorAdvice(Localized("日期“\(day)”的格式不对", "The day “\(day)” is not a date"),
                        next: Localized("日期写成 YYYY-MM-DD，例如 2024-05-01", "write the day as YYYY-MM-DD, e.g. 2024-05-01"))
        case .clerkRequired:
            ErrorAdvice(Localized("台账必须记录经办人", "A ledger entry needs the clerk (经办人)"),
                        next: Localized("用 --clerk 写上经办人姓名，或设置环境变量 SSCARD_CLERK", "give the clerk's name with --clerk, or set SSCARD_CLERK"))
        case .keyMissing(let path):
            ErrorAdvice(Localized("台账密钥文件 \(path) 不见了，台账既不能记录也不能校验", "The ledger key file \(path) is missing: the ledger can be neither written nor verified"),
                        next: Localized("停止办卡，请技术员从备份恢复该文件（权限 0600）；不要新建密钥，否则所有记录都会显示为伪造，并报告负责人",
                                        "stop issuing and have the technician restore the file from the backup (mode 0600); do not make a new key, every entry would then look forged; report to your supervisor"))
        case let .keyUnreadable(path, reason):
            ErrorAdvice(Localized("无法读取台账密钥文件 \(path)（\(reason)）", "Cannot read the ledger key file \(path) (\(reason))"),
                        next: Localized("请技术员检查该文件的属主和权限：应属于运行制卡站的用户，权限 0600", "have the technician check its owner and mode: the station's user, mode 0600"))
        case .keyInvalid(let path):
            ErrorAdvice(Localized("台账密钥文件 \(path) 内容不对", "The ledger key file \(path) is damaged"),
                        next: Localized("请技术员从备份恢复该文件", "have the technician restore it from the backup"))
        case let .keyExposed(path, mode):
            ErrorAdvice(Localized("台账密钥文件 \(path) 其他用户也能读（权限 \(String(mode, radix: 8))）", "The ledger key file \(path) can be read by other users (mode \(String(mode, radix: 8)))"),
                        next: Localized("请技术员执行 chmod 600 \(path)，并检查密钥是否已泄露", "have the technician run chmod 600 \(path) and consider whether the key leaked"))
        case let .keyNotCreated(path, reason):
            ErrorAdvice(Localized("无法创建台账密钥文件 \(path)（\(reason)）", "Cannot create the ledger key file \(path) (\(reason))"),
                        next: Localized("请技术员让该目录可写，或在站点配置中用 ledgerKeyPath 指定别的位置", "have the technician make its folder writable, or choose another place with ledgerKeyPath in the station configuration"))
        }
    }

    static func database(_ e: StationDatabaseError) -> ErrorAdvice {
        switch e {
        case let .inUse(db, _, pid):
            let holder = pid.map { "（pid \($0)）" } ?? ""
            let holderEN = pid.map { " (pid \($0))" } ?? ""
            return ErrorAdvice(Localized("制卡站数据库 \(db) 正被另一个制卡站程序\(holder)使用", "The station database \(db) is in use by another station program\(holderEN)"),
                               next: Localized("先关闭另一个 issue-station 窗口（或请技术员结束该进程），然后重试；制卡台（issue-station serve）运行时请在网页上办理", "close the other issue-station window (or ask the technician to end that process), then try again; while the desk (issue-station serve) runs, do the work in its pages"))
        case let .cannotLock(lock, code):
            let reason = String(cString: strerror(code))
            return ErrorAdvice(Localized("无法打开制卡站锁文件 \(lock)（\(reason)）", "Cannot open the station lock file \(lock) (\(reason))"),
                               next: Localized("检查配置中 databasePath 所在目录存在且可写，然后运行 issue-station doctor", "check that the folder of databasePath exists and is writable, then run issue-station doctor"))
        }
    }

    static func cardManagement(_ e: CardManagementError) -> ErrorAdvice {
        let problem = Localized(e.chinese, e.english.capitalisedFirst)
        let next: Localized
        switch e {
        case .unreachable:
            next = Localized("检查网络后重试；已打印的卡用 issue-station recover 补登", "check the network and retry; complete cards already printed with issue-station recover")
        case .outcomeUnknown:
            next = Localized("不要重新制卡：运行 issue-station recover 查询结果并补登", "do not make the card again: run issue-station recover to find the outcome and complete it")
        case .serverError:
            next = Localized("稍后重试；已打印的卡用 issue-station recover 补登", "retry later; complete cards already printed with issue-station recover")
        case .refused(let code, _) where ProvinceRequestSigning.refusalCodes.contains(code):
            next = Localized("请技术员核对 cardManagement.credentialFile 是卡管系统为本桌面登记的现行凭据、制卡站时钟准确，然后重试",
                             "have a technician check that cardManagement.credentialFile holds the desk's current credential as the province registered it and that the desk's clock is right, then retry")
        case .refused:
            next = Localized("按卡管系统的提示更正后重试", "correct what the card-management system names and retry")
        case .wrongState:
            next = Localized("在卡管系统中查看该申请的状态；制卡未完成时运行 issue-station recover", "check the application in the card-management system; run issue-station recover for an unfinished issuance")
        case .unknownApplication:
            next = Localized("核对申请号后重试", "check the application number and retry")
        }
        return ErrorAdvice(problem, next: next)
    }
}

extension PreMadeCardState.Kind {
    var english: String {
        switch self {
        case .inStock: "in stock"
        case .inHopper: "in a hopper"
        case .reserved: "reserved"
        case .issued: "issued"
        case .spoiled: "spoiled"
        case .returned: "returned to the safe"
        }
    }
}

extension InventoryError.Action {
    var chinese: String {
        switch self {
        case .load: "装入卡盒"
        case .issue: "发放"
        case .spoil: "作废"
        case .returnToStock: "退库"
        }
    }
    var englishPast: String {
        switch self {
        case .load: "loaded into a hopper"
        case .issue: "issued"
        case .spoil: "spoiled"
        case .returnToStock: "returned to stock"
        }
    }
}
