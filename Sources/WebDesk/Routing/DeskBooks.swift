import Dispatch
import InstantIssue

/// The one way a page reaches the books: `try await request.desk.books { station in … }`.
///
/// The outlet's PostgreSQL books (`PostgresStationStock`, the shared 台账 and papers' archive
/// over the same connection) block the calling thread while PostgresNIO answers, and
/// Hummingbird's handlers run on Swift's cooperative pool — a few threads on a small desk PC, so
/// a page blocking one could stall every request (and the PostgresNIO reply it waits for). Every
/// call that reaches `station.stock`, `station.ledger`, the documents archive, handover,
/// activation or recovery therefore runs here, on a thread of its own queue, and the handler
/// awaits its result. On the desk's own SQLite books nothing changes but the thread.
enum DeskBooks {
    /// Concurrent: a long 台账 verify does not hold up a stock page; PostgreSQL and SQLite
    /// serialise what must be serialised themselves.
    static let queue = DispatchQueue(label: "web-desk.books", qos: .userInitiated, attributes: .concurrent)

    /// Runs blocking `body` on the books queue and resumes the awaiting task with its result.
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try body() }) }
        }
    }
}

extension WebDesk {
    /// Runs `body` with the station off Swift's cooperative pool (`DeskBooks`): every page call
    /// that books goes through here.
    func books<T: Sendable>(_ body: @escaping @Sendable (Station) throws -> T) async throws -> T {
        let station = station
        return try await DeskBooks.run { try body(station) }
    }
}
