import Foundation

/// Where the time of one PostgreSQL import goes, phase by phase, for `sscard-bench storage`
/// (docs/performance.md §7): each `mark` closes the phase that ran since the previous mark.
/// The import calls it between its statements; it changes nothing in what the import does.
public final class ImportPhaseClock: @unchecked Sendable {
    /// The phases in the order the import runs them.
    public enum Phase: String, CaseIterable, Sendable {
        /// BEGIN, the outlet's import lock, the file check, the `yzkcg_import` row.
        case start
        /// Building the COPY rows in the client: part of `copy`, counted apart.
        case copyRows
        /// COPY of the cards into the outlet's partition (schema version 4), its indexes checking
        /// each card; on older books into a temporary table. The rows' building included.
        case copy
        /// Older books: the check of the file's cards against the outlet's books.
        case duplicates
        /// Older books: INSERT … SELECT into `pre_made_card`.
        case insert
        /// The ledger entry of the import.
        case ledger
        /// COMMIT.
        case commit
    }

    private let lock = NSLock()
    private let clock = ContinuousClock()
    private var last: ContinuousClock.Instant
    private var spent: [Phase: Duration] = [:]

    public init() { last = clock.now }

    /// The time of each phase measured so far.
    public var durations: [Phase: Duration] { lock.withLock { spent } }

    /// Restarts the clock: the next `mark` counts from now.
    func start() { lock.withLock { last = clock.now } }

    /// Closes `phase`: the time since the previous mark is added to it.
    func mark(_ phase: Phase) {
        lock.withLock {
            let now = clock.now
            spent[phase, default: .zero] += now - last
            last = now
        }
    }

    /// Adds time measured apart (the rows' building inside COPY), without moving the clock.
    func add(_ phase: Phase, _ duration: Duration) {
        lock.withLock { spent[phase, default: .zero] += duration }
    }
}
