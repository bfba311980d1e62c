import Foundation
import InstantIssue
import OutletStorage
import SimulatedDesk
import SSCardPrinter

/// The two stores of the outlet's books side by side in one run (docs/outlet.md,
/// docs/performance.md): the desk's SQLite file (WAL, synchronous=FULL) and PostgreSQL (a
/// throwaway server started here, fsync on, on loopback).
///
/// - reservations per second, one desk and three desks at once: each reservation is one
///   transaction (the card locked with SKIP LOCKED, its move recorded, a ledger entry chained);
///   SQLite's three desks are three tasks on one database file (one writer at a time, the only
///   way SQLite shares a file), PostgreSQL's are three connections as three desk roles;
/// - a 100,000-row YZKCG import of an already parsed file (SQLite: batched INSERT; PostgreSQL:
///   COPY into the outlet's partition, or on books before schema version 4 COPY into a
///   temporary table, the duplicate check, INSERT … SELECT), `count` runs each.
///
///   [SSCARD_BENCH_OUTLET_SCHEMA=N] .build/release/sscard-bench storage [--count N] [--reservations N] [--json]
struct StorageBenchmark {
    let count: Int
    let reservations: Int
    var rows = 100_000

    func run() throws {
        let work = URL(fileURLWithPath: try PrivateFile.makeTemporaryFolder(prefix: "sscard-bench-storage-"), isDirectory: true)
        defer { try? FileManager.default.removeItem(at: work) }
        let server = try ThrowawayPostgres(durable: true)
        defer { server.stop() }
        let owner = try PostgresLocation(url: server.url())
        let admin = OutletAdministration(location: owner)
        // SSCARD_BENCH_OUTLET_SCHEMA=1: the books at an older schema version, to compare one
        // binary's import on both (docs/performance.md §7); the newest by default.
        let schema = ProcessInfo.processInfo.environment["SSCARD_BENCH_OUTLET_SCHEMA"].flatMap { Int($0) } ?? OutletSchema.latest
        try blocking { _ = try await admin.migrate(upTo: schema) }
        let file = try SampleReturnFile.make(rows: rows)
        let perDesk = reservations
        let stock = try SampleReturnFile.make(rows: perDesk * 3 + 10, first: 10_000_000, batch: "R001")

        report.line("Outlet books, SQLite (desk file, WAL, synchronous=FULL) and PostgreSQL \(server.binaries.deletingLastPathComponent().lastPathComponent) (loopback, fsync on, schema version \(schema)):")
        // Reservations.
        for desks in [1, 3] {
            // SQLite: one file, `desks` tasks.
            let folder = work.appendingPathComponent("sqlite-\(desks)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let database = try StationDatabase(path: folder.appendingPathComponent("station.sqlite").path)
            let embedded = EmbeddedOutletBooks(database: database)
            let sqliteRate = try blocking { () async throws -> Double in
                _ = try await embedded.importReturnFile(stock, by: "bench")
                for d in 1...desks { _ = try await embedded.loadHopper(Hopper(rawValue: d)!, bank: "工商银行", count: perDesk, by: "bench") }
                return try await Self.reserveRate(books: Array(repeating: embedded, count: desks), perDesk: perDesk)
            }
            try database.close()
            // PostgreSQL: `desks` desk roles of one outlet, one connection each.
            let outlet = "R\(desks)"
            let roles = (1...desks).map { "r\(desks)desk\($0)" }
            try blocking { try await admin.addOutlet(outlet, deskRoles: roles) }
            let pgRate = try blocking { () async throws -> Double in
                var books: [PostgresOutletBooks] = []
                for role in roles {
                    books.append(try await PostgresOutletBooks.open(location: owner.with(role: role), outlet: outlet, desk: role))
                }
                _ = try await books[0].importReturnFile(stock, by: "bench")
                for b in books { _ = try await b.loadHopper(Hopper(rawValue: 1)!, bank: "工商银行", count: perDesk, by: "bench") }
                let rate = try await Self.reserveRate(books: books, perDesk: perDesk)
                let invariants = try await books[0].checkInvariants()
                precondition(invariants.holds && invariants.counts[.reserved] == perDesk * desks, "\(invariants)")
                for b in books { try await b.close() }
                return rate
            }
            report.value("storage.sqlite.reservations_per_s.\(desks)_desks", sqliteRate, unit: "per s")
            report.value("storage.postgresql.reservations_per_s.\(desks)_desks", pgRate, unit: "per s")
            report.line("  reservations/s, \(desks) desk\(desks == 1 ? " " : "s") at once (\(perDesk) each): SQLite \(Int(sqliteRate))   PostgreSQL \(Int(pgRate))")
        }
        // Import.
        var sqliteImport = Timing(), pgImport = Timing(), parse = Timing()
        var pgPhases: [ImportPhaseClock.Phase: Timing] = [:]
        // The client's part before any import: read + parse + validate + SM3 of the same file's bytes.
        let contents = ImportBenchmark.returnFile(rows: rows)
        for _ in 0..<count { try parse.measure { _ = try YZKCGFile(fileName: file.name.fileName, contents: contents) } }
        for run in 0..<count {
            let folder = work.appendingPathComponent("import\(run)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let database = try StationDatabase(path: folder.appendingPathComponent("station.sqlite").path)
            try sqliteImport.measure { _ = try PreMadeCardInventory(database: database).importReturnFile(file, by: "bench") }
            try database.close()
            try FileManager.default.removeItem(at: folder)
            let outlet = "I\(run)"
            try blocking { try await admin.addOutlet(outlet, deskRoles: ["i\(run)desk"]) }
            // Each outlet its own cards, as in a city (a card is made once): the same cards in
            // every round would put each round's keys among the last round's.
            let outletFile = run == 0 ? file : try SampleReturnFile.make(rows: rows, first: 1 + (run * rows) % 90_000_000, batch: String(format: "B%03d", run % 999 + 1))
            let phases = ImportPhaseClock()
            let elapsed = try blocking { () async throws -> Duration in
                let books = try await PostgresOutletBooks.open(location: owner.with(role: "i\(run)desk"), outlet: outlet, desk: "i\(run)desk")
                let started = ContinuousClock.now
                _ = try await books.importReturnFile(outletFile, by: "bench", phases: phases)
                let elapsed = ContinuousClock.now - started
                let invariants = try await books.checkInvariants()
                precondition(invariants.holds && invariants.imported == rows, "\(invariants)")
                try await books.close()
                return elapsed
            }
            pgImport.append(elapsed)
            for (phase, spent) in phases.durations { pgPhases[phase, default: Timing()].append(spent) }
        }
        report.line("  YZKCG import of \(rows) parsed rows, one transaction (goal SQLite ≤ 2 s, PostgreSQL ≤ 1 s):")
        report.line("    SQLite (batched INSERT):               \(report.timing("storage.sqlite.import", sqliteImport))")
        report.line("    PostgreSQL (COPY):                     \(report.timing("storage.postgresql.import", pgImport))")
        report.line("    PostgreSQL's phases, median of \(count):")
        let labels: [ImportPhaseClock.Phase: String] = [
            .start: "BEGIN, import lock, file check, import row",
            .copyRows: "  building the COPY rows (client, within COPY)",
            .copy: schema >= 4 ? "COPY into the outlet's partition of pre_made_card" : "COPY into a temporary table",
            .duplicates: "duplicate check against the outlet's books",
            .insert: "INSERT … SELECT into pre_made_card",
            .ledger: "ledger entry",
            .commit: "COMMIT",
        ]
        for phase in ImportPhaseClock.Phase.allCases {
            guard let timing = pgPhases[phase] else { continue }
            let label = labels[phase]!.padding(toLength: 56, withPad: " ", startingAt: 0)
            report.line("      \(label) \(report.timing("storage.postgresql.import.\(phase.rawValue)", timing))")
        }
        report.line("    (before it, client side) parse + validate + SM3 of the file's bytes: \(report.timing("storage.import.parse", parse))")
    }

    /// Reservations per second with one task per desk, each reserving `perDesk` cards.
    static func reserveRate(books: [any OutletBooks], perDesk: Int) async throws -> Double {
        let started = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (d, b) in books.enumerated() {
                group.addTask {
                    for i in 0..<perDesk { _ = try await b.reserve(bank: "工商银行", applicationID: "A\(d)-\(i)", by: "bench") }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Double(perDesk * books.count) / seconds
    }
}

/// Runs async work from the synchronous benchmark program.
func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let semaphore = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: Result<T, any Error>!
    Task {
        do { result = .success(try await body()) } catch { result = .failure(error) }
        semaphore.signal()
    }
    semaphore.wait()
    return try result.get()
}
