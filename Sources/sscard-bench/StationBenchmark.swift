import Foundation
import InstantIssue
import SSCardDriver
import CardManagement
import ProvinceSimulator
import SSCardSimulator
import SimulatedDesk
import SSCardPrinter

/// The station's figures: one card end to end with the virtual printer at zero mechanical
/// delay and the embedded card-management simulator, per step — once with the chip reached in
/// process (the station's own time) and once through pcscd + vpcd (what a desk with the
/// virtual card sees, pcscd's 400 ms presence poll included); a 100,000-row YZKCG import; one
/// journal entry.
///
///   swift run -c release sscard-bench station [--count N]   (N cards each way, default 100)
struct StationBenchmark {
    let count: Int
    let useRunningPCSCD: Bool

    func run() throws {
        try issuance(cards: count, throughPCSCD: false)
        try issuance(cards: count, throughPCSCD: true)
        try yzkcgImport(rows: 100_000)
        try journalWrites(count: 2000)
    }

    private func scratch(_ name: String) throws -> URL {
        // mkdtemp: a fresh 0700 folder, never one somebody made (or linked) in advance.
        URL(fileURLWithPath: try PrivateFile.makeTemporaryFolder(prefix: "sscard-bench-\(name)-"), isDirectory: true)
    }

    private func issuance(cards: Int, throughPCSCD: Bool) throws {
        let work = try scratch("station")
        defer { try? FileManager.default.removeItem(at: work) }
        let desk = throughPCSCD ? try VirtualDesk(cards: [], useRunningPCSCD: useRunningPCSCD) : nil
        defer { desk?.close() }
        let runs = cards + 3
        let printer = VirtualPrinter(configuration: .init(
            rejectBoxCapacity: runs, ribbonPanels: 5 * runs + 10, mechanicalDelay: .zero,
            chipContact: throughPCSCD ? .vpcd(.slot(0)) : .unwired))
        let inProcess = ContactStationChannel(printer: printer)
        var channelSource: (@Sendable (ReaderKind, DriverConfiguration) -> (any CardChannel)?)?
        if !throughPCSCD {
            channelSource = { kind, _ in
                guard case .contact = kind else { return nil }
                return inProcess
            }
        }
        let factory = PreMadeCardFactory()
        let images = try (1...runs).map { try factory.blankCard(.sample(sequence: $0)) }
        printer.addCards(images.map { SimulatedSSCard(image: $0) }, toHopper: 1)
        let configuration = StationConfiguration(
            databasePath: work.appendingPathComponent("station.sqlite").path,
            cardManagement: .init(kind: .embedded, simulatorDatabasePath: work.appendingPathComponent("sim.sqlite").path),
            outputDirectory: work.appendingPathComponent("faces").path)
        let system = try SimulatedCardManagementSystem(path: configuration.resolvedSimulatorDatabasePath, seedSamples: false)
        let station = Station(configuration: configuration, database: try StationDatabase(path: configuration.databasePath),
                              driverConfiguration: DriverConfiguration(contactReader: desk?.readerName(slot: 0)),
                              printer: printer, cardManagement: system,
                              channelSource: channelSource)
        defer { try? station.database.close() }
        try station.inventory.bookCards(in: printer, returnFileFolder: work, by: "bench")

        var total = Timing()
        var steps: [IssuanceStep: Timing] = [:]
        var failures = 0
        let workflow = IssuanceWorkflow(station: station)
        for i in 0..<runs {
            let ssn = SimulatedApplications.citizenNumber("4116021985" + String(format: "%02d", i % 12 + 1) + "15" + String(format: "%03d", i % 1000))
            let application = Application(
                id: "BENCH-\(i)", name: "张三", socialSecurityNumber: ssn, sex: i % 2 == 0 ? "2" : "1", ethnicity: "01",
                birthDate: "1985\(String(format: "%02d", i % 12 + 1))15", birthPlace: "411602", bank: SimulatedApplications.bank,
                regionCode: SimulatedApplications.regionCode, photoJPEG: SimulatedApplications.samplePhotoJPEG)
            try system.add(application)
            let request = try IssuanceRequest(application: application, name: application.name, photoJPEG: application.photoJPEG)
            var started: [IssuanceStep: ContinuousClock.Instant] = [:]
            var durations: [IssuanceStep: Duration] = [:]
            let begin = ContinuousClock.now
            do {
                _ = try workflow.issue(request, clerk: "bench") { event in
                    switch event {
                    case .started(let step): started[step] = .now
                    case .finished(let step): durations[step] = ContinuousClock.now - started[step]!
                    default: break
                    }
                }
            } catch {
                failures += 1
                if failures == 1 { report.line("  first failure: \(error)") }
                continue
            }
            let elapsed = ContinuousClock.now - begin
            _ = printer.collectGoodExit()
            guard i >= 3 else { continue }  // warm-up
            total.append(elapsed)
            for (step, d) in durations { steps[step, default: Timing()].append(d) }
        }
        let path = throughPCSCD ? "chip through pcscd + vpcd" : "chip in process, no pcscd"
        let key = throughPCSCD ? "station.pcscd" : "station.in_process"
        report.value("\(key).failures", Double(failures), unit: "cards")
        report.line("Issuance end to end (\(path), virtual printer at zero delay, embedded card-management simulator):")
        report.line("  per card: \(report.timing("\(key).card", total)), failures \(failures)")
        for step in IssuanceStep.allCases {
            guard let t = steps[step] else { continue }
            report.line("  \(step.rawValue.padding(toLength: 20, withPad: " ", startingAt: 0)) \(report.timing("\(key).\(step.rawValue)", t))")
        }
    }

    private func yzkcgImport(rows: Int) throws {
        let work = try scratch("import")
        defer { try? FileManager.default.removeItem(at: work) }
        var lines = [String(rows), "序号,社保卡号,身份证号,姓名,制卡日期,有效期至,卡识别码,卡复位码,个人账户,银行卡号,银行账户,装箱位置"]
        lines.reserveCapacity(rows + 2)
        for i in 1...rows {
            lines.append("\(i),\("B" + String(format: "%08d", i)),,,20240415,,\("440100D156000005" + String(format: "%016X", i)),008C544CB386844116018593CA,\("9" + String(format: "%017d", i)),\("62220" + String(format: "%014d", i)),\("1" + String(format: "%017d", i)),箱\(i / 100 + 1)-\(i % 100)")
        }
        let url = work.appendingPathComponent("YZKCG_工商银行_广州市社保卡管理中心_B001_\(rows)_金邦达_102581000013_20240501120000.txt")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: url)
        let database = try StationDatabase(path: work.appendingPathComponent("station.sqlite").path)
        defer { try? database.close() }
        let inventory = PreMadeCardInventory(database: database)
        var timing = Timing()
        try timing.measure { _ = try inventory.importReturnFile(at: url, by: "bench") }
        var check = Timing()
        try check.measure {
            let report = try inventory.checkInvariants()
            precondition(report.holds, "\(report)")
        }
        report.timing("station.yzkcg_import", timing)
        report.timing("station.invariant_check", check)
        report.line("YZKCG import of \(rows) rows (parse + validate + one transaction): \(Timing.ms(timing.percentile(0.5)))")
        report.line("Inventory invariant check over \(rows) cards: \(Timing.ms(check.percentile(0.5)))")
    }

    private func journalWrites(count: Int) throws {
        let work = try scratch("journal")
        defer { try? FileManager.default.removeItem(at: work) }
        let database = try StationDatabase(path: work.appendingPathComponent("station.sqlite").path)
        defer { try? database.close() }
        let journal = Journal(database: database)
        let record = IssuanceRecord(applicationID: "BENCH", attempt: 1, bank: "模拟银行", terminal: "SSDESK000001")
        var timing = Timing()
        let card = CardNumber("SIM000001")!
        for i in 0..<count {
            try timing.measure {
                try journal.append(applicationID: "BENCH-\(i / 18)", cardNumber: card, step: .writeChip, stage: .start,
                                   phaseBefore: .loaded, phaseAfter: .loaded, resumeData: record)
            }
        }
        report.line("Journal entry (one committed transaction, WAL, synchronous=FULL): \(report.timing("station.journal_entry", timing))")
    }
}
