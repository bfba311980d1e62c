import Foundation
import XCTest
import SSCardDriver

/// Builds Tests/CProgram/interface_check.c against include/SSCardDriver.h and
/// libSSCardDriver.so with gcc, and talks to it line by line.
final class CProgramHarness {
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    let directory: URL
    private let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private var buffered = Data()
    /// The simulators the library reaches when the test names no configuration of its own.
    let services: DriverServices?

    /// Compiles the program and starts it with `environment` added. Without a
    /// SSCARD_DRIVER_CONFIG of the test's own, the library is pointed at fresh `DriverServices`
    /// (province simulator for the HSM, virtual printer over Escape).
    init(environment: [String: String] = [:], services: DriverServices? = nil) throws {
        var environment = environment
        if environment["SSCARD_DRIVER_CONFIG"] == nil {
            let made = try services ?? DriverServices()
            environment.merge(made.environment) { $1 }
            self.services = made
        } else {
            self.services = services
        }
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("cabi-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // SwiftPM does not make the SONAME link; callers ship libSSCardDriver.so.1 (docs/c-abi.md).
        let library = ToolRunner.productsDirectory.appendingPathComponent("libSSCardDriver.so")
        try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent("libSSCardDriver.so.1"), withDestinationURL: library)
        try FileManager.default.createSymbolicLink(at: directory.appendingPathComponent("libSSCardDriver.so"), withDestinationURL: library)
        let binary = directory.appendingPathComponent("interface_check")
        let root = Self.packageRoot
        let (status, text) = try ToolRunner.run(URL(fileURLWithPath: "/usr/bin/gcc"), [
            "-Wall", "-Wextra", "-Werror", "-std=c99", "-I", root.appendingPathComponent("include").path,
            root.appendingPathComponent("Tests/CProgram/interface_check.c").path,
            "-pthread", "-L", directory.path, "-lSSCardDriver", "-Wl,-rpath," + directory.path, "-o", binary.path,
        ])
        guard status == 0 else { throw XCTSkip("gcc failed: \(text)") }
        process.executableURL = binary
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardInput = input
        process.standardOutput = output
        try process.run()
    }

    deinit {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Sends one command and returns the next output line.
    func send(_ command: String) -> String {
        input.fileHandleForWriting.write(Data((command + "\n").utf8))
        return readLine()
    }

    func readLine() -> String {
        while true {
            if let newline = buffered.firstIndex(of: 0x0A) {
                let line = String(decoding: buffered[..<newline], as: UTF8.self)
                buffered.removeSubrange(...newline)
                return line
            }
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { return "" }
            buffered.append(chunk)
        }
    }

    /// Splits "<function> <code> <hex>" and decodes the output as GB18030.
    static func parse(_ line: String) -> (code: Int, text: String) {
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count >= 3, let code = Int(parts[1]), let bytes = [UInt8](hex: parts[2]) else { return (Int.min, line) }
        return (code, GB18030.decode(bytes) ?? "<not GB18030: \(parts[2])>")
    }

    func call(_ command: String) -> (code: Int, text: String) { Self.parse(send(command)) }
}

extension CProgramHarness {
    /// A command whose string arguments travel hex-encoded in GB18030.
    func call(_ command: String, numbers: [Int] = [], strings: [String]) -> (code: Int, text: String) {
        let hex = strings.map { (GB18030.encode($0) ?? []).hexString }
        return call(([command] + numbers.map(String.init) + hex).joined(separator: " "))
    }
}
