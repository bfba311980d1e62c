import ChildProcess
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

    private let child: LineChild

    /// Starts the probe on `library` with `environment` added to ours, and waits for it to
    /// load the library.
    init(probe: URL, library: String, environment: [String: String], deadline: Duration = .seconds(30)) throws(Failure) {
        do {
            child = try LineChild(executable: probe, arguments: [library],
                                  environment: ProcessInfo.processInfo.environment.merging(environment) { $1 })
        } catch {
            throw .protocolError("cannot start \(probe.path): \(error)")
        }
        let first = try readLine(deadline: deadline)
        if first.hasPrefix("noload ") { throw .notLoaded(String(first.dropFirst(7))) }
        guard first == "ready" else { throw .protocolError(first) }
    }

    deinit { close() }

    /// Ends the probe: closes its input, kills it if it does not leave at once, reaps it.
    func close() {
        child.close()
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
        do throws(LineChild.Failure) { try child.send(line) } catch { throw endedFailure() }
    }

    /// The next line, within `deadline`; a probe that dies or stays silent is reported as such.
    private func readLine(deadline: Duration) throws(Failure) -> String {
        do throws(LineChild.Failure) {
            return try child.readLine(deadline: deadline)
        } catch .timedOut {
            throw .hung(deadline)
        } catch {
            throw endedFailure()
        }
    }

    /// How the probe ended (waits for it).
    private func endedFailure() -> Failure {
        close()
        if child.process.terminationReason == .uncaughtSignal { return .crashed(signal: child.process.terminationStatus) }
        return .exited(status: child.process.terminationStatus)
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
