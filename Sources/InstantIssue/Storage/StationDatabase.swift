import Foundation
import GRDB
import SSCardPrinter

#if canImport(Glibc)
import Glibc
#endif

/// The station's books in one SQLite file: pre-made card stock (预制卡库存), the workflow journal and
/// the audit ledger (台账). Opened through a GRDB `DatabasePool` in WAL mode with
/// `PRAGMA synchronous = FULL`, so a committed write survives a power cut, and migrated to the
/// current schema on open.
///
/// One station process per database: `open` takes an exclusive `flock(2)` on `<path>.lock` (a lock
/// file beside the database, holding the owner's pid for the message) before it touches SQLite, and
/// keeps it until `close()` or deinit. The kernel drops the lock when the process dies, so there is
/// no stale lock to clean up after a crash; a second open — from another process, or a second
/// `StationDatabase` in the same process — is refused with `StationDatabaseError.inUse`. The
/// database must sit on a local file system (WAL needs one too; `flock` over NFS is not reliable).
///
/// The books hold applicants' names, numbers and card numbers: the database, its `-wal` and
/// `-shm` files and the lock file are 0600 (`PrivateFile.prepareDatabase`), and none of them is
/// opened through a symbolic link.
public final class StationDatabase: Sendable {
    /// The SQLite file.
    public let path: String
    /// The lock file, `<path>.lock`.
    public let lockPath: String
    /// Source of "now" for every timestamp the books record; tests pass a fixed clock.
    public let clock: @Sendable () -> Date
    /// The desk key of the ledger's keyed chain, a file the database does not hold.
    public let ledgerKey: LedgerKeyFile
    let pool: DatabasePool
    let ledgerCheckpoints = LedgerCheckpointSender()
    private let lock: StationLock

    /// Opens (creating if needed) the database at `path`, takes the station lock, applies the
    /// schema migrations and opens the ledger's keyed chain (`AuditLedger.openKeyedChain`: the
    /// key file at `ledgerKeyPath` is created on first use; nil: `ledger.key` in the database's
    /// folder — a desk's configuration puts it beside station.json instead). Throws
    /// `StationDatabaseError.inUse` when another station holds the lock, `.cannotLock` when the
    /// lock file cannot be opened, `AuditLedgerError` when a key cannot be made, and GRDB's
    /// `DatabaseError` otherwise.
    public init(path: String, clock: @escaping @Sendable () -> Date = { Date() }, ledgerKeyPath: String? = nil) throws {
        self.path = path
        self.lockPath = path + ".lock"
        self.clock = clock
        ledgerKey = LedgerKeyFile(path: ledgerKeyPath
            ?? URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("ledger.key").path)
        lock = try StationLock(path: lockPath, databasePath: path)
        try PrivateFile.prepareDatabase(at: path)
        var configuration = Configuration()
        configuration.label = "station"
        configuration.busyMode = .timeout(5)
        pool = try DatabasePool(path: path, configuration: configuration)
        // FULL: the WAL is synced on every commit, so a journal step or a stock movement that
        // returned is on disk; NORMAL, which GRDB sets when it enables WAL (after
        // `prepareDatabase`), can lose the last commits on power loss. Only the pool's one writer
        // connection writes, and it lives as long as the pool, so setting it there once suffices.
        try pool.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
            guard try Int.fetchOne(db, sql: "PRAGMA synchronous") == 2 else {
                throw DatabaseError(message: "PRAGMA synchronous = FULL did not take effect")
            }
        }
        try Self.migrator.migrate(pool)
        try AuditLedger(database: self).openKeyedChain()
    }

    /// The schema, one migration per part of the books. Never edit a shipped migration: add one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("1 audit ledger", migrate: AuditLedger.createSchema)
        migrator.registerMigration("2 pre-made card inventory", migrate: PreMadeCardInventory.createSchema)
        migrator.registerMigration("3 workflow journal", migrate: Journal.createSchema)
        migrator.registerMigration("4 journal step and stage columns", migrate: Journal.splitStepAndStage)
        migrator.registerMigration("5 clerk accounts", migrate: ClerkAccounts.createSchema)
        migrator.registerMigration("6 one movement row per import", migrate: PreMadeCardInventory.foldImportMovements)
        return migrator
    }

    /// Identifiers of the migrations applied to this database, oldest first.
    public func appliedMigrations() throws -> [String] {
        try pool.read { try Self.migrator.appliedIdentifiers($0) }.sorted()
    }

    /// Waits for a ledger checkpoint being sent, closes SQLite and releases the station lock.
    /// Further use throws.
    public func close() throws {
        ledgerCheckpoints.flush()
        try pool.close()
        lock.release()
    }

    /// Waits for the writes queued behind earlier calls (the WAL checkpoint an import runs after
    /// it returns) to finish; for measurements.
    public func finishQueuedWrites() throws {
        pool.writeWithoutTransaction { _ in }
    }

    /// The current time as the books record it (`StationTimestamp`).
    func timestamp() -> StationTimestamp { StationTimestamp(clock()) }
}

/// Why the station database cannot be opened.
public enum StationDatabaseError: Error, Equatable, CustomStringConvertible {
    /// Another station process (or another open in this process) holds `lockPath`.
    case inUse(databasePath: String, lockPath: String, holderPID: Int32?)
    /// The lock file cannot be created or opened; `errno` is the raw code.
    case cannotLock(lockPath: String, errno: Int32)

    public var description: String {
        switch self {
        case let .inUse(db, lock, pid):
            let holder = pid.map { "pid \($0)" } ?? "pid unknown"
            return "制卡站数据库正被另一个制卡站进程使用（\(holder)），请先关闭该进程再启动。"
                + " The station database \(db) is in use by another station process (\(holder), lock \(lock));"
                + " close that station first."
        case let .cannotLock(lock, code):
            return "无法打开制卡站锁文件 \(lock)：\(String(cString: strerror(code)))。"
                + " Cannot open the station lock file \(lock): \(String(cString: strerror(code))) (errno \(code))."
        }
    }
}

/// The exclusive `flock` on the lock file. Owns the descriptor; deinit releases it.
private final class StationLock: @unchecked Sendable {
    // @unchecked Sendable: `descriptor` is written only in init and under `mutex` in release(),
    // which is the only other access; flock itself is process-wide kernel state.
    private var descriptor: Int32
    private let mutex = NSLock()

    init(path: String, databasePath: String) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StationDatabaseError.cannotLock(lockPath: path, errno: errno) }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            let holder = Self.readPID(fd)
            close(fd)
            if code == EWOULDBLOCK {
                throw StationDatabaseError.inUse(databasePath: databasePath, lockPath: path, holderPID: holder)
            }
            throw StationDatabaseError.cannotLock(lockPath: path, errno: code)
        }
        descriptor = fd
        // Informational only: the lock is the flock, not the pid in the file.
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
    }

    func release() {
        mutex.lock()
        defer { mutex.unlock() }
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { release() }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
