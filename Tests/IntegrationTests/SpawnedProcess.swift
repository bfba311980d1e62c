import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A program started with posix_spawn, its standard output to a file, waited for with a deadline:
/// a test must never hang on a child. (Foundation's `Process` has been seen not to notice a
/// child's end when waited for from a Swift concurrency thread, as in an async test.)
final class SpawnedProcess {
    let pid: pid_t
    private let outputPath: String
    private let errorsPath: String

    /// Starts `executable` with `arguments`, standard input from /dev/null, standard error kept
    /// apart (or with the output, `mergeErrors`).
    init(_ executable: URL, _ arguments: [String], mergeErrors: Bool = false) throws {
        outputPath = NSTemporaryDirectory() + "sscard-spawned-\(UUID().uuidString)"
        errorsPath = outputPath + ".err"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        if mergeErrors {
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 2, errorsPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        }
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable.path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable.path, &actions, nil, argv, environ)
        guard spawned == 0 else { throw SpawnError(reason: String(cString: strerror(spawned))) }
        self.pid = pid
    }

    struct SpawnError: Error { var reason: String }

    /// How it ended: the exit status, or the signal that killed it; `timedOut` when it was
    /// still running at the deadline (it is then killed).
    struct Ended {
        var exitStatus: Int32?
        var signal: Int32?
        var timedOut: Bool
        var lines: [String]
        /// What it wrote to standard error (empty with `mergeErrors`).
        var errors: String
    }

    /// Waits at most `limit` for the program to end (polling, so no wait is unbounded).
    func finish(within limit: Duration = .seconds(180)) -> Ended {
        let deadline = ContinuousClock.now + limit
        var status: Int32 = 0
        var timedOut = false
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r < 0 && errno != EINTR { break }
            if ContinuousClock.now >= deadline {
                timedOut = true
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                break
            }
            usleep(50_000)
        }
        defer { unlink(outputPath); unlink(errorsPath) }
        let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let errors = (try? String(contentsOfFile: errorsPath, encoding: .utf8)) ?? ""
        let signal = status & 0x7F
        return Ended(exitStatus: signal == 0 ? (status >> 8) & 0xFF : nil, signal: signal == 0 ? nil : signal,
                     timedOut: timedOut, lines: text.split(separator: "\n").map(String.init), errors: errors)
    }
}
