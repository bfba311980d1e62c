import ChildProcess
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

    private let child: LineChild
    private let errors: URL
    private var errorsHandle: FileHandle?

    /// Starts the script on the face spec `face` and waits (up to `deadline`) until it is ready.
    init(script: URL, face: URL, deadline: Duration = .seconds(120)) throws(Failure) {
        errors = FileManager.default.temporaryDirectory.appendingPathComponent("sscard-bench-pillow-\(getpid()).err")
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)
        do {
            errorsHandle = try FileHandle(forWritingTo: errors)
            // scripts/pillow-python.sh picks a python3 that has Pillow (PATH's, else Debian's).
            let chooser = script.deletingLastPathComponent().appendingPathComponent("pillow-python.sh")
            child = try LineChild(executable: URL(fileURLWithPath: "/bin/bash"), arguments: [chooser.path, script.path, face.path, "--serve"],
                                  standardError: errorsHandle, closeGrace: .seconds(1))
        } catch {
            try? errorsHandle?.close()
            try? FileManager.default.removeItem(at: errors)
            throw Failure(description: "cannot start python3: \(error)")
        }
        versions = try readLine(deadline: deadline)
    }

    deinit { close() }

    /// Pillow's time for each of `count` faces, in milliseconds.
    func batch(_ count: Int, deadline: Duration = .seconds(60)) throws(Failure) -> [Double] {
        do { try child.send("\(count)") } catch { throw ended() }
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
        child.close()
        try? errorsHandle?.close()
        errorsHandle = nil
        try? FileManager.default.removeItem(at: errors)
    }

    /// The next line of the script's output, within `deadline`.
    private func readLine(deadline: Duration) throws(Failure) -> String {
        do throws(LineChild.Failure) {
            return try child.readLine(deadline: deadline)
        } catch .timedOut {
            close()
            throw Failure(description: "no answer within \(deadline.components.seconds) s")
        } catch {
            throw ended()
        }
    }

    /// Why the script stopped answering: the last line it wrote to standard error (a Python
    /// traceback ends with the exception), or its exit status.
    private func ended() -> Failure {
        child.close()
        let stderr = String(decoding: (try? Data(contentsOf: errors)) ?? Data(), as: UTF8.self)
        close()
        if let last = stderr.split(separator: "\n").last { return Failure(description: String(last)) }
        return Failure(description: "python3 ended (status \(child.process.terminationStatus))")
    }
}
