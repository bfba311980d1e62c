import Foundation
import SSCardDriver
#if canImport(Glibc)
import Glibc
#endif

/// The desk key of the 台账 (docs/inventory-and-ledger.md, "The ledger key"): 32 random bytes,
/// stored as 64 hex digits and a newline in a file of mode 0600 that the station database does
/// not hold (station configuration `ledgerKeyPath`; by default `ledger.key` beside
/// station.json). Every entry's hash is HMAC-SM3 under it, so someone who can edit the database
/// but not read this file cannot write entries that verify.
///
/// The key is read from the file for each use and wiped afterwards (`withKey`); it is never
/// logged or put in an error. A file that group or others may read is refused.
public struct LedgerKeyFile: Hashable, Sendable {
    /// Key size in bytes.
    public static let keySize = 32

    public let path: String

    public init(path: String) { self.path = path }

    /// Where a new key is written before it is put in place: a key is only moved to `path`
    /// once the ledger holds what it was made for (`AuditLedger.openKeyedChain`), so a crash in
    /// between leaves this file, not a key that seems to have been there all along.
    var pendingPath: String { path + ".new" }

    public var exists: Bool { FileManager.default.fileExists(atPath: path) }
    var pendingExists: Bool { FileManager.default.fileExists(atPath: pendingPath) }

    /// Runs `body` with the key; the copy handed to it is wiped afterwards. Throws
    /// `AuditLedgerError.keyMissing` when the file is not there, and the other key errors.
    public func withKey<T>(_ body: ([UInt8]) throws -> T) throws -> T {
        var key = try Self.readKey(at: path)
        defer { KeyMaterial.wipe(&key) }
        return try body(key)
    }

    func withPendingKey<T>(_ body: ([UInt8]) throws -> T) throws -> T {
        var key = try Self.readKey(at: pendingPath)
        defer { KeyMaterial.wipe(&key) }
        return try body(key)
    }

    /// Writes a fresh random key to `pendingPath` (mode 0600, flushed), making the folder
    /// (mode 0700) when missing. Refuses to overwrite an existing file.
    func createPending() throws {
        let folder = URL(fileURLWithPath: pendingPath).deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: folder) {
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw AuditLedgerError.keyNotCreated(path: path, reason: error.localizedDescription)
            }
        }
        var key = try SecureRandom.bytes(Self.keySize)
        // Hex digits made byte by byte: a String could not be wiped.
        var text = [UInt8](repeating: 0x0A, count: 2 * Self.keySize + 1)
        defer { KeyMaterial.wipe(&key); KeyMaterial.wipe(&text) }
        let digits = Array("0123456789ABCDEF".utf8)
        for (i, byte) in key.enumerated() {
            text[2 * i] = digits[Int(byte >> 4)]
            text[2 * i + 1] = digits[Int(byte & 0x0F)]
        }
        let fd = open(pendingPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AuditLedgerError.keyNotCreated(path: path, reason: String(cString: strerror(errno))) }
        var failure: Int32 = 0
        let written = text.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        if written != text.count { failure = written < 0 ? errno : EIO }
        if failure == 0, fchmod(fd, 0o600) != 0 { failure = errno }
        if failure == 0, fsync(fd) != 0 { failure = errno }
        close(fd)
        guard failure == 0 else {
            unlink(pendingPath)
            throw AuditLedgerError.keyNotCreated(path: path, reason: String(cString: strerror(failure)))
        }
    }

    /// Puts the pending key in place: a hard link to `path` (which fails rather than replace a
    /// key already there), then the pending name removed and the folder flushed.
    func promotePending() throws {
        guard link(pendingPath, path) == 0 else {
            throw AuditLedgerError.keyNotCreated(path: path, reason: String(cString: strerror(errno)))
        }
        unlink(pendingPath)
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let fd = open(folder, O_RDONLY | O_CLOEXEC)
        if fd >= 0 {
            _ = fsync(fd)
            close(fd)
        }
    }

    /// The 32 bytes in the file at `path`: exactly 64 hex digits, optionally a newline.
    private static func readKey(at path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            let code = errno
            if code == ENOENT { throw AuditLedgerError.keyMissing(path: path) }
            throw AuditLedgerError.keyUnreadable(path: path, reason: String(cString: strerror(code)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw AuditLedgerError.keyUnreadable(path: path, reason: String(cString: strerror(errno)))
        }
        guard info.st_mode & 0o077 == 0 else {
            throw AuditLedgerError.keyExposed(path: path, mode: Int(info.st_mode & 0o777))
        }
        var buffer = [UInt8](repeating: 0, count: 80)
        defer { KeyMaterial.wipe(&buffer) }
        var count = 0
        while count < buffer.count {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw AuditLedgerError.keyUnreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            count += n
        }
        let digits = 2 * keySize
        guard count == digits || (count == digits + 1 && buffer[digits] == 0x0A) else {
            throw AuditLedgerError.keyInvalid(path: path)
        }
        var key = [UInt8](repeating: 0, count: keySize)
        for i in 0..<keySize {
            guard let high = hexValue(buffer[2 * i]), let low = hexValue(buffer[2 * i + 1]) else {
                KeyMaterial.wipe(&key)
                throw AuditLedgerError.keyInvalid(path: path)
            }
            key[i] = high << 4 | low
        }
        return key
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: c - 0x30
        case 0x41...0x46: c - 0x41 + 10
        case 0x61...0x66: c - 0x61 + 10
        default: nil
        }
    }
}
