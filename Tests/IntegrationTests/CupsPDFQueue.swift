import Foundation
import XCTest

/// A real CUPS scheduler (cupsd) with one cups-pdf queue, started for a test from a temporary
/// configuration: it listens only on a Unix socket in its own folder (no TCP port), keeps its
/// spool, cache, state and logs there, and cups-pdf writes the PDFs it receives into `output`.
/// cups-pdf reads its settings only from /etc/cups/cups-pdf-<name>.conf (<name> from the
/// device URI `cups-pdf:/<name>`), so that one uniquely named file is written there and removed
/// by `stop()`. cups-pdf's backend runs only under a root cupsd (mode 0700), so the fixture
/// needs root, as CI has.
final class CupsPDFQueue {
    let folder: String
    let queue: String
    var socket: String { folder + "/cups.sock" }
    var output: String { folder + "/out" }
    private let process = Process()
    private let backendConfiguration: String

    init() throws {
        guard geteuid() == 0 else { throw XCTSkip("cups-pdf's backend runs only under a root cupsd") }
        for tool in ["/usr/sbin/cupsd", "/usr/sbin/lpadmin", "/usr/lib/cups/backend/cups-pdf"] where !FileManager.default.fileExists(atPath: tool) {
            XCTFail("\(tool) is missing: scripts/install-deps.sh installs cups, printer-driver-cups-pdf and cups-client")
            throw CocoaError(.fileNoSuchFile)
        }
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("sscard-cups-\(UUID().uuidString.prefix(8))").path
        queue = "sscard-test-\(UUID().uuidString.prefix(8).lowercased())"
        backendConfiguration = "/etc/cups/cups-pdf-\(queue).conf"
        let fm = FileManager.default
        for sub in ["root", "spool", "spool/tmp", "cache", "state", "log", "out", "cups-pdf-spool"] {
            try fm.createDirectory(atPath: folder + "/" + sub, withIntermediateDirectories: true)
        }
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder)
        try fm.setAttributes([.posixPermissions: 0o700], ofItemAtPath: folder + "/spool")
        try """
            Listen \(folder)/cups.sock
            LogLevel info
            WebInterface No
            PreserveJobFiles Yes
            Browsing Off
            DefaultAuthType None
            <Location />
              Order allow,deny
              Allow all
            </Location>
            <Policy default>
              <Limit All>
                Order allow,deny
                Allow all
              </Limit>
            </Policy>

            """.write(toFile: folder + "/root/cupsd.conf", atomically: true, encoding: .utf8)
        try """
            ServerRoot \(folder)/root
            StateDir \(folder)/state
            CacheDir \(folder)/cache
            RequestRoot \(folder)/spool
            TempDir \(folder)/spool/tmp
            AccessLog \(folder)/log/access_log
            ErrorLog \(folder)/log/error_log
            PageLog \(folder)/log/page_log
            FileDevice No

            """.write(toFile: folder + "/root/cups-files.conf", atomically: true, encoding: .utf8)
        try """
            Out \(folder)/out
            AnonDirName \(folder)/out
            Spool \(folder)/cups-pdf-spool
            Log \(folder)/log
            Label 0

            """.write(toFile: backendConfiguration, atomically: true, encoding: .utf8)
        process.executableURL = URL(fileURLWithPath: "/usr/sbin/cupsd")
        process.arguments = ["-f", "-c", folder + "/root/cupsd.conf", "-s", folder + "/root/cups-files.conf"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while !fm.fileExists(atPath: socket), Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        guard fm.fileExists(atPath: socket) else {
            stop()
            XCTFail("cupsd did not open \(socket)")
            throw CocoaError(.fileNoSuchFile)
        }
        let status = try run("/usr/sbin/lpadmin", ["-h", socket, "-p", queue, "-v", "cups-pdf:/\(queue)",
                                                  "-P", "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd", "-E"])
        guard status == 0 else {
            stop()
            XCTFail("lpadmin could not add \(queue)")
            throw CocoaError(.fileWriteUnknown)
        }
    }

    private func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = arguments
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// The PDFs cups-pdf has written, waiting up to `timeout` for at least one whose size has
    /// settled (Ghostscript writes it in place).
    func receivedPDFs(timeout: TimeInterval = 60) -> [String] {
        let deadline = Date().addingTimeInterval(timeout)
        var lastSizes: [String: Int] = [:]
        repeat {
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []).filter { $0.hasSuffix(".pdf") }
            let sizes = Dictionary(uniqueKeysWithValues: files.map { name in
                (name, (try? FileManager.default.attributesOfItem(atPath: output + "/" + name)[.size] as? Int) ?? 0)
            })
            if !sizes.isEmpty, sizes.values.allSatisfy({ $0 > 0 }), sizes == lastSizes {
                return files.sorted().map { output + "/" + $0 }
            }
            lastSizes = sizes
            Thread.sleep(forTimeInterval: 0.5)
        } while Date() < deadline
        return []
    }

    /// The documents cupsd received, as it spooled them (`PreserveJobFiles`): the bytes `lp` sent.
    func spooledDocuments() -> [String] {
        let spool = folder + "/spool"
        return ((try? FileManager.default.contentsOfDirectory(atPath: spool)) ?? []).filter { $0.hasPrefix("d") }.sorted().map { spool + "/" + $0 }
    }

    /// Stops this cupsd (by its own process id) and removes its files.
    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: backendConfiguration)
        try? FileManager.default.removeItem(atPath: folder)
    }
}
