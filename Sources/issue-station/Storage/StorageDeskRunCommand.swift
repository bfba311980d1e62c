import ArgumentParser
import Foundation
import InstantIssue
import OutletStorage
#if canImport(Glibc)
import Glibc
#endif

/// The desk's local crash-recovery journal beside outlet books of either kind: a desk on
/// SQLite books shares its one database; a desk on PostgreSQL keeps only the journal locally.
struct DeskWithJournal {
    let journal: Journal
    let books: any OutletBooks
    let localDatabase: StationDatabase

    static func open(_ options: StorageDeskOptions) async throws -> DeskWithJournal {
        let configuration = try options.configuration()
        let local = try StationDatabase(path: configuration.databasePath, ledgerKeyPath: configuration.ledgerKeyPath)
        let books: any OutletBooks
        switch configuration.storage.kind {
        case .sqlite: books = EmbeddedOutletBooks(database: local, desk: configuration.storage.desk ?? configuration.terminal)
        case .postgresql: books = try await StationBooks.open(configuration, migrate: false)
        }
        return DeskWithJournal(journal: Journal(database: local), books: books, localDatabase: local)
    }

    func close() async {
        try? await books.close()
        try? localDatabase.close()
    }
}

/// `issue-station storage desk-run`: one desk taking cards from the outlet's stock as fast as
/// its (simulated) personalisation allows — reserve, write, book issued — with each step in the
/// desk's journal first. Prints `issued CARD APPLICATION` per card. The outlet demo runs three
/// at once; the integration tests kill them, restart the database under them, and check.
struct StorageDeskRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "desk-run", abstract: "模拟窗口连续制卡（共享库存） Issue cards in a loop from the outlet's stock (simulated personalisation).")
    @OptionGroup var desk: StorageDeskOptions
    @Option(help: "经办人 clerk") var clerk: String
    @Option(help: "银行 bank") var bank: String
    @Option(help: "本窗口最多发卡张数 cards to issue at most") var cards: Int
    @Option(help: "每次装卡张数 cards per hopper load") var load: Int = 5
    @Option(name: .customLong("work-ms"), help: "每张卡的个人化耗时（毫秒） simulated personalisation per card, ms") var workMS: Int = 0
    @Option(name: .customLong("application-prefix"), help: "申请编号前缀 application id prefix") var prefix: String = "APP"
    @Option(name: .customLong("stop-after-reserve"), help: "预留第N张后立即退出（模拟崩溃） exit at once after reserving card N (a crash)")
    var stopAfterReserve: Int?

    func run() async throws {
        guard (1...1_000_000).contains(cards), (1...1000).contains(load), (0...60_000).contains(workMS) else {
            throw ValidationError("cards 1–1000000, load 1–1000, work-ms 0–60000")
        }
        let d = try await DeskWithJournal.open(desk)
        let hopper = Hopper(rawValue: 1)!
        var issued = 0
        do {
            for i in 1...cards {
                if try await d.books.freeCards(in: hopper) == 0 {
                    do {
                        _ = try await d.books.loadHopper(hopper, bank: bank, count: load, by: clerk)
                    } catch InventoryError.notEnoughStock(_, _, let available) {
                        guard available > 0 else { break }
                        _ = try await d.books.loadHopper(hopper, bank: bank, count: available, by: clerk)
                    }
                }
                let app = "\(prefix)-\(d.books.desk)-\(i)"
                try d.journal.append(applicationID: app, cardNumber: nil, step: .reserve, stage: .start, phaseBefore: .applied, phaseAfter: .applied)
                let card = try await d.books.reserve(bank: bank, applicationID: app, by: clerk)
                try d.journal.append(applicationID: app, cardNumber: card, step: .reserve, stage: .done, phaseBefore: .applied, phaseAfter: .reserved)
                if stopAfterReserve == i {
                    say("reserved \(card) \(app)")
                    _exit(9)
                }
                if workMS > 0 { try await Task.sleep(for: .milliseconds(workMS)) }
                try d.journal.append(applicationID: app, cardNumber: card, step: .writeChip, stage: .done, phaseBefore: .reserved, phaseAfter: .chipWritten)
                try await d.books.markIssued(card, applicationID: app, by: clerk)
                try d.journal.append(applicationID: app, cardNumber: card, step: .reportProduced, stage: .done, phaseBefore: .chipWritten, phaseAfter: .reported)
                try d.journal.append(applicationID: app, cardNumber: card, step: .activate, stage: .done, phaseBefore: .reported, phaseAfter: .activated)
                say("issued \(card) \(app)")
                issued += 1
            }
        } catch {
            await d.close()
            throw error
        }
        await d.close()
        print("desk \(d.books.desk): \(issued) cards issued")
    }
}

/// `issue-station storage recover`: settles this desk's reservations by its journal — a card
/// whose chip was written is booked issued (its report follows), one that never left the hopper
/// goes back to it — and closes the journal's unfinished issuances.
struct StorageRecoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recover", abstract: "按本窗口日志结清预留的卡 Settle this desk's reserved cards from its journal.")
    @OptionGroup var desk: StorageDeskOptions
    @Option(help: "经办人 clerk") var clerk: String

    func run() async throws {
        let d = try await DeskWithJournal.open(desk)
        do {
            let settled = try await DeskRecovery.recover(d.books, clerk: clerk) { app in
                let steps = try d.journal.entries(for: app)
                return steps.contains { $0.step == .writeChip && $0.stage == .done } ? .issued : .untouched
            }
            for s in settled {
                let after: IssuancePhase = s.outcome == .issued ? .activated : .cancelled
                try d.journal.append(applicationID: s.applicationID, cardNumber: s.card, step: s.outcome == .issued ? .backfill : .cancel,
                                     stage: .done, phaseBefore: .reserved, phaseAfter: after)
                print("\(s.outcome == .issued ? "issued" : "released") \(s.card) \(s.applicationID)")
            }
            // Issuances stopped before a card was reserved: nothing to settle in the books.
            for entry in try d.journal.unfinished() where entry.cardNumber == nil {
                try d.journal.append(applicationID: entry.applicationID, cardNumber: nil, step: .cancel, stage: .done,
                                     phaseBefore: entry.phaseAfter, phaseAfter: .cancelled)
            }
            print("desk \(d.books.desk): \(settled.count) reservations settled")
        } catch {
            await d.close()
            throw error
        }
        await d.close()
    }
}

/// A line on standard output, written at once (a pipe would otherwise hold it until exit, and a
/// desk stopped with `_exit` must still have said what it did).
func say(_ line: String) {
    let bytes = Array((line + "\n").utf8)
    _ = bytes.withUnsafeBytes { write(1, $0.baseAddress, $0.count) }
}
