import ArgumentParser
import Foundation
import InstantIssue
import SSCardDriver
import SSCardPrinter

/// `issue-station inventory order`: 《广东省社会保障卡预制卡申请表》 (《广东省社会保障卡经办规程》
/// 第三十六条二（一）, 附件5) per bank and card maker, from stock and use: a PDF form each (printed or
/// filed like the counter's papers) and one CSV.
struct InventoryOrderCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "order",
        abstract: "按银行和制卡商生成预制卡申请表（附件5），PDF 和 CSV。 Makes the pre-made card order forms (附件5) per bank and card maker, as PDF and CSV.",
        discussion: """
            数量 = 近 --days 天的用量（发放和作废）按 --cover-days 天折算，减去可用库存（在库、在卡盒、已退库），\
            按 --pack 张向上取整。不同银行、不同制卡商分开申请，每组一张表（第三十六条二（一））。 \
            Quantity = the use of the last --days days (issued and spoiled) scaled to --cover-days, less the usable \
            stock (safe, hoppers, returned), rounded up to --pack cards. One form per bank and card maker.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("统计用量的天数。 Days of use counted.", valueName: "n")) var days = 30
    @Option(help: ArgumentHelp("申请量应够用的天数。 Days the order should last.", valueName: "n")) var coverDays = 60
    @Option(help: ArgumentHelp("每包张数，数量按此取整。 Cards a pack; quantities are rounded up to it.", valueName: "n")) var pack = 100
    @Option(help: ArgumentHelp("申请单位。 The applying agency.", valueName: "name")) var applicant = "市人社局信息中心（市卡管机构）"
    @Option(help: ArgumentHelp("CSV 文件的保存路径。 Where to write the CSV.", valueName: "path")) var csv: String?

    func execute(_ console: StationConsole) throws {
        let station = try StationSetup(global).openStation()
        defer {
            station.stock.close()
            try? station.database.close()
        }
        let order = try station.stock.orderSheet(windowDays: days, coverDays: coverDays, packSize: pack)
        for line in order.lines {
            console.say(Localized("\(line.bank)\t\(line.cardMaker)\t可用 \(line.usable)\t近\(days)天用 \(line.used)\t申请 \(line.quantity)",
                                  "\(line.bank)\t\(line.cardMaker)\tusable \(line.usable)\tused in \(days) days \(line.used)\torder \(line.quantity)"))
        }
        if let csv {
            try PrivateFile.write([UInt8](order.csv), to: csv)
            console.say(Localized("CSV：\(csv)", "CSV: \(csv)"))
        }
        if order.orders.isEmpty {
            console.say(Localized("库存够用，无需申请。", "The stock lasts; nothing to order."))
            return
        }
        let now = station.database.clock()
        for (index, line) in order.orders.enumerated() {
            let delivered = try station.documents.issue(order.form(for: line, number: index + 1, applicant: applicant, date: now), now: now)
            console.say(Localized("申请表（\(line.bank)，\(line.cardMaker)）：\(delivered)", "Order form (\(line.bank), \(line.cardMaker)): \(delivered)"))
        }
    }
}

extension PreMadeCardOrderError: AdvisedError {
    var advice: ErrorAdvice {
        ErrorAdvice(Localized("--days、--cover-days 应在 1–366 之内，--pack 在 1–10000 之内", "--days and --cover-days must be within 1–366, --pack within 1–10000"),
                    next: Localized("更正参数后重试", "correct them and retry"))
    }
}
