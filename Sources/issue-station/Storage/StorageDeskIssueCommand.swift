import ArgumentParser
import CardManagement
import Foundation
import InstantIssue
import OutletStorage
import ProvinceSimulator
import SSCardDriver
import SSCardPrinter
import SSCardSimulator
#if canImport(Glibc)
import Glibc
#endif

/// `issue-station storage desk-issue`: one desk of an outlet issuing cards with the station's
/// real issuance workflow (`IssuanceWorkflow`: reserve, feed, identify, 制卡中, blank check, chip,
/// certificates, face, print, 制卡成功) on the outlet's PostgreSQL books, with a virtual printer
/// whose hopper holds the very cards the desk loads from the outlet's safe, the chip reached in
/// process (as `sscard-bench station` does: three private pcscd stacks cannot share one
/// namespace) and the embedded card-management simulator of the desk (its `simulatorDatabasePath`).
/// The desk's crash journal stays in its own SQLite file. Prints `issued CARD APPLICATION` per card.
/// The outlet demo runs three at once; the integration tests kill one with a card reserved
/// (`--crash-at`) and settle it with `issue-station recover`.
struct StorageDeskIssueCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "desk-issue",
        abstract: "窗口用真实制卡流程连续制卡（网点共享库存，虚拟制卡机） Issue cards with the real workflow from the outlet's stock (virtual printer).")
    @OptionGroup var desk: StorageDeskOptions
    @Option(help: "经办人 clerk") var clerk: String
    @Option(help: "本窗口最多发卡张数 cards to issue at most") var cards: Int
    @Option(help: "每次装卡张数 cards per hopper load") var load: Int = 3
    @Option(name: .customLong("application-prefix"), help: "申请编号前缀 application id prefix") var prefix: String = "APP"
    @Option(name: .customLong("crash-at"), help: "在第N张卡的 --crash-after 步骤后被杀（模拟崩溃） killed (SIGKILL) after --crash-after of card N")
    var crashAt: Int?
    @Option(name: .customLong("crash-after"), help: "步骤 <step>:<start|done>，默认 reserve:done the journal entry to die after")
    var crashAfter: String = "reserve:done"

    func run() async throws {
        guard (1...10_000).contains(cards), (1...100).contains(load) else { throw ValidationError("cards 1–10000, load 1–100") }
        guard let (step, stage) = IssuanceStep.parse(crashAfter) else { throw ValidationError("--crash-after: <step>:<start|done>") }
        let configuration = try desk.configuration()
        guard configuration.storage.kind == .postgresql else {
            throw ValidationError("desk-issue 需要 storage.kind postgresql the desk's station.json must name the outlet's PostgreSQL books")
        }
        let crash = crashAt.map { DeskIssueRun.Crash(card: $0, step: step, stage: stage) }
        let run = DeskIssueRun(configuration: configuration, clerk: clerk, cards: cards, load: load, prefix: prefix, crash: crash)
        let issued = try await onOwnThread { try run.perform() }
        print("desk \(configuration.storage.desk ?? configuration.terminal): \(issued) cards issued")
    }
}

/// The loop of `desk-issue`, synchronous like the station's workflow.
struct DeskIssueRun: Sendable {
    struct Crash: Sendable { var card: Int, step: IssuanceStep, stage: IssuanceStep.Stage }
    let configuration: StationConfiguration
    let clerk: String
    let cards: Int
    let load: Int
    let prefix: String
    let crash: Crash?

    func perform() throws -> Int {
        let stock = try PostgresStationStock.open(configuration)
        defer { stock.close() }
        let deskName = stock.books.desk
        let printer = VirtualPrinter(configuration: .init(
            hopperCount: 2, rejectBoxCapacity: cards + 5, ribbonPanels: 5 * cards + 20, mechanicalDelay: .zero, chipContact: .unwired))
        let inProcess = ContactStationChannel(printer: printer)
        for path in [configuration.databasePath, configuration.resolvedSimulatorDatabasePath] {
            try PrivateFile.makeFolder(URL(fileURLWithPath: path).deletingLastPathComponent().path)
        }
        let system = try SimulatedCardManagementSystem(path: configuration.resolvedSimulatorDatabasePath, seedSamples: false)
        let database = try StationDatabase(path: configuration.databasePath, ledgerKeyPath: configuration.resolvedLedgerKeyPath)
        defer { try? database.close() }
        let crash = self.crash
        let prefix = self.prefix
        let station = Station(
            configuration: configuration, database: database, driverConfiguration: DriverConfiguration(), printer: printer,
            cardManagement: system,
            channelSource: { kind, _ in
                guard case .contact = kind else { return nil }
                return inProcess
            },
            journalObserver: { entry in
                guard let crash, entry.applicationID == "\(prefix)-\(deskName)-\(crash.card)",
                      entry.step == crash.step, entry.stage == crash.stage else { return }
                say("reserved \(entry.cardNumber?.value ?? "-") \(entry.applicationID)")
                kill(getpid(), SIGKILL)
            },
            stock: stock)
        let bank = SimulatedApplications.bank
        let hopperNumber = station.hopperMap.hopper(forBank: bank) ?? 1
        guard let hopper = Hopper(rawValue: hopperNumber) else { throw ValidationError("hopper \(hopperNumber)") }
        let workflow = IssuanceWorkflow(station: station)
        var issued = 0
        for i in 1...cards {
            if printer.cards(inHopper: hopperNumber).isEmpty {
                // The desk fetches cards from the outlet's safe and puts those very cards in its hopper.
                let loaded: [CardNumber]
                do {
                    loaded = try stock.loadHopper(hopper, bank: bank, count: load, by: clerk).map(\.cardNumber)
                } catch InventoryError.notEnoughStock(_, _, let available) {
                    guard available > 0 else { break }
                    loaded = try stock.loadHopper(hopper, bank: bank, count: available, by: clerk).map(\.cardNumber)
                }
                printer.addCards(try loaded.map { SimulatedSSCard(image: try Self.sampleImage($0)) }, toHopper: hopperNumber)
            }
            let application = try Self.application(id: "\(prefix)-\(deskName)-\(i)", sequence: i)
            try system.add(application)
            let request = try IssuanceRequest(application: application, name: application.name, photoJPEG: application.photoJPEG)
            let card = try workflow.issue(request, clerk: clerk)
            _ = printer.collectGoodExit()
            say("issued \(card.cardNumber.value) \(card.applicationID)")
            issued += 1
        }
        return issued
    }

    /// The simulated blank card the sample return file (`storage sample-file`) lists as `number`.
    static func sampleImage(_ number: CardNumber) throws -> CardImage {
        guard number.value.hasPrefix("SIM"), let sequence = Int(number.value.dropFirst(3)) else {
            throw ValidationError("card \(number.value) is not a simulated card (SIMnnnnnn): import the file of storage sample-file")
        }
        return try PreMadeCardFactory().blankCard(.sample(sequence: sequence))
    }

    /// An applicant of the embedded simulator, a different 社会保障号码 per card.
    static func application(id: String, sequence i: Int) throws -> Application {
        let month = String(format: "%02d", i % 12 + 1)
        let ssn = SimulatedApplications.citizenNumber("4116021985" + month + "15" + String(format: "%03d", i % 1000))
        return Application(
            id: id, name: "张三", socialSecurityNumber: ssn, sex: i % 2 == 0 ? "2" : "1", ethnicity: "01",
            birthDate: "1985\(month)15", birthPlace: "411602", bank: SimulatedApplications.bank,
            regionCode: SimulatedApplications.regionCode, photoJPEG: SimulatedApplications.samplePhotoJPEG)
    }
}

/// `issue-station storage sample-file`: the card maker's return file of simulated blank cards
/// SIM000001… (what `desk-issue`'s virtual printers hold), for the outlet demo and tests.
struct StorageSampleFileCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample-file", abstract: "生成模拟预制卡的回盘文件 Write a return file of simulated pre-made cards.")
    @Option(help: "张数 cards") var cards: Int
    @Option(help: "写入的目录 the folder to write it to") var folder: String

    func run() throws {
        guard (1...100_000).contains(cards) else { throw ValidationError("cards 1–100000") }
        let factory = PreMadeCardFactory()
        let images = try (1...cards).map { try factory.blankCard(.sample(sequence: $0)) }
        let file = SimulatedReturnFile.make(cards: images, bank: SimulatedApplications.bank)
        let url = URL(fileURLWithPath: folder).appendingPathComponent(file.fileName)
        try Data(file.text.utf8).write(to: url)
        print(url.path)
    }
}

/// Runs `body` on a thread of its own: the workflow blocks on the outlet's books, which need
/// the tasks' threads free.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.stackSize = 8 << 20
        thread.start()
    }
}
