import Foundation
import InstantIssue
import SSCardDriver
import SSCardPrinter

/// 设备: the morning check as the desk sees it — pcscd and the readers, the printer's status,
/// the fonts of the font chain, the ledger's chain and the stock's books — each ✓, ⚠ or ✗ with
/// what to do, like `issue-station doctor`, but on the devices and the database this station
/// process holds (the doctor command itself cannot open the database while the desk runs).
enum DevicesPage: DeskPage {
    static let navigation: DeskNavigation? = DeskNavigation(path: "/devices", title: Text("设备", "Devices"), order: 50)

    static func register(_ routes: DeskRoutes) {
        routes.page("/devices") { request in try await request.desk.books { _ in .html(render(request)) } }
    }

    struct Check {
        enum Outcome: String { case pass, warn, fail }
        var name: Text
        var outcome: Outcome
        var detail: Text
        var fix: Text?
    }

    /// The checks, in the order a technician fixes things, and the readers pcscd lists.
    static func checks(_ station: Station) -> (checks: [Check], readers: [String], printer: PrinterStatus?) {
        var out: [Check] = []
        let configuration = station.driver.configuration
        var readers: [String] = []
        let pcscd = Text("PC/SC 服务 pcscd", "PC/SC service pcscd")
        let readerName = Text("接触式读卡器", "Contact reader")
        do {
            let context = try PCSCContext()
            readers = (try? context.readers()) ?? []
            out.append(Check(name: pcscd, outcome: .pass, detail: Text("正在运行", "running")))
            if let found = readers.first(where: { configuration.contactReader.map($0.contains) ?? true }) {
                out.append(Check(name: readerName, outcome: .pass, detail: Text(verbatim: found)))
            } else {
                out.append(Check(name: readerName, outcome: .fail,
                                 detail: readers.isEmpty ? Text("没有任何读卡器", "no reader at all")
                                     : Text("没有名称含“\(configuration.contactReader ?? "")”的读卡器", "no reader named like “\(configuration.contactReader ?? "")”"),
                                 fix: Text("检查读卡器连接；或改正驱动配置的 contactReader", "check the reader's cable, or correct contactReader in the driver configuration")))
            }
        } catch {
            out.append(Check(name: pcscd, outcome: .fail, detail: Text("没有运行", "not running"),
                             fix: Text("启动 pcscd（有 systemd 时 systemctl start pcscd，见技术员手册 §2）", "start pcscd (systemctl start pcscd; technician's guide §2)")))
        }
        let printerName = Text("制卡机", "Card printer")
        var status: PrinterStatus?
        if let printer = station.driver.printer {
            do {
                let s = try printer.status()
                status = s
                let problems = printerProblems(s)
                out.append(problems.isEmpty
                    ? Check(name: printerName, outcome: .pass, detail: Text("应答正常", "answers"))
                    : Check(name: printerName, outcome: .fail, detail: Text("需要处理", "needs attention"),
                            fix: Text(problems.map(\.zh).joined(separator: "；"), problems.map(\.en).joined(separator: "; "))))
            } catch {
                out.append(Check(name: printerName, outcome: .fail, detail: Text(verbatim: "\(error)"),
                                 fix: Text("检查制卡机的电源和连接线", "check the printer's power and cable")))
            }
        } else {
            out.append(Check(name: printerName, outcome: .warn, detail: Text("没有配置制卡机", "no printer configured"),
                             fix: Text("请技术员在驱动配置中设置 printer", "ask the technician to set printer in the driver configuration")))
        }
        let fontName = Text("字体", "Fonts")
        let missing = configuration.fontChain.filter { !FileManager.default.isReadableFile(atPath: $0.path) }
        if !missing.isEmpty {
            let list = missing.map(\.path).joined(separator: ", ")
            out.append(Check(name: fontName, outcome: .fail, detail: Text("缺少字体文件 \(list)", "missing font files \(list)"),
                             fix: Text("安装字体（scripts/install-deps.sh），或改正驱动配置的 fontChain", "install them (scripts/install-deps.sh), or correct fontChain in the driver configuration")))
        } else {
            out.append(Check(name: fontName, outcome: .pass, detail: Text("字体链 \(configuration.fontChain.count) 个字体都在", "all \(configuration.fontChain.count) fonts of the chain are present")))
        }
        out.append(personalDataAccess(databasePath: station.configuration.databasePath,
                                      outputDirectory: station.configuration.outputDirectory))
        let ledgerName = Text("台账", "Ledger")
        do {
            let v = try station.ledger.verify()
            out.append(v.isIntact
                ? Check(name: ledgerName, outcome: .pass, detail: station.ledger.isShared
                    ? Text("网点共享台账 \(v.entryCount) 条记录，哈希链完好", "the outlet's shared ledger: \(v.entryCount) entries, the hash chain is intact")
                    : Text("\(v.entryCount) 条记录，带密钥的哈希链完好", "\(v.entryCount) entries, the keyed hash chain is intact"))
                : Check(name: ledgerName, outcome: .fail, detail: Text("发现 \(v.problems.count) 处改动", "\(v.problems.count) alterations found"),
                        fix: Text("在台账页核对，并立即报告负责人", "verify it on the ledger page, and report to your supervisor at once")))
        } catch {
            out.append(Check(name: ledgerName, outcome: .fail, detail: Text(verbatim: "\(error)"), fix: Text("请联系技术员", "call the technician")))
        }
        let booksName = Text("库存账目", "Stock books")
        do {
            let c = try station.stock.checkInvariants()
            out.append(c.holds
                ? Check(name: booksName, outcome: .pass, detail: Text("导入 \(c.imported) 张，账目相符", "\(c.imported) imported, the books add up"))
                : Check(name: booksName, outcome: .fail, detail: Text("账目不平（\(c.violations.count) 处）", "the books do not add up (\(c.violations.count) problems)"),
                        fix: Text("在库存页盘点，并清点实物", "take stock on the stock page, and count the cards")))
        } catch {
            out.append(Check(name: booksName, outcome: .fail, detail: Text(verbatim: "\(error)"), fix: Text("请联系技术员", "call the technician")))
        }
        return (out, readers, status)
    }

    /// What needs a hand at the printer (an empty hopper is the stock page's business).
    static func printerProblems(_ s: PrinterStatus) -> [Text] {
        var out: [Text] = []
        if s.coverOpen { out.append(Text("盖子开着，请关上", "the cover is open: close it")) }
        if s.rejectBoxFull { out.append(Text("废卡盒已满，请清空", "the reject box is full: empty it")) }
        if let r = s.ribbonPanelsRemaining, r < 5 { out.append(Text("色带将用完（剩 \(r) 面），请更换", "the ribbon is nearly used up (\(r) panels left): change it")) }
        if s.cardPosition != .none { out.append(Text("机内有卡（\(s.cardPosition)），请在制卡恢复页处理", "a card is inside (\(s.cardPosition)): see the recovery page")) }
        return out
    }

    static func render(_ request: DeskRequest) -> HTML {
        let lang = request.language
        let (checks, readers, status) = checks(request.desk.station)
        let rows: [HTML] = checks.map { c in
            let mark = c.outcome == .pass ? "✓" : c.outcome == .warn ? "⚠" : "✗"
            let fix: HTML = c.fix.map { "<div class=\"fix\">→ \($0, lang)</div>" } ?? .empty
            return "<li class=\"check \(c.outcome.rawValue)\" data-outcome=\"\(c.outcome.rawValue)\"><span aria-hidden=\"true\">\(mark)</span> <strong>\(c.name, lang)</strong>：\(c.detail, lang)\(c.outcome == .pass ? HTML.empty : fix)</li>"
        }
        let failed = checks.filter { $0.outcome == .fail }.count
        let summary = failed == 0
            ? Layout.notice("ok", "\(Text("全部 \(checks.count) 项检查通过，可以开始办卡。", "All \(checks.count) checks passed; the desk is ready."), lang)", id: "checks-summary")
            : Layout.notice("error", "\(Text("有 \(failed) 项检查没有通过，请按 → 后的提示处理。", "\(failed) checks failed; follow the lines after →."), lang)", id: "checks-summary")
        let readerItems: [HTML] = readers.map { "<li>\($0)</li>" }
        var printer: HTML = "<p>\(Text("没有制卡机状态。", "No printer status."), lang)</p>"
        if let s = status {
            let hoppers: [HTML] = s.hoppers.map { h in
                "<li>\(Text("卡盒\(h.number)", "Hopper \(h.number)"), lang)：\(h.hasCards ? Text("有卡", "cards") : Text("空", "empty"), lang)\(h.cardCount.map { "（\($0)）" } ?? "")</li>"
            }
            printer = """
                <table id="printer-status"><tbody>
                <tr><th scope="row">\(Text("盖子", "Cover"), lang)</th><td>\(s.coverOpen ? Text("开", "open") : Text("关", "closed"), lang)</td></tr>
                <tr><th scope="row">\(Text("色带剩余", "Ribbon left"), lang)</th><td>\(s.ribbonPanelsRemaining.map { "\($0)" } ?? "-")</td></tr>
                <tr><th scope="row">\(Text("机内卡片", "Card inside"), lang)</th><td>\(s.cardPosition.description)</td></tr>
                <tr><th scope="row">\(Text("废卡盒", "Reject box"), lang)</th><td>\(s.rejectBoxFull ? Text("已满", "full") : Text("未满", "not full"), lang)</td></tr>
                <tr><th scope="row">\(Text("卡盒", "Hoppers"), lang)</th><td><ul>\(hoppers)</ul></td></tr>
                </tbody></table>
                """
        }
        let content: HTML = """
            <link rel="stylesheet" href="/assets/stock.css">
            \(summary)
            <h2>\(Text("开机检查", "Morning check"), lang)</h2>
            <ul id="checks" class="checks">\(rows)</ul>
            <p><a class="button" href="/devices" id="check-again">\(Text("重新检查", "Check again"), lang)</a></p>
            <h2>\(Text("制卡机状态", "Printer status"), lang)</h2>
            \(printer)
            <h2>\(Text("读卡器", "Readers"), lang)</h2>
            <ul id="readers">\(readerItems)</ul>
            """
        return Layout.page(Text("设备", "Devices"), request, content)
    }
}
