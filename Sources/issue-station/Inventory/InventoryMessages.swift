import Foundation
import InstantIssue
import SSCardDriver

// MARK: inventory (help is bilingual: it is shown before --lang is parsed)

extension Messages {
    static let inventoryAbstract = "管理预制卡库存：入库、装卡、卸卡、盘点、作废。 Keeps the pre-made card stock: import, load, unload, count and spoil."
    static let inventoryDiscussion = """
        预制卡是重要空白证件：每张卡的出入库都要登记，每天盘点数量，不得丢失（《广东省社会保障卡经办规程》第三十六条（四））。\
        每个操作都记下经办人（--clerk）并写入台账。
        Pre-made cards are important blank documents: every card in and out is recorded, the \
        stock is counted every day, and none may be lost (《广东省社会保障卡经办规程》第三十六条（四）). Every \
        operation records the clerk (--clerk) and writes a ledger entry.
        """

    static let importAbstract = "导入发卡银行或卡商的回盘文件（YZKCG），把预制卡登记入库。 Imports a return file (YZKCG) from the bank or card maker into stock."
    static let importDiscussion = """
        文件名形如 YZKCG_银行_市卡管机构_批次_数量_卡商_开户行号_时间.txt。文件中只要有一处错误，整个文件都不导入，\
        库存不变，并说明第一处错误和下一步怎么做（--details 列出全部错误）。同一个文件不能导入两次。
        The file is named like YZKCG_bank_agency_batch_count_maker_branch_time.txt. If anything in \
        it is wrong, nothing is imported and the stock is unchanged; the first problem and what to \
        do next are printed (--details lists them all). The same file cannot be imported twice.
        """
    static let importFileHelp = "回盘文件的路径。 The path of the return file."
    static let importDetailsHelp = "文件被拒绝时列出每一处错误。 Lists every problem when the file is refused."

    static func returnFileProblem(_ p: YZKCGProblem) -> Localized {
        let whereZH = (p.line.map { "第\($0)行" } ?? "") + (p.field.map { " \($0.rawValue)" } ?? "")
        let whereEN = [p.line.map { "line \($0)" }, p.field.map(\.english)].compactMap { $0 }.joined(separator: ", ")
        return Localized("  " + (whereZH.isEmpty ? "" : whereZH + "：") + p.chinese,
                         "  " + (whereEN.isEmpty ? "" : whereEN + ": ") + p.english)
    }
    static func moreProblems(_ n: Int) -> Localized { Localized("  ……另有\(n)处", "  … and \(n) more") }
    static func imported(_ r: YZKCGImportReceipt) -> Localized {
        Localized("已导入 \(r.count) 张\(r.bank)预制卡（文件 \(r.fileName)，经办人 \(r.importedBy)）。",
                  "Imported \(r.count) \(r.bank) pre-made cards (file \(r.fileName), clerk \(r.importedBy)).")
    }
    static func importNext(bank: String) -> Localized {
        Localized("下一步：把卡放进保险柜；装卡时运行 issue-station inventory load --hopper N --bank \(bank) --count N。",
                  "Next: put the cards in the safe; when loading a hopper run issue-station inventory load --hopper N --bank \(bank) --count N.")
    }

    // MARK: list

    static let listAbstract = "列出账上的预制卡，可按状态和银行筛选。 Lists the pre-made cards on the books, by state and bank."
    static let listDiscussion = """
        状态：inStock 在库、inHopper 在卡盒、reserved 已预留、issued 已发放、spoiled 已作废、returned 已退库。\
        不显示银行卡号和账户。
        States: inStock, inHopper, reserved, issued, spoiled, returned (or their Chinese names). \
        Bank card numbers and accounts are never shown.
        """
    static let listStateHelp = "只列出这个状态的卡，例如 inStock 或 在库。 Only cards in this state, e.g. inStock or 在库."
    static let listBankHelp = "只列出这家银行的卡，写法与回盘文件名中的银行相同。 Only this bank's cards, spelled as in the return file's name."
    static let listLimitHelp = "最多列出多少张，0 为全部。 At most this many cards; 0 lists them all."
    static func listBadState(_ s: String) -> String {
        "“\(s)”不是卡的状态；可用 inStock、inHopper、reserved、issued、spoiled、returned。 “\(s)” is not a state; use inStock, inHopper, reserved, issued, spoiled or returned."
    }
    static let listBadLimit = "--limit 不能为负数。 --limit cannot be negative."
    static let listEmpty = Localized("没有符合条件的卡。", "No cards match.")
    /// `desks`: the outlet's shared books, where a desk column follows the hopper.
    static func listHeader(desks: Bool) -> Localized {
        desks ? Localized("社保卡号\t银行\t状态\t卡盒\t桌面\t装箱位置\t更新时间\t经办人",
                          "Card\tBank\tState\tHopper\tDesk\tPacking\tUpdated\tClerk")
              : Localized("社保卡号\t银行\t状态\t卡盒\t装箱位置\t更新时间\t经办人",
                          "Card\tBank\tState\tHopper\tPacking\tUpdated\tClerk")
    }
    static func listRow(_ c: PreMadeCard, desks: Bool, _ language: Language) -> String {
        let state = language == .zh ? c.state.kind.chinese : c.state.kind.rawValue
        var detail = ""
        switch c.state {
        case .reserved(let a), .issued(let a): detail = " \(a)"
        case .spoiled(let r): detail = " \(r)"
        default: break
        }
        let desk = desks ? [c.desk ?? "-"] : []
        return ([c.cardNumber.value, c.bank, state + detail, c.hopper.map { String($0.rawValue) } ?? "-"] + desk
                + [c.packingPosition.isEmpty ? "-" : c.packingPosition, localTime(c.updatedAt), c.updatedBy]).joined(separator: "\t")
    }
    static func listTruncated(_ n: Int) -> Localized {
        Localized("只列出了前 \(n) 张；用 --limit 0 列出全部，或用 --state、--bank 缩小范围。",
                  "Only the first \(n) cards are shown; --limit 0 shows all, --state and --bank narrow the list.")
    }
    static func listCount(_ n: Int) -> Localized { Localized("共 \(n) 张。", "\(n) cards.") }

    // MARK: load / unload

    static let loadAbstract = "登记把保险柜里的预制卡装入制卡机的卡盒，并列出要取的卡。 Records loading pre-made cards from the safe into a printer hopper and names the cards to take."
    static let loadDiscussion = """
        一个卡盒只放一家银行的卡（《广东省社会保障卡经办规程》附件9）；驱动配置的 hoppers 规定了每家银行用哪个卡盒，装错卡盒会被拒绝。\
        先用已退库的卡，再按导入顺序。请按列出的社保卡号从保险柜取卡。
        One hopper holds one bank's cards (《广东省社会保障卡经办规程》附件9); the driver configuration's hoppers \
        name each bank's hopper, and another hopper is refused. Returned cards go first, then in \
        import order. Take exactly the listed cards from the safe.
        """
    static let hopperHelp = "卡盒号，1 至 9。 The hopper number, 1 to 9."
    static let loadBankHelp = "银行名称，与回盘文件名中的写法相同。 The bank, spelled as in the return file's name."
    static let loadCountHelp = "装入多少张。 How many cards to load."
    static let hopperRange = "卡盒号应为 1 至 9。 The hopper must be 1 to 9."
    static let loadCountRange = "--count 至少为 1。 --count must be at least 1."
    static func loaded(count: Int, bank: String, hopper: Int) -> Localized {
        Localized("已登记 \(count) 张\(bank)预制卡装入卡盒\(hopper)。请从保险柜取出下列卡装入卡盒\(hopper)：",
                  "Recorded \(count) \(bank) pre-made cards loaded into hopper \(hopper). Take these cards from the safe and put them into hopper \(hopper):")
    }
    static func cardLine(_ c: PreMadeCard) -> String {
        "  \(c.cardNumber)" + (c.packingPosition.isEmpty ? "" : "\t\(c.packingPosition)")
    }
    static func bankNotMapped(bank: String, hopper: Int) -> Localized {
        Localized("注意：驱动配置的 hoppers 中没有\(bank)；请技术员加上 \"\(bank)\": \(hopper)，否则办卡时找不到这家银行的卡盒。",
                  "Note: the driver configuration's hoppers lacks \(bank); ask the technician to add \"\(bank)\": \(hopper), or issuing cannot find this bank's hopper.")
    }

    static let unloadAbstract = "登记把卡盒里的预制卡退回保险柜，并列出要取出的卡。 Records returning a hopper's pre-made cards to the safe and names them."
    static let unloadDiscussion = """
        卡盒里的卡状态变为“已退库”，下次装卡时优先使用。已为某次办卡预留的卡不会退库。
        The hopper's cards become "returned" and are loaded first next time. A card reserved \
        for an issuance in progress stays.
        """
    static func unloadedNothing(hopper: Int) -> Localized {
        Localized("卡盒\(hopper)在账上没有可退库的卡。", "Hopper \(hopper) holds no cards to return on the books.")
    }
    static func unloaded(count: Int, hopper: Int) -> Localized {
        Localized("已登记卡盒\(hopper)的 \(count) 张卡退库。请把下列卡从卡盒取出放回保险柜：",
                  "Recorded \(count) cards of hopper \(hopper) returned. Take these cards out of the hopper and put them in the safe:")
    }

    // MARK: spoil

    static let spoilAbstract = "把一张不能再发放的预制卡登记为作废，并写明原因。 Records a pre-made card that can no longer be issued as spoiled, with the reason."
    static let spoilDiscussion = """
        例如卡住、印坏、芯片损坏。已发放和已作废的卡不能作废。作废卡要按证件管理要求保管或销毁（《广东省社会保障卡经办规程》第三十六条（四））。
        For example jammed, misprinted, or a broken chip. An issued or already spoiled card \
        cannot be spoiled. Keep or destroy spoiled cards as the rules for blank documents require \
        (《广东省社会保障卡经办规程》第三十六条（四）).
        """
    static let spoilCardHelp = "社保卡号（9位）。 The card number (9 characters)."
    static let spoilReasonHelp = "作废原因，必须填写。 Why the card is spoiled; required."
    static func cardNumberForm(_ text: String) -> String {
        "社保卡号“\(text)”应为9位字母或数字。 The card number \"\(text)\" must be 9 letters or digits."
    }
    static func spoiled(_ n: CardNumber, reason: String) -> Localized {
        Localized("卡 \(n) 已登记作废（原因：\(reason)）。", "Card \(n) is recorded as spoiled (reason: \(reason)).")
    }

    // MARK: stocktake

    static let stocktakeAbstract = "每日盘点预制卡，记入台账，并核对账目是否相符。 Takes the daily count of pre-made cards, records it in the ledger and checks that the books add up."
    static let stocktakeDiscussion = """
        每天盘点数量（《广东省社会保障卡经办规程》第三十六条（四））：报表列出各状态、各银行的张数和每个卡盒中应有的卡，\
        请与保险柜和卡盒中的实物核对。最后一行是台账最新记录的序号和哈希，请抄在纸质盘点表上，\
        以后可用 issue-station ledger verify --anchor 核对台账没有被删改。账目不平时退出码为 2。
        Count the stock every day (《广东省社会保障卡经办规程》第三十六条（四）): the report gives the cards per state \
        and bank and the cards each hopper should hold; compare them with the safe and the \
        hoppers. The last line is the ledger's newest entry (number and hash): write it on the \
        paper stock-take form, and later issue-station ledger verify --anchor proves the ledger \
        was not cut. Exits with status 2 when the books do not add up.
        """
    static let stocktakeDryRunHelp = "只查看，不记入台账。 Only shows the count; records nothing."

    static func stockReport(_ r: StockTakeReport, _ language: Language) -> [String] {
        let kinds = PreMadeCardState.Kind.allCases
        let zh = language == .zh
        var lines = [(zh ? "预制卡盘点  " : "Pre-made card stock-take  ") + localTime(r.takenAt)
                     + (r.takenBy.map { zh ? "  经办人 \($0)" : "  clerk \($0)" } ?? (zh ? "  （仅查看，未记入台账）" : "  (view only, not recorded)"))]
        lines.append((zh ? "导入合计：" : "Imported in all: ") + String(r.imported))
        lines.append((zh ? "银行" : "Bank") + "\t" + kinds.map { zh ? $0.chinese : $0.rawValue }.joined(separator: "\t"))
        for bank in r.byBank.keys.sorted() {
            lines.append(bank + "\t" + kinds.map { String(r.byBank[bank]?[$0] ?? 0) }.joined(separator: "\t"))
        }
        lines.append((zh ? "合计" : "Total") + "\t" + kinds.map { String(r.totals[$0] ?? 0) }.joined(separator: "\t"))
        lines.append((zh ? "卡盒中应有的卡：" : "Cards the hoppers should hold: ") + String(r.hopperCards.count))
        for card in r.hopperCards {
            lines.append("  " + (zh ? "卡盒\(card.hopper.rawValue)" : "hopper \(card.hopper.rawValue)") + "\t\(card.bank)\t\(card.cardNumber)"
                         + (card.reservedFor.map { zh ? "\t已预留 \($0)" : "\treserved \($0)" } ?? ""))
        }
        if let head = r.ledgerHead {
            lines.append((zh ? "台账最新记录（请抄在盘点表上）：" : "Ledger head (write it on the paper form): ") + "\(head.seq):\(head.hash)")
        }
        return lines
    }
    /// What a stock-take on the outlet's shared books counts.
    static func sharedStockScope(_ scope: SharedStockScope) -> Localized {
        Localized("网点 \(scope.outlet) 共享库：盘点网点保险柜和本窗口（\(scope.desk)）的卡盒；其他窗口的卡盒由各窗口自行盘点，合计数为全网点。",
                  "Outlet \(scope.outlet) shared books: this counts the outlet's safe and this desk's (\(scope.desk)) hoppers; other desks count their own hoppers; the totals are the whole outlet's.")
    }
    static func booksAddUp(imported: Int) -> Localized {
        Localized("账目相符：导入 \(imported) 张 = 各状态合计。", "The books add up: \(imported) imported = the sum of the states.")
    }
    static func booksDoNotAddUp(_ n: Int) -> Localized {
        Localized("错误：账目不平，发现 \(n) 处问题：", "Error: the books do not add up; \(n) problems:")
    }
    static let booksDoNotAddUpNext = Localized(
        "下一步：停止办卡，清点保险柜和卡盒中的实物，运行 issue-station ledger verify，并立即报告负责人和技术员。",
        "Next: stop issuing, count the cards in the safe and the hoppers, run issue-station ledger verify, and report to your supervisor and the technician at once.")

    /// A stored UTC timestamp as local wall-clock time, `2024-05-01 14:03`.
    static func localTime(_ t: StationTimestamp) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = .current
        f.dateFormat = "yyyy-MM-dd HH:mm"
        return f.string(from: t.date)
    }
}
