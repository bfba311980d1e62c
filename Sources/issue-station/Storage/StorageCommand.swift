import ArgumentParser
import Foundation
import InstantIssue
import OutletStorage

/// `issue-station storage`: the outlet's shared books in PostgreSQL (docs/outlet.md) — schema
/// migrations, outlets and their desk roles, the city stock report, and the checks.
struct StorageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "storage",
        abstract: "网点共享库存与台账（PostgreSQL） The outlet's shared stock and ledger (PostgreSQL).",
        discussion: "docs/outlet.md",
        subcommands: [StorageMigrateCommand.self, StorageAddOutletCommand.self, StorageCityReportCommand.self,
                      StorageImportCommand.self, StorageLoadCommand.self, StorageCheckCommand.self,
                      StorageDeskRunCommand.self, StorageRecoverCommand.self, StorageDeskIssueCommand.self,
                      StorageSampleFileCommand.self])
}

/// Options naming the desk's station.json (its `storage` section).
struct StorageDeskOptions: ParsableArguments {
    @Option(name: .long, help: "station.json（默认 SSCARD_STATION_CONFIG） the desk's station.json")
    var config: String?

    func configuration() throws -> StationConfiguration { try StationConfiguration.load(path: config) }

    func books(migrate: Bool = false) async throws -> any OutletBooks {
        try await StationBooks.open(try configuration(), migrate: migrate)
    }
}

struct StorageMigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "应用数据库结构迁移 Apply the schema migrations (as the owner role).")
    @Option(help: "postgresql://owner@host:port/database") var url: String

    func run() async throws {
        let admin = OutletAdministration(location: try PostgresLocation(url: url))
        let applied = try await admin.migrate()
        let all = try await admin.appliedVersions()
        print("数据库结构版本 schema version \(all.max() ?? 0)" + (applied.isEmpty ? "（已是最新 up to date）" : "，本次应用 applied now \(applied)"))
    }
}

struct StorageAddOutletCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add-outlet", abstract: "登记网点及其窗口角色 Add an outlet and its desks' login roles.")
    @Option(help: "postgresql://owner@host:port/database") var url: String
    @Option(help: "网点代码 outlet code") var outlet: String
    @Option(name: .customLong("desk-role"), help: "窗口的数据库角色（可重复） a desk's login role (repeat)") var deskRoles: [String] = []
    @Option(name: .customLong("city-reader"), help: "卡管机构的只读角色 a city-wide read-only role") var cityReader: String?

    func run() async throws {
        let admin = OutletAdministration(location: try PostgresLocation(url: url))
        try await admin.addOutlet(outlet, deskRoles: deskRoles, password: ProcessInfo.processInfo.environment["SSCARD_PG_NEW_PASSWORD"])
        if let cityReader { try await admin.addCityReader(cityReader) }
        print("网点 outlet \(outlet): 窗口角色 desk roles \(deskRoles.joined(separator: ", "))")
    }
}

struct StorageCityReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "city-report", abstract: "全市预制卡库存（各网点） The city's pre-made card stock, per outlet.")
    @Option(help: "postgresql://role@host:port/database (owner or a city reader)") var url: String

    func run() async throws {
        print(try await OutletAdministration(location: try PostgresLocation(url: url)).cityStock())
    }
}

struct StorageImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "导入回盘文件到网点保险柜 Import a return file into the outlet's safe.")
    @OptionGroup var desk: StorageDeskOptions
    @Option(help: "经办人 clerk") var clerk: String
    @Argument(help: "YZKCG_*.txt") var file: String

    func run() async throws {
        let books = try await desk.books(migrate: true)
        do {
            let receipt = try await books.importReturnFile(try YZKCGFile(contentsOf: URL(fileURLWithPath: file)), by: clerk)
            print("已导入 imported \(receipt.count) \(receipt.bank) cards from \(receipt.fileName)")
            try await books.close()
        } catch {
            try? await books.close()
            throw error
        }
    }
}

struct StorageLoadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "load", abstract: "从保险柜装卡入本窗口卡盒 Load cards from the outlet's safe into this desk's hopper.")
    @OptionGroup var desk: StorageDeskOptions
    @Option(help: "经办人 clerk") var clerk: String
    @Option(help: "卡盒 hopper 1–9") var hopper: Int = 1
    @Option(help: "银行 bank") var bank: String
    @Option(help: "张数 cards") var count: Int

    func run() async throws {
        guard let h = Hopper(rawValue: hopper) else { throw ValidationError("卡盒应为1–9 the hopper is 1–9") }
        guard (1...10_000).contains(count) else { throw ValidationError("张数应为1–10000 count is 1–10000") }
        let books = try await desk.books()
        let cards = try await books.loadHopper(h, bank: bank, count: count, by: clerk)
        try await books.close()
        print("已装入 loaded \(cards.count) cards into \(h) of desk \(books.desk)")
    }
}

struct StorageCheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "核对网点账目与台账链 Check the outlet's books and its ledger chain.")
    @OptionGroup var desk: StorageDeskOptions

    func run() async throws {
        let books = try await desk.books()
        let invariants = try await books.checkInvariants()
        let ledger = try await books.verifyLedger()
        let twice = try await (books as? PostgresOutletBooks)?.cardsReservedTwice() ?? 0
        let byDesk = try await (books as? PostgresOutletBooks)?.issuedByDesk() ?? [:]
        try await books.close()
        print(invariants)
        print(ledger)
        for (d, n) in byDesk.sorted(by: { $0.key < $1.key }) { print("窗口 desk \(d): 已发放 issued \(n)") }
        print("issued in the outlet: \(invariants.counts[.issued] ?? 0)")
        print("reserved twice: \(twice)")
        if !invariants.holds || !ledger.isIntact || twice > 0 { throw ExitCode(1) }
    }
}
