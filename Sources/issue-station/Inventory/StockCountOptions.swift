import ArgumentParser
import Foundation
import InstantIssue

/// The physical count of `inventory stocktake` (《广东省社会保障卡经办规程》第三十六条一（四））:
/// a total, per hopper and safe, or a count file.
struct StockCountOptions: ParsableArguments {
    @Option(help: ArgumentHelp("实物合计张数（所有卡盒加保险柜）。 The cards counted in all (every hopper and the safe).", valueName: "n"))
    var counted: Int?

    @Option(name: .customLong("hopper"), help: ArgumentHelp(
        "某个卡盒的实物张数，如 1=5；可重复。 The cards counted in one hopper, e.g. 1=5; may be repeated.", valueName: "n=count"))
    var hoppers: [String] = []

    @Option(help: ArgumentHelp("保险柜的实物张数（在库和已退库的卡）。 The cards counted in the safe (in stock and returned).", valueName: "n"))
    var safe: Int?

    @Option(help: ArgumentHelp(
        "盘点文件：每行“位置,张数”，位置为 hopper1…hopper9、safe 或 all。 A count file: one place,count a line (hopper1…hopper9, safe or all).",
        valueName: "path"))
    var countFile: String?

    /// Nil when nothing was counted (a stock-take without a count, as before).
    func physicalCount() throws -> PhysicalStockCount? {
        var count = PhysicalStockCount()
        if let countFile {
            let text: String
            do { text = try String(contentsOfFile: countFile, encoding: .utf8) } catch {
                throw StockCountCommandError.unreadableFile(countFile)
            }
            count = try PhysicalStockCount.parse(file: text)
        }
        if let counted { try count.set(.all, counted) }
        if let safe { try count.set(.safe, safe) }
        for text in hoppers {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, let n = Int(parts[0]), let hopper = Hopper(rawValue: n), let cards = Int(parts[1]) else {
                throw StockCountCommandError.badHopper(text)
            }
            try count.set(.hopper(hopper), cards)
        }
        return count.places.isEmpty ? nil : count
    }
}

enum StockCountMessages {
    static func lines(_ result: StockCountResult) -> [Localized] {
        [Localized("实物盘点（台账第 \(result.ledgerSeq) 条）：", "Physical count (ledger entry \(result.ledgerSeq)):")]
            + result.lines.map { line in
                let sign = line.difference > 0 ? "+" : ""
                return Localized("  \(line.place.chinese)\t账上 \(line.books)\t实点 \(line.counted)\t差额 \(sign)\(line.difference)",
                                 "  \(line.place.english)\tbooks \(line.books)\tcounted \(line.counted)\tdifference \(sign)\(line.difference)")
            }
    }

    static func difference(_ result: StockCountResult, clerk: String) -> Localized {
        Localized("账实不符：差额已记入台账（经办人 \(clerk)）。请复点；仍不符时按重要空白证件管理规定上报（第三十六条一（四））。",
                  "The count does not match the books: the difference is recorded in the ledger (clerk \(clerk)). Count again; if it still differs, report it under the rules for important blank documents.")
    }
}

enum StockCountCommandError: AdvisedError {
    case dryRunWithCount
    case unreadableFile(String)
    case badHopper(String)

    var advice: ErrorAdvice {
        switch self {
        case .dryRunWithCount:
            ErrorAdvice(Localized("--dry-run 不记入台账，不能同时给出实物数量", "--dry-run records nothing, so it takes no count"),
                        next: Localized("去掉 --dry-run 后重试", "run it again without --dry-run"))
        case let .unreadableFile(path):
            ErrorAdvice(Localized("无法读取盘点文件 \(path)", "Cannot read the count file \(path)"),
                        next: Localized("检查文件路径和权限（UTF-8 文本）", "check the path and that it is readable UTF-8 text"))
        case let .badHopper(text):
            ErrorAdvice(Localized("--hopper “\(text)” 应为“卡盒号=张数”，卡盒号 1–9", "--hopper “\(text)” should be hopper=count with a hopper 1–9"),
                        next: Localized("例如 --hopper 1=5 --hopper 2=4", "for example --hopper 1=5 --hopper 2=4"))
        }
    }
}

extension StockCountError: AdvisedError {
    var advice: ErrorAdvice {
        ErrorAdvice(Localized(chinese, english.capitalisedFirst),
                    next: Localized("更正数量或盘点文件后重试", "correct the count or the count file and retry"))
    }
}
