import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL server of its own for tests, the outlet demo's checks and `sscard-bench storage`:
/// Debian's server binaries, `initdb` into a temporary folder, listening on a loopback port and a
/// unix socket in that folder, stopped (and the folder removed) by `stop()`. PostgreSQL refuses
/// to run as root, so as root the server runs as `nobody` (`runuser`), which owns the folder.
/// The owner role `sscard_owner` logs in without a password (trust, loopback only).
public final class ThrowawayPostgres: @unchecked Sendable {
    public let folder: URL
    public let port: Int
    public let binaries: URL
    public static let ownerRole = "sscard_owner"
    private var running = false

    /// The folder of `initdb` and `pg_ctl` (Debian: /usr/lib/postgresql/N/bin), nil if not installed.
    public static func findBinaries() -> URL? {
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []).sorted { Int($0) ?? 0 > Int($1) ?? 0 }
        for v in versions {
            let bin = root.appendingPathComponent(v).appendingPathComponent("bin")
            if FileManager.default.isExecutableFile(atPath: bin.appendingPathComponent("pg_ctl").path) { return bin }
        }
        return nil
    }

    /// Creates the cluster and starts the server. `durable: false` turns fsync off (tests);
    /// benchmarks keep it on so commits cost what they cost in an outlet.
    public init(durable: Bool = false) throws {
        guard let binaries = Self.findBinaries() else { throw ThrowawayPostgresError.notInstalled }
        self.binaries = binaries
        folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("sscard-pg-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        port = Self.freePort()
        if getuid() == 0 { try Self.run("/bin/chown", ["nobody:nogroup", folder.path]) }
        try command("initdb", ["-D", dataPath, "-U", Self.ownerRole, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"])
        let settings = """
            listen_addresses = '127.0.0.1'
            port = \(port)
            unix_socket_directories = '\(folder.path)'
            fsync = \(durable ? "on" : "off")
            max_connections = 60
            shared_buffers = \(Self.sharedBuffers)
            log_min_duration_statement = \(Self.logStatementsOver)
            """
        try Data(settings.utf8).write(to: URL(fileURLWithPath: dataPath + "/postgresql.auto.conf"), options: .atomic)
        if getuid() == 0 { try Self.run("/bin/chown", ["nobody:nogroup", dataPath + "/postgresql.auto.conf"]) }
        try start()
    }

    var dataPath: String { folder.appendingPathComponent("data").path }

    /// SSCARD_PG_LOG_MS=N logs each statement of N ms or more to the server's log (server.log in
    /// the cluster's folder), to see where a benchmark's time goes on the server; off by default.
    static var logStatementsOver: Int {
        ProcessInfo.processInfo.environment["SSCARD_PG_LOG_MS"].flatMap { Int($0) }.map { max(0, $0) } ?? -1
    }

    /// SSCARD_PG_SHARED_BUFFERS=SIZE (a number and kB, MB or GB) sets the server's
    /// shared_buffers, to see what the server's memory does to a benchmark; 64MB by default.
    static var sharedBuffers: String {
        let asked = ProcessInfo.processInfo.environment["SSCARD_PG_SHARED_BUFFERS"] ?? ""
        return asked.wholeMatch(of: /[1-9][0-9]{0,5}(kB|MB|GB)/) != nil ? asked : "64MB"
    }

    /// `postgresql://role@127.0.0.1:port/postgres`.
    public func url(role: String = ThrowawayPostgres.ownerRole) -> String { "postgresql://\(role)@127.0.0.1:\(port)/postgres" }

    public func start() throws {
        try command("pg_ctl", ["-D", dataPath, "-l", folder.appendingPathComponent("server.log").path, "-w", "-t", "60", "start"])
        running = true
    }

    /// Stops the server at once (`immediate`: as a crash would) or after the sessions end (`fast`).
    public func stopServer(immediate: Bool = false) throws {
        try command("pg_ctl", ["-D", dataPath, "-m", immediate ? "immediate" : "fast", "-w", "stop"])
        running = false
    }

    /// Stops the server and removes its folder.
    public func stop() {
        if running { try? stopServer() }
        try? FileManager.default.removeItem(at: folder)
    }

    deinit { stop() }

    /// Runs SQL through psql as `role` (the owner by default); returns its unaligned output,
    /// trimmed. Throws when psql fails (a refused statement included).
    @discardableResult
    public func psql(_ sql: String, role: String = ThrowawayPostgres.ownerRole) throws -> String {
        try Self.run("/usr/bin/psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port),
                                       "-U", role, "-d", "postgres", "-c", sql]).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func command(_ name: String, _ arguments: [String]) throws {
        let path = binaries.appendingPathComponent(name).path
        if getuid() == 0 {
            try Self.run("/usr/sbin/runuser", ["-u", "nobody", "--", path] + arguments, folder: folder.path)
        } else {
            try Self.run(path, arguments, folder: folder.path)
        }
    }

    /// Runs a program to its end with posix_spawn and waitpid, its output in a file: the server
    /// that `pg_ctl start` leaves running inherits the descriptors, so a pipe would never reach
    /// its end; and Foundation's `Process` did not always see `runuser` end when called from a
    /// Swift concurrency thread (an async test's setUp).
    @discardableResult
    public static func run(_ path: String, _ arguments: [String], folder: String? = nil) throws -> String {
        let log = NSTemporaryDirectory() + "sscard-pg-run-\(UUID().uuidString)"
        defer { unlink(log) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // GNU env's --chdir: the program starts in `folder` (one the unprivileged user may enter).
        let command = folder.map { ["/usr/bin/env", "--chdir=\($0)", path] } ?? [path]
        let argv: [UnsafeMutablePointer<CChar>?] = (command + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw ThrowawayPostgresError.failed(command: path, output: String(cString: strerror(spawned)))
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        // Exited normally with 0: WIFEXITED and WEXITSTATUS == 0 is a status word of 0.
        guard status == 0 else {
            throw ThrowawayPostgresError.failed(command: ([path] + arguments).joined(separator: " "), output: text)
        }
        return text
    }

    /// A loopback port nobody listens on now.
    static func freePort() -> Int {
        for _ in 0..<50 {
            let port = Int.random(in: 20_000...60_000)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let ok = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
            if ok { return port }
        }
        return 54_321
    }
}

public enum ThrowawayPostgresError: Error, CustomStringConvertible {
    case notInstalled
    case failed(command: String, output: String)

    public var description: String {
        switch self {
        case .notInstalled:
            "未安装PostgreSQL服务器（scripts/install-deps.sh 安装 postgresql） the PostgreSQL server is not installed (scripts/install-deps.sh installs postgresql)"
        case let .failed(command, output): "\(command) failed: \(output)"
        }
    }
}
