import Foundation
import Glibc

/// The child process in which the library under test runs (`sscard-conformance-probe`): the
/// tester never calls the library itself, so a crash or a hang ends that process only and
/// becomes the failure of the case that caused it. Each case gets a fresh one, so no state
/// (a pending HSM Step1, a PIN callback) leaks from one case into the next.
final class DriverProbe {
    /// Why a call has no result.
    enum Failure: Error, Hashable, CustomStringConvertible {
        /// The library could not be loaded (dlerror's text).
        case notLoaded(String)
        /// The probe died, killed by this signal (a crash inside the library).
        case crashed(signal: Int32)
        /// The probe exited by itself with this status.
        case exited(status: Int32)
        /// No answer within the deadline; the probe was killed.
        case hung(Duration)
        /// The function is not exported by the library.
        case missing(String)
        /// The probe answered something it should not have (a tester bug).
        case protocolError(String)

        var description: String {
            switch self {
            case .notLoaded(let why): return "dlopen failed: \(why)"
            case .crashed(let signal): return "the library crashed (signal \(signal), \(String(cString: strsignal(signal))))"
            case .exited(let status): return "the library ended the process (exit status \(status))"
            case .hung(let deadline): return "no answer within \(deadline.secondsText) s"
            case .missing(let name): return "\(name) is not exported"
            case .protocolError(let line): return "probe: \(line)"
            }
        }
    }

    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffered: [UInt8] = []
    private var finished = false

    /// Starts the probe on `library` with `environment` added to ours, and waits for it to
    /// load the library.
    init(probe: URL, library: String, environment: [String: String], deadline: Duration = .seconds(30)) throws(Failure) {
        process.executableURL = probe
        process.arguments = [library]
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw .protocolError("cannot start \(probe.path): \(error)") }
        let first = try readLine(deadline: deadline)
        if first.hasPrefix("noload ") { throw .notLoaded(String(first.dropFirst(7))) }
        guard first == "ready" else { throw .protocolError(first) }
    }

    deinit { close() }

    /// Ends the probe: closes its input, kills it if it does not leave at once, reaps it.
    func close() {
        guard !finished else { return }
        finished = true
        try? input.fileHandleForWriting.close()
        if process.isRunning {
            let until = ContinuousClock.now + .milliseconds(500)
            while process.isRunning && ContinuousClock.now < until { usleep(2_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        process.waitUntilExit()
    }

    /// Whether the library exports `function`.
    func has(_ function: String) throws(Failure) -> Bool {
        try send("has \(function)")
        let line = try readLine(deadline: .seconds(10))
        guard line == "has 1" || line == "has 0" else { throw .protocolError(line) }
        return line == "has 1"
    }

    /// Installs a PIN callback that hands out `pins` in order (then cancels); false when the
    /// library has no SSCardDriver_SetPINCallback. The PINs are the simulator's test PINs.
    func setPINs(_ pins: [String]) throws(Failure) -> Bool {
        try send((["pin"] + pins).joined(separator: " "))
        let line = try readLine(deadline: .seconds(10))
        guard line == "pin 1" || line == "pin 0" else { throw .protocolError(line) }
        return line == "pin 1"
    }

    /// Calls the function; throws when the library crashed, hung or lacks it.
    func call(_ call: DriverCall, deadline: Duration) throws(Failure) -> DriverCallResult {
        try send(call.probeLine)
        let line = try readLine(deadline: deadline)
        if line == "error missing" { throw .missing(call.function) }
        guard let result = DriverCallResult(probeLine: line, capacity: call.outputSize ?? 0) else { throw .protocolError(line) }
        return result
    }

    private func send(_ line: String) throws(Failure) {
        guard !finished, process.isRunning else { throw endedFailure() }
        let data = Data((line + "\n").utf8)
        let fd = input.fileHandleForWriting.fileDescriptor
        var offset = 0
        while offset < data.count {
            let n = data.withUnsafeBytes { raw in Glibc.write(fd, raw.baseAddress! + offset, data.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw endedFailure() }
            offset += n
        }
    }

    /// The next line, within `deadline`; a probe that dies or stays silent is reported as such.
    private func readLine(deadline: Duration) throws(Failure) -> String {
        let until = ContinuousClock.now + deadline
        let fd = output.fileHandleForReading.fileDescriptor
        while true {
            if let newline = buffered.firstIndex(of: 0x0A) {
                let line = String(decoding: buffered[..<newline], as: UTF8.self)
                buffered.removeSubrange(...newline)
                return line
            }
            let left = until - ContinuousClock.now
            guard left > .zero else {
                kill(process.processIdentifier, SIGKILL)
                close()
                throw .hung(deadline)
            }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw endedFailure() }
            buffered += chunk[..<n]
        }
    }

    /// How the probe ended (waits for it).
    private func endedFailure() -> Failure {
        close()
        if process.terminationReason == .uncaughtSignal { return .crashed(signal: process.terminationStatus) }
        return .exited(status: process.terminationStatus)
    }
}

extension Duration {
    /// Seconds with up to three decimals, for messages.
    var secondsText: String {
        let ms = Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15
        return String(format: "%g", (ms / 1000 * 1000).rounded() / 1000)
    }

    /// Milliseconds as a Double, for figures.
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}
