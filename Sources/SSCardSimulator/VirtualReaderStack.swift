import Foundation
import Glibc
import SSCardDriver
import Sockets

/// A private pcscd with one vpcd reader entry, for tests, the demo and the benchmark
/// (vsmartcard vpcd, tested here with vpcd 3.3): two readers, `Virtual PCD 00 00` (port 35963)
/// and `Virtual PCD 00 01` (port 35964), which `VPCDConnector` fills with a card.
///
/// `start()` writes a reader.conf.d directory in a temporary directory, runs `pcscd -f -c DIR`
/// as a child process with its output in `DIR/pcscd.log`, and returns once pcscd's socket exists
/// and vpcd listens on both slot ports, on 127.0.0.1 only: vpcd itself binds every interface, so
/// the child runs with `libsscard-vpcd-loopback.so` preloaded (`loopbackLibraryPath()`), and
/// `start()` stops it and throws when a slot port listens anywhere but on loopback.
/// `stop()` sends SIGTERM, SIGKILL after a deadline, and
/// reaps the child (an unreaped pcscd blocks the next start). pcscd's socket path is fixed
/// (`/run/pcscd/pcscd.comm`), so only one pcscd can run on a machine: `start()` refuses to
/// start a second one; `.useRunning` checks that the running one has the vpcd reader instead.
public final class VirtualReaderStack: @unchecked Sendable {
    // @unchecked Sendable: the mutable state (`process`, `directory`) is read and written only
    // while holding `lock`; start/stop/restart are serialised by it.

    /// Whether to start a pcscd or use the one already running.
    public enum Mode: Sendable, Hashable {
        /// Start and own a private pcscd.
        case privatePCSCD
        /// Use the pcscd already running (a technician's system service, `--use-running-pcscd`);
        /// `start()` only checks it has the vpcd reader, `stop()` leaves it alone.
        case useRunning
    }

    public struct Configuration: Sendable, Hashable {
        public var mode: Mode
        /// Longest wait for pcscd to come up.
        public var startTimeout: Duration
        /// Longest wait after SIGTERM before SIGKILL.
        public var stopTimeout: Duration
        /// Pass `-d -a` to pcscd: debug messages and APDUs in the log.
        public var debugLog: Bool
        /// Keep the temporary directory (reader.conf.d, pcscd.log) after `stop()`.
        public var keepFiles: Bool

        public init(
            mode: Mode = .privatePCSCD, startTimeout: Duration = .seconds(10),
            stopTimeout: Duration = .seconds(5), debugLog: Bool = false, keepFiles: Bool = false
        ) {
            self.mode = mode
            self.startTimeout = startTimeout
            self.stopTimeout = stopTimeout
            self.debugLog = debugLog
            self.keepFiles = keepFiles
        }
    }

    /// pcscd's client socket; fixed when pcscd is built.
    public static let socketPath = "/run/pcscd/pcscd.comm"
    /// pcscd's pid file.
    public static let pidFilePath = "/run/pcscd/pcscd.pid"
    /// vpcd's reader driver (package vsmartcard-vpcd).
    public static let vpcdDriverPath = "/usr/lib/pcsc/drivers/serial/libifdvpcd.so"
    /// The reader names pcscd gives the two vpcd slots.
    public static let readerNames = ["Virtual PCD 00 00", "Virtual PCD 00 01"]
    /// The vpcd slot ports, slot 0 first.
    public static let slotPorts: [UInt16] = (0..<VPCDFraming.slotCount).map { VPCDFraming.port(forSlot: $0) }
    /// The library preloaded into the private pcscd so that vpcd listens on loopback only
    /// (product `sscard-vpcd-loopback`, Sources/VPCDLoopback).
    public static let loopbackLibraryName = "libsscard-vpcd-loopback.so"
    /// Names the loopback library's path when it is not next to the program.
    public static let loopbackLibraryVariable = "SSCARD_VPCD_LOOPBACK_LIBRARY"

    /// The one vpcd entry of the private reader.conf.d. A second vpcd entry would alias the same
    /// sockets and deadlock pcscd. `/dev/null:` makes vpcd listen for the card (on every
    /// interface, unless the loopback library is preloaded); a `host:` instead would make it
    /// connect out ("reversed mode"), which in vpcd 3.3 aborts pcscd once a card's connection
    /// closes, so a card could never be removed.
    public static let readerConf = """
        FRIENDLYNAME "Virtual PCD"
        DEVICENAME   /dev/null:0x8C7B
        LIBPATH      \(vpcdDriverPath)
        CHANNELID    0x8C7B

        """

    public let configuration: Configuration
    private let lock = NSLock()
    private var process: Process?
    private var _directory: URL?

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    deinit {
        if let process, process.isRunning { terminate(process) }
    }

    /// The temporary directory of the running private pcscd (reader.conf.d, pcscd.log).
    public var directory: URL? { lock.withLock { _directory } }
    /// pcscd's output.
    public var logURL: URL? { directory?.appendingPathComponent("pcscd.log") }
    /// The private pcscd's process id while it runs.
    public var pid: Int32? { lock.withLock { process.flatMap { $0.isRunning ? $0.processIdentifier : nil } } }
    /// True while the private pcscd runs (always false in `.useRunning` mode).
    public var isRunning: Bool { pid != nil }

    /// Starts the private pcscd and waits until the vpcd readers accept cards; in `.useRunning`
    /// mode checks that the running pcscd has the vpcd reader. Starting a started stack is a
    /// programmer error (traps).
    public func start() throws(VirtualReaderStackError) {
        lock.lock()
        defer { lock.unlock() }
        switch configuration.mode {
        case .useRunning: try checkRunningPCSCD()
        case .privatePCSCD: try startPrivate(reusing: nil)
        }
    }

    /// Stops the private pcscd: SIGTERM, SIGKILL after `stopTimeout`, then reaps it. Removes the
    /// temporary directory unless `keepFiles`. No effect in `.useRunning` mode or when stopped.
    public func stop() {
        lock.withLock {
            stopPrivate()
            if !configuration.keepFiles, let dir = _directory { try? FileManager.default.removeItem(at: dir) }
            _directory = nil
        }
    }

    /// Stops and starts the private pcscd in the same directory (the log continues), as a test
    /// needs that survives a pcscd restart. In `.useRunning` mode it throws.
    public func restart() throws(VirtualReaderStackError) {
        lock.lock()
        defer { lock.unlock() }
        guard configuration.mode == .privatePCSCD else { throw .cannotRestartSharedPCSCD }
        let dir = _directory
        stopPrivate()
        try startPrivate(reusing: dir)
    }

    /// The last `lines` lines of pcscd's log ("" when there is none).
    public func logTail(lines: Int = 20) -> String {
        guard let url = logURL else { return "" }
        return Self.tail(of: url, lines: lines)
    }

    // MARK: Private pcscd

    private func startPrivate(reusing existing: URL?) throws(VirtualReaderStackError) {
        precondition(process == nil, "VirtualReaderStack.start() called while pcscd runs")
        let pcscd = try Self.locatePCSCD()
        guard FileManager.default.fileExists(atPath: Self.vpcdDriverPath) else {
            throw .vpcdDriverNotInstalled(path: Self.vpcdDriverPath)
        }
        if let other = Self.runningPCSCD() { throw .anotherPCSCDRunning(other) }
        let loopbackLibrary = try Self.loopbackLibraryPath()

        let dir = existing ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("sscard-pcscd-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        let confDir = dir.appendingPathComponent("reader.conf.d")
        let logURL = dir.appendingPathComponent("pcscd.log")
        let log: FileHandle
        do {
            try FileManager.default.createDirectory(at: confDir, withIntermediateDirectories: true)
            try Self.readerConf.write(to: confDir.appendingPathComponent("vpcd"), atomically: true, encoding: .utf8)
            if !FileManager.default.fileExists(atPath: logURL.path) {
                _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
            }
            log = try FileHandle(forWritingTo: logURL)
            try log.seekToEnd()
        } catch {
            throw .cannotPrepareDirectory(path: dir.path, reason: "\(error)")
        }
        _directory = dir

        var arguments = ["-f", "-c", confDir.path]
        if Self.pcscdHasPolkit(pcscd) { arguments.append("--disable-polkit") }
        if configuration.debugLog { arguments += ["-d", "-a"] }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: pcscd)
        child.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = ([loopbackLibrary] + (environment["LD_PRELOAD"].map { [$0] } ?? []))
            .joined(separator: " ")
        child.environment = environment
        child.standardInput = FileHandle.nullDevice
        child.standardOutput = log
        child.standardError = log
        do {
            try child.run()
        } catch {
            try? log.close()
            throw .launchFailed(path: pcscd, reason: "\(error)")
        }
        try? log.close()
        process = child

        let deadline = ContinuousClock.now + configuration.startTimeout
        while true {
            if !child.isRunning {
                child.waitUntilExit()
                process = nil
                throw .pcscdExited(status: child.terminationStatus, log: Self.tail(of: logURL, lines: 20))
            }
            let socketReady = FileManager.default.fileExists(atPath: Self.socketPath)
            let listening = Self.listeningSockets().filter { Self.slotPorts.contains($0.port) }
            if socketReady && Self.slotPorts.allSatisfy({ port in listening.contains { $0.port == port } }) {
                let exposed = listening.filter { !$0.isLoopback }
                guard exposed.isEmpty else {
                    terminate(child)
                    process = nil
                    throw .vpcdNotLoopbackOnly(listening: exposed.map(\.description), library: loopbackLibrary)
                }
                return
            }
            if ContinuousClock.now >= deadline {
                let missing = socketReady ? "vpcd listening on port \(VPCDFraming.defaultPort)" : Self.socketPath
                terminate(child)
                process = nil
                throw .startTimedOut(waitingFor: missing, timeout: configuration.startTimeout,
                                     log: Self.tail(of: logURL, lines: 20))
            }
            usleep(5_000)
        }
    }

    private func stopPrivate() {
        guard let child = process else { return }
        terminate(child)
        process = nil
    }

    /// SIGTERM, then SIGKILL after `stopTimeout`; returns once the child is reaped.
    private func terminate(_ child: Process) {
        if child.isRunning {
            kill(child.processIdentifier, SIGTERM)
            let deadline = ContinuousClock.now + configuration.stopTimeout
            while child.isRunning && ContinuousClock.now < deadline { usleep(5_000) }
            if child.isRunning { kill(child.processIdentifier, SIGKILL) }
        }
        child.waitUntilExit()
    }

    // MARK: Running pcscd

    private func checkRunningPCSCD() throws(VirtualReaderStackError) {
        guard let running = Self.runningPCSCD() else { throw .noRunningPCSCD }
        guard Self.runningPCSCDHasVPCDReaders() else { throw .runningPCSCDWithoutVPCD(running) }
    }

    /// Whether the pcscd answering on its socket has both vpcd readers (`readerNames`) and vpcd
    /// listens on both slot ports. Asking for the readers starts a socket-activated pcscd
    /// (Debian's pcscd.socket), which lists its readers once it has set them up.
    public static func runningPCSCDHasVPCDReaders() -> Bool {
        guard let readers = try? PCSCContext().readers(), readerNames.allSatisfy(readers.contains) else { return false }
        let ports = Set(vpcdListeners().map(\.port))
        return slotPorts.allSatisfy(ports.contains)
    }

    /// The sockets listening on a vpcd slot port: where a card can be connected from. A private
    /// stack's are on 127.0.0.1; a system pcscd with Debian's /etc/reader.conf.d/vpcd listens on
    /// 0.0.0.0 (every interface).
    public static func vpcdListeners() -> [ListeningSocket] {
        listeningSockets().filter { slotPorts.contains($0.port) }
    }

    /// A pcscd found running: its pid when the pid file names a live process.
    public struct RunningPCSCD: Sendable, Hashable, CustomStringConvertible {
        public var pid: Int32?
        /// The process has exited but its parent has not reaped it; pcscd still counts it.
        public var isZombie: Bool

        public init(pid: Int32?, isZombie: Bool) {
            self.pid = pid
            self.isZombie = isZombie
        }

        public var description: String {
            let who = pid.map { "pid \($0)" } ?? "pid unknown"
            return isZombie ? "\(who), exited but not yet reaped by its parent" : who
        }
    }

    /// The pcscd that would make a new one refuse to start: the pid file names a live process
    /// (as pcscd itself checks with `kill(pid, 0)`), or the socket accepts connections.
    public static func runningPCSCD() -> RunningPCSCD? {
        if let pid = readPidFile(pidFilePath),
           kill(pid, 0) == 0 || errno == EPERM, processName(pid) == "pcscd" {
            return RunningPCSCD(pid: pid, isZombie: processState(pid) == "Z")
        }
        if FileManager.default.fileExists(atPath: socketPath), unixSocketAccepts(socketPath) {
            return RunningPCSCD(pid: nil, isZombie: false)
        }
        return nil
    }

    /// The pid in a pid file. pcscd 1.9.9 writes "1234\n\0" (its trailing NUL included), so only
    /// the leading digits count.
    static func readPidFile(_ path: String) -> Int32? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let digits = data.prefix { (0x30...0x39).contains($0) }
        guard let pid = Int32(String(decoding: digits, as: UTF8.self)), pid > 0 else { return nil }
        return pid
    }

    /// /proc/PID/comm: guards against a stale pid file whose pid now names another program.
    static func processName(_ pid: Int32) -> String? {
        (try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8))?
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The state letter in /proc/PID/stat (R, S, Z…).
    static func processState(_ pid: Int32) -> Character? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        return stat[stat.index(after: close)...].first { $0 != " " }
    }

    /// Whether a `connect` to the Unix socket at `path` succeeds (a stale socket file refuses).
    static func unixSocketAccepts(_ path: String) -> Bool {
        guard let address = try? SocketAddress.unix(path) else { return false }
        return (try? StreamSocket.connect(to: address, deadline: .now + .seconds(2))) != nil
    }

    /// A TCP socket in LISTEN state, as /proc/net/tcp or /proc/net/tcp6 shows it.
    public struct ListeningSocket: Sendable, Hashable, CustomStringConvertible {
        /// The address bytes: 4 for IPv4, 16 for IPv6.
        public var address: [UInt8]
        public var port: UInt16

        public init(address: [UInt8], port: UInt16) {
            self.address = address
            self.port = port
        }

        public var isIPv6: Bool { address.count == 16 }
        /// 0.0.0.0 or `::`: every interface of the machine.
        public var isWildcard: Bool { address.allSatisfy { $0 == 0 } }
        /// 127.0.0.0/8, `::1` or `::ffff:127.x.y.z`: reachable from this machine only.
        public var isLoopback: Bool {
            if address.count == 4 { return address[0] == 127 }
            let mapped = address.prefix(10).allSatisfy { $0 == 0 } && address[10] == 0xFF && address[11] == 0xFF
            return address == [UInt8](repeating: 0, count: 15) + [1] || (mapped && address[12] == 127)
        }

        /// The numeric address: "127.0.0.1", "0.0.0.0", "::", "::1".
        public var host: String {
            var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
            let family = isIPv6 ? AF_INET6 : AF_INET
            let written = address.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &text, socklen_t(text.count)) }
            return written == nil ? "?" : String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }

        /// "127.0.0.1:35963", "[::]:35963".
        public var description: String { isIPv6 ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// Every TCP socket in LISTEN state in this network namespace, IPv4 (/proc/net/tcp) and
    /// IPv6 (/proc/net/tcp6). Read instead of probing with `connect`: vpcd would take a probe
    /// for a card.
    public static func listeningSockets() -> [ListeningSocket] {
        [("/proc/net/tcp", false), ("/proc/net/tcp6", true)].flatMap { path, ipv6 in
            (try? String(contentsOfFile: path, encoding: .utf8)).map { listeningSockets(procNetTCP: $0, ipv6: ipv6) } ?? []
        }
    }

    /// The LISTEN (state 0A) rows of a /proc/net/tcp (`ipv6` false) or /proc/net/tcp6 table.
    /// The kernel prints each 32-bit word of an address as the hex of the word in memory read
    /// as a native integer, so the native bytes of the parsed word are the address bytes.
    public static func listeningSockets(procNetTCP table: String, ipv6: Bool) -> [ListeningSocket] {
        let words = ipv6 ? 4 : 1
        var sockets: [ListeningSocket] = []
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 3, fields[3] == "0A",
                  let colon = fields[1].lastIndex(of: ":"),
                  let port = UInt16(fields[1][fields[1].index(after: colon)...], radix: 16) else { continue }
            let hex = Array(fields[1][..<colon].utf8)
            guard hex.count == 8 * words else { continue }
            var address: [UInt8] = []
            for w in 0..<words {
                guard let word = UInt32(String(decoding: hex[(8 * w)..<(8 * w + 8)], as: UTF8.self), radix: 16) else { break }
                withUnsafeBytes(of: word) { address += $0 }
            }
            if address.count == 4 * words { sockets.append(ListeningSocket(address: address, port: port)) }
        }
        return sockets
    }

    /// IPv4 TCP ports in LISTEN state on this machine's network namespace, from /proc/net/tcp.
    /// Read instead of probing with `connect`: vpcd would take a probe for a card.
    public static func listeningTCPPorts() -> Set<UInt16> {
        guard let table = try? String(contentsOfFile: "/proc/net/tcp", encoding: .utf8) else { return [] }
        return listeningTCPPorts(procNetTCP: table)
    }

    /// The LISTEN (state 0A) local ports of a /proc/net/tcp table.
    public static func listeningTCPPorts(procNetTCP table: String) -> Set<UInt16> {
        var ports: Set<UInt16> = []
        for line in table.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count > 3, fields[3] == "0A",
                  let colon = fields[1].lastIndex(of: ":"),
                  let port = UInt16(fields[1][fields[1].index(after: colon)...], radix: 16) else { continue }
            ports.insert(port)
        }
        return ports
    }

    // MARK: Installation

    /// The loopback library to preload into the private pcscd: `$SSCARD_VPCD_LOOPBACK_LIBRARY`,
    /// else `libsscard-vpcd-loopback.so` next to the running program (`.build/debug/` for
    /// issue-station and the tests), else in `../lib` beside it.
    public static func loopbackLibraryPath(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(VirtualReaderStackError) -> String {
        var candidates: [String] = []
        if let named = environment[loopbackLibraryVariable], !named.isEmpty {
            candidates = [named]
        } else if let program = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            let folder = URL(fileURLWithPath: program).deletingLastPathComponent()
            candidates = [folder.appendingPathComponent(loopbackLibraryName).path,
                          folder.deletingLastPathComponent().appendingPathComponent("lib/\(loopbackLibraryName)").path]
        }
        if let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) { return found }
        throw .loopbackLibraryMissing(searched: candidates)
    }

    /// pcscd's path: the first executable `pcscd` in PATH, /usr/sbin or /sbin.
    public static func locatePCSCD(path: String? = ProcessInfo.processInfo.environment["PATH"]) throws(VirtualReaderStackError) -> String {
        let dirs = (path ?? "").split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        for dir in dirs where !dir.isEmpty {
            let candidate = dir + "/pcscd"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw .pcscdNotInstalled
    }

    /// Whether `pcscd -v` lists polkit among its features (pcscd ≥ 2.0); such a pcscd needs
    /// `--disable-polkit` where no polkit daemon runs, and older ones reject the option.
    static func pcscdHasPolkit(_ pcscd: String) -> Bool {
        let child = Process()
        child.executableURL = URL(fileURLWithPath: pcscd)
        child.arguments = ["-v"]
        let pipe = Pipe()
        child.standardOutput = pipe
        child.standardError = pipe
        child.standardInput = FileHandle.nullDevice
        guard (try? child.run()) != nil else { return false }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        child.waitUntilExit()
        return featuresListPolkit(pcscdVersionOutput: String(decoding: output, as: UTF8.self))
    }

    /// Whether the "Enabled features:" line of `pcscd -v` output names polkit.
    public static func featuresListPolkit(pcscdVersionOutput versionOutput: String) -> Bool {
        versionOutput.split(separator: "\n").contains { line in
            line.hasPrefix("Enabled features:") && line.split(separator: " ").contains("polkit")
        }
    }

    static func tail(of url: URL, lines: Int) -> String {
        guard let data = try? Data(contentsOf: url) else { return "" }
        let all = String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        return all.suffix(lines + 1).joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Why the reader stack could not start.
public enum VirtualReaderStackError: Error, Hashable, Sendable, CustomStringConvertible {
    case pcscdNotInstalled
    case vpcdDriverNotInstalled(path: String)
    case anotherPCSCDRunning(VirtualReaderStack.RunningPCSCD)
    case noRunningPCSCD
    case runningPCSCDWithoutVPCD(VirtualReaderStack.RunningPCSCD)
    /// `libsscard-vpcd-loopback.so` is in none of these places.
    case loopbackLibraryMissing(searched: [String])
    /// A vpcd port of the private pcscd listened beyond loopback (the preload did not take);
    /// pcscd was stopped.
    case vpcdNotLoopbackOnly(listening: [String], library: String)
    case cannotPrepareDirectory(path: String, reason: String)
    case launchFailed(path: String, reason: String)
    case pcscdExited(status: Int32, log: String)
    case startTimedOut(waitingFor: String, timeout: Duration, log: String)
    case cannotRestartSharedPCSCD

    public var description: String {
        switch self {
        case .pcscdNotInstalled:
            return "pcscd is not installed (looked in PATH, /usr/sbin and /sbin); run scripts/install-deps.sh"
        case .vpcdDriverNotInstalled(let path):
            return "the vpcd reader driver \(path) is not installed (package vsmartcard-vpcd); run scripts/install-deps.sh"
        case .anotherPCSCDRunning(let running):
            let who = running.pid.map { "pid \($0)" } ?? "pid unknown"
            return "another pcscd (\(who)\(running.isZombie ? ", exited but not yet reaped" : "")) is already running; "
                + "stop it or use it with --use-running-pcscd"
        case .noRunningPCSCD:
            return "no pcscd is running (no live pid in \(VirtualReaderStack.pidFilePath), "
                + "\(VirtualReaderStack.socketPath) does not accept); start one with `pcscd -f`"
        case .runningPCSCDWithoutVPCD(let running):
            return "the running pcscd (\(running)) has no vpcd readers (\(VirtualReaderStack.readerNames.joined(separator: ", ")) "
                + "with vpcd listening on ports \(VirtualReaderStack.slotPorts.map(String.init).joined(separator: " and "))); "
                + "stop it (systemctl stop pcscd.socket pcscd) so a private one can start, or install vsmartcard-vpcd "
                + "(scripts/install-deps.sh), check /etc/reader.conf.d/vpcd and restart pcscd"
        case .loopbackLibraryMissing(let searched):
            return "\(VirtualReaderStack.loopbackLibraryName), which keeps vpcd's ports on loopback, was not found "
                + "(looked at \(searched.isEmpty ? "nothing" : searched.joined(separator: ", "))); build it with `swift build` "
                + "(product sscard-vpcd-loopback) or name it with \(VirtualReaderStack.loopbackLibraryVariable)"
        case .vpcdNotLoopbackOnly(let listening, let library):
            return "vpcd listened on \(listening.joined(separator: ", ")), not only on loopback, although \(library) "
                + "was preloaded; pcscd was stopped"
        case .cannotPrepareDirectory(let path, let reason):
            return "cannot prepare pcscd's directory \(path): \(reason)"
        case .launchFailed(let path, let reason):
            return "cannot launch \(path): \(reason)"
        case .pcscdExited(let status, let log):
            return "pcscd exited with status \(status) while starting" + (log.isEmpty ? "" : "; its log ends:\n\(log)")
        case .startTimedOut(let what, let timeout, let log):
            return "pcscd did not provide \(what) within \(timeout.seconds.formatted1) s"
                + (log.isEmpty ? "" : "; its log ends:\n\(log)")
        case .cannotRestartSharedPCSCD:
            return "the stack uses a pcscd it did not start (--use-running-pcscd) and will not restart it"
        }
    }
}
