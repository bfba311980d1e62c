import Foundation
import Glibc

/// A child process spoken to in lines over its standard input and output, every answer awaited
/// with a deadline: a child that dies or stays silent ends the exchange with a reason, never
/// the caller. The conformance tester's probe (`DriverProbe`) and the render benchmark's Pillow
/// script (`PillowServer`) talk to theirs through it.
public final class LineChild {
    /// Why an exchange ended.
    public enum Failure: Error, Hashable, Sendable {
        /// The child closed its output or its input, or was not running; it has been reaped.
        case ended
        /// No whole line within the deadline; the child was killed and reaped.
        case timedOut
    }

    /// The child, for its termination status and reason once the exchange has ended.
    public let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffered: [UInt8] = []
    private var finished = false
    private let closeGrace: Duration

    /// Starts `executable` with `arguments`; `environment` replaces ours when given;
    /// `standardError` is where its messages go (nil: discarded). `close()` gives the child
    /// `closeGrace` to leave by itself once its input is closed.
    public init(executable: URL, arguments: [String], environment: [String: String]? = nil,
                standardError: FileHandle? = nil, closeGrace: Duration = .milliseconds(500)) throws {
        // A write to a child that has died must fail (EPIPE), not kill this process.
        signal(SIGPIPE, SIG_IGN)
        self.closeGrace = closeGrace
        process.executableURL = executable
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardInput = input
        process.standardOutput = output
        process.standardError = standardError ?? FileHandle.nullDevice
        try process.run()
    }

    deinit { close() }

    /// Whether `close()` was called or an exchange failed.
    public var isFinished: Bool { finished }

    /// Writes `line` and a newline to the child's input.
    public func send(_ line: String) throws(Failure) {
        guard !finished, process.isRunning else { close(); throw .ended }
        let data = Array((line + "\n").utf8)
        let fd = input.fileHandleForWriting.fileDescriptor
        var offset = 0
        while offset < data.count {
            let n = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, data.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { close(); throw .ended }
            offset += n
        }
    }

    /// The child's next line (without its newline), within `deadline`. Past it the child is
    /// killed and reaped.
    public func readLine(deadline: Duration) throws(Failure) -> String {
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
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                close()
                throw .timedOut
            }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { close(); throw .ended }
            buffered += chunk[..<n]
        }
    }

    /// Ends the child: closes its input, kills it if it has not left within the grace, reaps it.
    public func close() {
        guard !finished else { return }
        finished = true
        try? input.fileHandleForWriting.close()
        if process.isRunning {
            let until = ContinuousClock.now + closeGrace
            while process.isRunning && ContinuousClock.now < until { usleep(2_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        if process.processIdentifier != 0 { process.waitUntilExit() }
    }
}
