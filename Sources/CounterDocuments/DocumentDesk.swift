import Foundation
import SSCardDriver
import SSCardPrinter
#if canImport(Glibc)
import Glibc
#endif

/// What became of a paper.
public enum DeliveredDocument: Hashable, Sendable, CustomStringConvertible {
    /// Sent to a CUPS queue; `requestID` is what `lp` answered (e.g. "counter-12").
    case printed(queue: String, requestID: String)
    /// Filed in the desk's private folder.
    case saved(path: String)

    public var description: String {
        switch self {
        case .printed(let queue, let id): "printed on \(queue) (\(id))"
        case .saved(let path): path
        }
    }
}

/// Makes the counter's papers and hands them out: renders a `CounterDocument` to PDF
/// (`DocumentRenderer`, the card's font chain) and prints it on the configured CUPS queue with
/// `lp`, or files it under the station's file rules (`PrivateFile`: folder 0700, file 0600,
/// written whole or not at all), kept `retentionDays` (`purge`).
///
/// Part of the station and of the web desk alike: both call `issue(_:)`.
public struct DocumentDesk: Sendable {
    public let setting: DocumentOutputSetting
    public let renderer: DocumentRenderer
    /// The `lp` program.
    public var lpPath = "/usr/bin/lp"
    /// The outlet's store of papers on shared books: every paper issued is kept there too.
    public var archive: (any DocumentArchive)?

    public init(setting: DocumentOutputSetting, renderer: DocumentRenderer = DocumentRenderer()) {
        self.setting = setting
        self.renderer = renderer
    }

    /// Renders `document` and prints or files it (and keeps it in the outlet's `archive`).
    @discardableResult
    public func issue(_ document: CounterDocument, now: Date = Date()) throws(DocumentError) -> DeliveredDocument {
        let name = try fileName(document, at: now)
        let pdf = try renderer.pdf(document)
        if let archive {
            do { try archive.keep(kind: document.kind, name: name, pdf: pdf, at: now) } catch {
                throw .archiveFailed(name: name, reason: "\(error)")
            }
        }
        if let queue = setting.printerQueue {
            return .printed(queue: queue, requestID: try send(pdf, name: name, title: document.title, queue: queue))
        }
        return .saved(path: try save(pdf, name: name))
    }

    /// Files `pdf` under `name` in the folder.
    public func save(_ pdf: [UInt8], name: String) throws(DocumentError) -> String {
        let path = URL(fileURLWithPath: setting.folder).appendingPathComponent(name).path
        do {
            try PrivateFile.makeFolder(setting.folder)
            try PrivateFile.write(pdf, to: path)
        } catch {
            throw .saveFailed(path: path, reason: "\(error)")
        }
        return path
    }

    /// Sends `pdf` to `queue` with `lp` (the file goes through a private temporary folder that
    /// is removed once `lp` has handed it to the scheduler); returns the request id.
    public func send(_ pdf: [UInt8], name: String, title: String, queue: String) throws(DocumentError) -> String {
        let spool: String
        do { spool = try PrivateFile.makeTemporaryFolder(prefix: "sscard-print-") } catch {
            throw .printFailed(queue: queue, reason: "\(error)")
        }
        defer { try? FileManager.default.removeItem(atPath: spool) }
        let file = spool + "/" + name
        do { try PrivateFile.write(pdf, to: file) } catch { throw .printFailed(queue: queue, reason: "\(error)") }
        var arguments = ["-d", queue, "-t", title, "-o", "document-format=application/pdf"]
        if let server = setting.cupsServer { arguments = ["-h", server] + arguments }
        arguments += ["--", file]
        let process = Process()
        process.executableURL = URL(fileURLWithPath: lpPath)
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw .printFailed(queue: queue, reason: "\(lpPath): \(error.localizedDescription)") }
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let complaint = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let reason = complaint.trimmingCharacters(in: .whitespacesAndNewlines)
            throw .printFailed(queue: queue, reason: (reason.isEmpty ? "lp" : reason) + " (exit \(process.terminationStatus))")
        }
        // "request id is QUEUE-N (1 file(s))"
        let words = said.split(separator: " ")
        guard let index = words.firstIndex(of: "is"), index + 1 < words.count else {
            throw .printFailed(queue: queue, reason: "lp said “\(said.trimmingCharacters(in: .whitespacesAndNewlines))”, no request id")
        }
        return String(words[index + 1])
    }

    /// `<kind>-<reference>-<yyyyMMdd-HHmmss>.pdf` (China time); the reference is checked so a
    /// hostile id cannot lead the file out of its folder.
    public func fileName(_ document: CounterDocument, at date: Date) throws(DocumentError) -> String {
        let reference = document.reference
        guard (1...64).contains(reference.count), reference.unicodeScalars.allSatisfy({
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
        }) else { throw .badReference(reference) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "\(document.kind.rawValue)-\(reference)-\(formatter.string(from: date)).pdf"
    }

    /// Deletes filed PDFs older than `retentionDays` (regular files ending in .pdf only; a
    /// symbolic link or anything else is left alone). Returns the paths removed.
    @discardableResult
    public func purge(now: Date = Date()) throws -> [String] {
        guard FileManager.default.fileExists(atPath: setting.folder) else { return [] }
        var removed: [String] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: setting.folder).sorted() where name.hasSuffix(".pdf") {
            let path = URL(fileURLWithPath: setting.folder).appendingPathComponent(name).path
            var info = stat()
            guard lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { continue }
            let written = Date(timeIntervalSince1970: TimeInterval(info.st_mtim.tv_sec))
            guard now.timeIntervalSince(written) >= TimeInterval(setting.retentionDays) * 86_400 else { continue }
            if unlink(path) == 0 { removed.append(path) }
        }
        return removed
    }
}
