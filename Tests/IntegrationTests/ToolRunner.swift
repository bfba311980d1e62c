import Foundation

/// Runs programs as a technician would, for the tests that check what a person sees.
enum ToolRunner {
    /// The products directory (where `issue-station` was built); on Linux the test bundle's.
    static var productsDirectory: URL { Bundle.main.bundleURL }

    /// How a program ended and what it printed.
    struct Finished {
        var status: Int32
        var reason: Process.TerminationReason
        /// Standard output, then standard error.
        var output: String
        /// Standard error alone (where errors go).
        var errors: String
    }

    /// Runs a program to completion with no standard input; `environment` nil keeps ours,
    /// `directory` nil our working directory. Standard error goes to a file, so a chatty
    /// program cannot block on a full pipe.
    static func execute(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
                        directory: URL? = nil) throws -> Finished {
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        if let environment { p.environment = environment }
        if let directory { p.currentDirectoryURL = directory }
        let errorsFile = FileManager.default.temporaryDirectory.appendingPathComponent("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: errorsFile.path, contents: nil)
        let errorsHandle = try FileHandle(forWritingTo: errorsFile)
        defer { try? errorsHandle.close(); try? FileManager.default.removeItem(at: errorsFile) }
        let out = Pipe()
        p.standardOutput = out
        p.standardError = errorsHandle
        p.standardInput = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let errors = String(decoding: (try? Data(contentsOf: errorsFile)) ?? Data(), as: UTF8.self)
        return Finished(status: p.terminationStatus, reason: p.terminationReason,
                        output: String(decoding: data, as: UTF8.self) + errors, errors: errors)
    }

    /// Runs a program to completion: its exit status and everything it printed.
    static func run(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, output: String) {
        let finished = try execute(executable, arguments, environment: environment)
        return (finished.status, finished.output)
    }

    /// `issue-station` with `arguments`.
    static func station(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try run(productsDirectory.appendingPathComponent("issue-station"), arguments)
    }

    /// A system tool by path; its output only.
    static func tool(_ path: String, _ arguments: [String]) throws -> String {
        try run(URL(fileURLWithPath: path), arguments).output
    }
}
