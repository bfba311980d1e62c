import ArgumentParser
import CounterDocuments
import Foundation
import InstantIssue
import OutletStorage

/// `issue-station documents list [--kind KIND]`: the counter's papers kept. On the desk's own
/// books the PDFs filed in its documents folder; on the outlet's PostgreSQL books every paper
/// issued at any desk of the outlet (`outlet_document`), with the desk that issued it — never
/// another outlet's (row-level security).
struct DocumentsListCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "列出保存的单据（网点共享库：本网点各窗口出具的单据）。 Lists the papers kept (on the outlet's shared books: every desk's of the outlet).")

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("只列这一种（如 handover-receipt、acceptance-receipt、daily-report）。 Only this kind.", valueName: "kind"))
    var kind: String?

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        var chosen: DocumentKind?
        if let kind {
            guard let k = DocumentKind(rawValue: kind) else {
                throw ValidationError("--kind：小写字母、数字和 -（1至32个） lower-case letters, digits and -, 1–32")
            }
            chosen = k
        }
        guard let stock = try StationBooks.stationStock(setup.station) else {
            let folder = setup.station.documents.folder
            let prefix = chosen.map { $0.rawValue + "-" } ?? ""
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { name in
                name.hasSuffix(".pdf") && name.hasPrefix(prefix)
            }.sorted().reversed()
            for name in names { console.say(Localized(verbatim: name)) }
            console.say(Localized("共 \(names.count) 份（\(folder)）。", "\(names.count) papers (\(folder))."))
            return
        }
        defer { stock.close() }
        let kept = try StationBooks.sharedCounterBooks(stock).documents.list(kind: chosen)
        for d in kept {
            console.say(Localized(verbatim: "\(d.createdAt)\t\(d.desk)\t\(d.kind)\t\(d.name)\t\(d.byteCount)"))
        }
        console.say(Localized("网点共享库中共 \(kept.count) 份。", "\(kept.count) papers in the outlet's shared books."))
    }
}
