import Foundation
import Glibc

/// `scripts/bench-render-pillow.py FACE.json --serve`, started once and asked for batches of
/// faces, so that Pillow's figures are taken in the same seconds as ours (the host's speed
/// drifts by up to 1.5× within minutes). Every answer is awaited with a deadline: a Pillow that
/// dies or hangs ends the comparison with a reason, never the benchmark.
final class PillowServer {
    /// Why Pillow gave no figures.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The versions line the script prints once its fonts are open and it has drawn ten faces.
    private(set) var versions = ""

    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let errors: URL
    private var errorsHandle: FileHandle?
    private var buffered: [UInt8] = []
    private var finished = false

    /// Starts the script on the face spec `face` and waits (up to `deadline`) until it is ready.
    init(script: URL, face: URL, deadline: Duration = .seconds(120)) throws(Failure) {
        // A write to a Pillow that has died must fail, not kill the benchmark.
        signal(SIGPIPE, SIG_IGN)
        errors = FileManager.default.temporaryDirectory.appendingPathComponent("sscard-bench-pillow-\(getpid()).err")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, face.path, "--serve"]
        process.standardInput = input
        process.standardOutput = output
        do {
            errorsHandle = try FileHandle(forWritingTo: errors)
            process.standardError = errorsHandle
            try process.run()
        } catch {
            close()
            throw Failure(description: "cannot start python3: \(error)")
        }
        versions = try readLine(deadline: deadline)
    }

    deinit { close() }

    /// Pillow's time for each of `count` faces, in milliseconds.
    func batch(_ count: Int, deadline: Duration = .seconds(60)) throws(Failure) -> [Double] {
        try send("\(count)")
        let line = try readLine(deadline: deadline)
        let times = line.split(separator: " ").compactMap { Double($0) }
        guard times.count == count, times.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            close()
            throw Failure(description: "unexpected answer to \(count): \(line.prefix(80))")
        }
        return times
    }

    /// Ends the script: closes its input, kills it if it does not leave within a second, reaps
    /// it and removes its error file.
    func close() {
        guard !finished else { return }
        finished = true
        try? input.fileHandleForWriting.close()
        if process.isRunning {
            let until = ContinuousClock.now + .seconds(1)
            while process.isRunning && ContinuousClock.now < until { usleep(2_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        if process.processIdentifier != 0 { process.waitUntilExit() }
        try? errorsHandle?.close()
        try? FileManager.default.removeItem(at: errors)
    }

    private func send(_ line: String) throws(Failure) {
        guard !finished, process.isRunning else { throw ended() }
        let data = Array((line + "\n").utf8)
        let fd = input.fileHandleForWriting.fileDescriptor
        var offset = 0
        while offset < data.count {
            let n = data.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, data.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw ended() }
            offset += n
        }
    }

    /// The next line of the script's output, within `deadline`.
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
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                close()
                throw Failure(description: "no answer within \(deadline.components.seconds) s")
            }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(clamping: left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000 + 1)
            let ready = poll(&descriptor, 1, milliseconds)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw ended() }
            buffered += chunk[..<n]
        }
    }

    /// Why the script stopped answering: the last line it wrote to standard error (a Python
    /// traceback ends with the exception), or its exit status.
    private func ended() -> Failure {
        let stderr = String(decoding: (try? Data(contentsOf: errors)) ?? Data(), as: UTF8.self)
        close()
        if let last = stderr.split(separator: "\n").last { return Failure(description: String(last)) }
        return Failure(description: "python3 ended (status \(process.terminationStatus))")
    }
}
