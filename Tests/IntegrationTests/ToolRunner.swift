import Foundation

/// Runs programs as a technician would, for the tests that check what a person sees.
enum ToolRunner {
    /// The products directory (where `issue-station` was built); on Linux the test bundle's.
    static var productsDirectory: URL { Bundle.main.bundleURL }

    /// Runs a program to completion: its exit status and combined output.
    static func run(_ executable: URL, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = executable
        p.arguments = arguments
        let out = Pipe()
        p.standardOutput = out
        p.standardError = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
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
