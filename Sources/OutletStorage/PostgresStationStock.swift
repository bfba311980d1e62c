import Foundation
import InstantIssue
import SSCardDriver

/// The outlet's PostgreSQL books as the synchronous `StationStock` the issuance workflow and
/// recovery call from their own thread: each call runs on `PostgresOutletBooks` and the calling
/// thread waits for it. The wait is bounded: past `patience` (the books' reconnect window and
/// one cut call, with room to spare) the call throws `OutletStorageError.unreachable`, so a desk
/// never hangs on a database that is gone; the workflow then stops the card as it would for any
/// failed step and `recover` settles it (docs/outlet.md).
///
/// Never call it from a task of Swift's cooperative pool (an async context): the waiting thread
/// would be one the books need. The commands and tests call it from a plain thread.
public final class PostgresStationStock: StationStock {
    public let books: PostgresOutletBooks
    let patience: Duration
    public var storeName: String { "postgresql" }

    public init(books: PostgresOutletBooks, patience: Duration = .seconds(90)) {
        self.books = books
        self.patience = patience
    }

    /// Opens the outlet's books a station configuration names (migrating first, see
    /// `StationBooks.open`), waiting on the calling thread.
    public static func open(_ configuration: StationConfiguration, reconnectWindow: Duration = .seconds(30)) throws -> PostgresStationStock {
        let s = configuration.storage
        let location = try PostgresLocation(url: s.url ?? "")
        let books = try blocking(within: reconnectWindow + .seconds(60), location: location.description) {
            try await PostgresOutletBooks.open(location: location, outlet: s.outlet ?? "", desk: s.desk ?? configuration.terminal,
                                               migrate: true, reconnectWindow: reconnectWindow)
        }
        return PostgresStationStock(books: books, patience: reconnectWindow + .seconds(60))
    }

    /// Closes the connection (waiting for it).
    public func close() {
        _ = try? wait { try await $0.close() }
    }

    // MARK: The clerk's stock work

    public var sharedScope: SharedStockScope? { SharedStockScope(outlet: books.outlet, desk: books.desk) }
    public func importReturnFile(at url: URL, by clerk: String) throws -> YZKCGImportReceipt {
        try importReturnFile(try YZKCGFile(contentsOf: url), by: clerk)
    }
    public func importReturnFile(_ file: YZKCGFile, by clerk: String) throws -> YZKCGImportReceipt {
        try wait { try await $0.importReturnFile(file, by: clerk) }
    }
    /// Moves `count` cards of `bank` from the outlet's safe into this desk's `hopper`.
    public func loadHopper(_ hopper: Hopper, bank: String, count: Int, by clerk: String) throws -> [PreMadeCard] {
        try wait { try await $0.loadHopperCards(hopper, bank: bank, count: count, by: clerk) }
    }
    public func unloadHopper(_ hopper: Hopper, by clerk: String) throws -> [PreMadeCard] {
        try wait { try await $0.unloadHopper(hopper, by: clerk) }
    }
    public func spoilCard(_ cardNumber: CardNumber, reason: String, by clerk: String) throws -> PreMadeCard {
        try wait { try await $0.spoilCard(cardNumber, reason: reason, by: clerk) }
    }
    public func cards(state: PreMadeCardState.Kind?, bank: String?, limit: Int?) throws -> [PreMadeCard] {
        try wait { try await $0.cards(state: state, bank: bank, limit: limit) }
    }
    public func cards(inHopper hopper: Hopper) throws -> [PreMadeCard] { try wait { try await $0.cards(inHopper: hopper) } }
    public func banks() throws -> [String] { try wait { try await $0.banks() } }
    public func stockReport() throws -> StockTakeReport { try wait { try await $0.stockReport() } }
    public func takeStock(by clerk: String) throws -> StockTakeReport { try wait { try await $0.takeStock(by: clerk) } }
    public func takeStock(counted count: PhysicalStockCount, by clerk: String) throws -> StockCountResult {
        try wait { try await $0.takeStock(counted: count, by: clerk) }
    }
    public func checkInvariants() throws -> InventoryInvariantReport { try wait { try await $0.checkInvariants() } }
    public func orderSheet(windowDays: Int, coverDays: Int, packSize: Int) throws -> PreMadeCardOrder {
        try wait { try await $0.orderSheet(windowDays: windowDays, coverDays: coverDays, packSize: packSize) }
    }
    public func missedStockTakeYesterday() throws -> String? { try wait { try await $0.missedStockTakeYesterday() } }

    // MARK: The workflow's calls

    public func reserve(bank: String, applicationID: String, fromHopper hopper: Hopper?, by clerk: String) throws -> PreMadeCard {
        try wait { try await $0.reserveCard(bank: bank, applicationID: applicationID, fromHopper: hopper, by: clerk) }
    }
    public func card(_ cardNumber: CardNumber) throws -> PreMadeCard? { try wait { try await $0.card(cardNumber) } }
    public func card(identifiedBy code: CardIdentificationCode) throws -> PreMadeCard? {
        try wait { try await $0.card(identifiedBy: code) }
    }
    public func reservation(for applicationID: String) throws -> PreMadeCard? {
        try wait { try await $0.reservation(for: applicationID) }
    }
    public func confirmFedCard(_ fedCardNumber: CardNumber, applicationID: String, by clerk: String) throws -> PreMadeCard {
        try wait { try await $0.confirmFedCard(fedCardNumber, applicationID: applicationID, by: clerk) }
    }
    public func markIssued(_ cardNumber: CardNumber, applicationID: String, by clerk: String) throws {
        try wait { try await $0.markIssued(cardNumber, applicationID: applicationID, by: clerk) }
    }
    public func markSpoiled(_ cardNumber: CardNumber, reason: String, by clerk: String) throws {
        try wait { try await $0.markSpoiled(cardNumber, reason: reason, by: clerk) }
    }
    public func returnToStock(_ cardNumber: CardNumber, by clerk: String) throws {
        try wait { try await $0.returnToStock(cardNumber, by: clerk) }
    }
    public func releaseReservation(applicationID: String, by clerk: String) throws {
        try wait { try await $0.releaseReservation(applicationID: applicationID, by: clerk) }
    }
    public func appendLedger(clerk: String, action: String, subject: String, details: String) throws {
        try wait { try await $0.appendLedger(clerk: clerk, action: action, subject: subject, details: details) }
    }

    private func wait<T: Sendable>(_ body: @escaping @Sendable (PostgresOutletBooks) async throws -> T) throws -> T {
        let books = self.books
        return try Self.blocking(within: patience, location: books.location.description) { try await body(books) }
    }

    /// Runs `body` as a detached task and waits for it on this thread, at most `within`.
    static func blocking<T: Sendable>(within limit: Duration, location: String,
                                      _ body: @escaping @Sendable () async throws -> T) throws -> T {
        let outcome = Outcome<T>()
        let done = DispatchSemaphore(value: 0)
        Task.detached {
            do { outcome.set(.success(try await body())) } catch { outcome.set(.failure(error)) }
            done.signal()
        }
        let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
        guard done.wait(timeout: .now() + seconds) == .success, let result = outcome.get() else {
            throw OutletStorageError.unreachable(location: location, seconds: Int(limit.components.seconds),
                                                 reason: "no answer in time")
        }
        return try result.get()
    }

    /// The result handed from the task to the waiting thread.
    private final class Outcome<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var result: Result<T, any Error>?
        func set(_ r: Result<T, any Error>) { lock.lock(); result = r; lock.unlock() }
        func get() -> Result<T, any Error>? { lock.lock(); defer { lock.unlock() }; return result }
    }
}
