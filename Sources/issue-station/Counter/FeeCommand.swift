import ArgumentParser
import Foundation
import InstantIssue
import SSCardPrinter

/// `issue-station fee ID`: 工本费 — assesses what the application pays by the rules
/// (《广东省社会保障卡经办规程》第二十二条、第二十八条) and records it with the receipt number.
struct FeeCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "fee",
        abstract: "工本费：按规定确定是否收费并登记票据号。 The card fee: who pays, how much, and its receipt number, recorded.",
        discussion: """
            首次申领免收；补卡、换卡按 station.json 的 fees.amountFen 收取（默认20元）；质保期内卡片质量问题或非人为损坏换卡免收\
            （--old-card-issued YYYYMMDD --not-caused-by-holder）；本市规定的免收情形用 --exemption。收费须填 --receipt（非税收入票据号）。\
            不加 --receipt 且应收费时只显示应收金额。 A first card is free; 补卡 and 换卡 pay fees.amountFen (20 yuan); a 换卡 within the \
            warranty for a fault not caused by the holder is free; --exemption names a local ground. A fee charged needs --receipt; \
            without it only the amount due is shown.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var clerk: ClerkOption
    @Argument(help: ArgumentHelp("申请编号。 The application id.", valueName: "application-id"))
    var applicationID: String
    @Option(help: ArgumentHelp("《广东省非税收入（电子）票据》号码。 The fee receipt's number.", valueName: "number"))
    var receipt: String?
    @Option(name: .customLong("old-card-issued"), help: ArgumentHelp("换卡：原卡发卡日期。 换卡: the old card's issue date.", valueName: "YYYYMMDD"))
    var oldCardIssued: String?
    @Flag(name: .customLong("not-caused-by-holder"), help: "换卡：经检测属卡片质量问题或非人为损坏。 The fault is the card's, not the holder's doing.")
    var notCausedByHolder = false
    @Option(help: ArgumentHelp("本市规定的免收情形（须在 fees.localExemptions 中）。 A local ground for waiving the fee.", valueName: "ground"))
    var exemption: String?

    func execute(_ console: StationConsole) throws {
        let station = try StationSetup(global).openStation()
        defer { station.stock.close(); try? station.database.close() }
        let fees = Fees(station: station)
        let claim = oldCardIssued.map { Fees.WarrantyClaim(oldCardIssueDate: $0, notCausedByHolder: notCausedByHolder) }
        let charge = try fees.assess(applicationID: applicationID, warrantyClaim: claim, localExemption: exemption)
        if !charge.isWaived, receipt == nil {
            console.say(Localized("应收工本费 \(FeeCharge.yuan(charge.amountFen))元（\(charge.reason.chinese)）。收费后加 --receipt 票据号 再运行以登记。",
                                  "Fee due: \(FeeCharge.yuan(charge.amountFen)) yuan (\(charge.reason.rawValue)). Once paid, run again with --receipt NUMBER."))
            return
        }
        let recorded = try fees.record(charge, receiptNumber: charge.isWaived ? nil : receipt, clerk: clerk.resolved)
        console.say(Localized("已登记工本费：\(recorded.receiptText)。", "Fee recorded: \(recorded.receiptText)."))
    }
}

/// `issue-station report daily [--day YYYY-MM-DD]`: the day's report as PDF (printed or filed)
/// and CSV (filed beside, or at --csv).
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "报表。 Reports.", subcommands: [DailyReportCommand.self])
}

struct DailyReportCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "daily",
        abstract: "日报表：制卡成功、失败、补登、废卡、启用、工本费、库存变动、盘点差异（PDF 和 CSV）。 "
            + "The day's report: issued, failed, 补登, spoiled, activated, fees, stock moves, counted differences (PDF and CSV).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var clerk: ClerkOption
    @Option(help: ArgumentHelp("日期（北京时间），默认今天。 The day (China time); today by default.", valueName: "YYYY-MM-DD"))
    var day: String?
    @Option(help: ArgumentHelp("CSV 写到这里（默认与单据同目录）。 Where the CSV goes (default: the documents folder).", valueName: "path"))
    var csv: String?

    func execute(_ console: StationConsole) throws {
        let station = try StationSetup(global).openStation()
        defer { station.stock.close(); try? station.database.close() }
        var report = try DailyReport.make(station: station, day: day ?? DailyReport.day(of: station.database.clock()))
        report.clerk = clerk.resolved
        for row in report.rows { console.say(Localized("\(row.0)：\(row.2)", "\(row.1): \(row.2)")) }
        let documents = station.documents
        switch try documents.issue(report.document) {
        case .saved(let path): console.say(Localized("日报表（PDF）：\(path)", "Daily report (PDF): \(path)"))
        case .printed(let queue, let id): console.say(Localized("日报表已打印：\(queue) \(id)", "Daily report printed: \(queue) \(id)"))
        }
        let csvPath = csv ?? URL(fileURLWithPath: station.configuration.documents.folder)
            .appendingPathComponent("daily-report-\(report.day).csv").path
        try PrivateFile.write(Array(report.csv.utf8), to: csvPath)
        console.say(Localized("CSV：\(csvPath)", "CSV: \(csvPath)"))
    }
}

/// `issue-station documents purge`: deletes filed papers older than `documents.retentionDays`.
struct DocumentsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "documents", abstract: "单据（签收单、回执、报表）。 The counter's papers.", subcommands: [DocumentsListCommand.self, DocumentsPurgeCommand.self])
}

struct DocumentsPurgeCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "删除超过保存期限（documents.retentionDays，默认5年）的单据 PDF。 Deletes filed papers older than documents.retentionDays.")

    @OptionGroup var global: GlobalOptions

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        let removed = try setup.station.documentDesk(fontChain: []).purge()
        console.say(Localized("已删除 \(removed.count) 份过期单据。", "\(removed.count) expired papers deleted."))
    }
}

/// `issue-station acceptance-receipt ID`: 《广东省社会保障卡业务受理回执》 (附件2) for the applicant.
struct AcceptanceReceiptCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "acceptance-receipt",
        abstract: "出具《广东省社会保障卡业务受理回执》（附件2）。 Prints the acceptance receipt (附件2) for the applicant.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var clerk: ClerkOption
    @Argument(help: ArgumentHelp("申请编号。 The application id.", valueName: "application-id"))
    var applicationID: String
    @Option(help: ArgumentHelp("申请人姓名（含生僻字时填写真实汉字）。 The applicant's name, rare characters typed.", valueName: "name"))
    var name: String?
    @Option(help: ArgumentHelp("联系电话。 The applicant's phone number.", valueName: "number"))
    var phone: String = ""

    func execute(_ console: StationConsole) throws {
        let station = try StationSetup(global).openStation()
        defer { station.stock.close(); try? station.database.close() }
        let receipt = try AcceptanceReceipt.make(station: station, applicationID: applicationID, name: name, phone: phone, clerk: clerk.resolved)
        let delivered = try station.documents.issue(receipt.document)
        try station.ledger.append(clerk: clerk.resolved, action: AcceptanceReceipt.ledgerAction, subject: applicationID, details: "\(delivered)")
        switch delivered {
        case .saved(let path): console.say(Localized("受理回执（PDF）：\(path)", "Acceptance receipt (PDF): \(path)"))
        case .printed(let queue, let id): console.say(Localized("受理回执已打印：\(queue) \(id)", "Acceptance receipt printed: \(queue) \(id)"))
        }
    }
}
