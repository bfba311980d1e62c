import Foundation
import Glibc
import SSCardDriver

/// Why a desk credential could not be read, made or written.
public enum DeskCredentialError: Error, Hashable, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    /// Group or others may read or write the file: it must be 0600 (or 0400).
    case tooOpen(path: String, mode: UInt32)
    case malformed(path: String, reason: String)
    case unwritable(path: String, reason: String)
    /// A desk id or secret that is not allowed.
    case invalid(String)

    public var description: String {
        switch self {
        case let .unreadable(path, reason):
            "无法读取桌面凭据 \(path)（\(reason)） cannot read the desk credential \(path): \(reason)"
        case let .tooOpen(path, mode):
            "桌面凭据 \(path) 的权限是 \(String(mode, radix: 8))，必须是 600 the desk credential \(path) has mode \(String(mode, radix: 8)); it must be 600 (chmod 600 \(path))"
        case let .malformed(path, reason):
            "桌面凭据 \(path) 格式错（\(reason)） the desk credential \(path) is malformed: \(reason)"
        case let .unwritable(path, reason):
            "无法写入桌面凭据 \(path)（\(reason)） cannot write the desk credential \(path): \(reason)"
        case let .invalid(reason):
            "桌面凭据无效（\(reason)） invalid desk credential: \(reason)"
        }
    }
}

/// A desk's credential for the province link (docs/province-api.md §4): the desk id it signs
/// its requests as and the secret both ends hold (32 random bytes). The province registers the
/// desk and hands the credential out once (`issue-station province-sim desks add`); the desk
/// keeps it in a file of its own, mode 0600, named by `cardManagement.credentialFile` (station)
/// or `province.credentialFile` (driver.json).
///
/// The secret never appears in a description, a log or an error; the bytes are wiped when the
/// value goes away. The file format, one `key=value` per line (`#` starts a comment):
///
///     deskID=SSDESK000001
///     secret=<64 hex digits>
public final class DeskCredential: @unchecked Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    // @unchecked Sendable: `secret` is written only by the initialiser and by `deinit`.
    public let deskID: String
    private var secret: [UInt8]

    /// Secret length in bytes.
    public static let secretBytes = 32

    /// `deskID`: 1–64 letters, digits, '.', '_' or '-'. `secret`: 32 bytes (taken over; the
    /// caller's copy is its own to wipe).
    public init(deskID: String, secret: [UInt8]) throws(DeskCredentialError) {
        guard Self.isValidDeskID(deskID) else {
            throw .invalid("desk id \"\(deskID)\" is not 1–64 letters, digits, '.', '_' or '-'")
        }
        guard secret.count == Self.secretBytes else { throw .invalid("the secret is not \(Self.secretBytes) bytes") }
        self.deskID = deskID
        self.secret = secret
    }

    deinit { KeyMaterial.wipe(&secret) }

    /// A new credential with a random secret (OpenSSL's CSPRNG).
    public static func generate(deskID: String) throws -> DeskCredential {
        var bytes = try SecureRandom.bytes(secretBytes)
        defer { KeyMaterial.wipe(&bytes) }
        return try DeskCredential(deskID: deskID, secret: bytes)
    }

    /// Runs `body` with the secret (no copy is made unless `body` makes one).
    package func withSecret<Result, Failure: Error>(_ body: ([UInt8]) throws(Failure) -> Result) throws(Failure) -> Result {
        try body(secret)
    }

    /// 1–64 of A–Z a–z 0–9 . _ -
    public static func isValidDeskID(_ id: String) -> Bool {
        !id.isEmpty && id.utf8.count <= 64
            && id.utf8.allSatisfy { (48...57).contains($0) || (65...90).contains($0) || (97...122).contains($0) || [45, 46, 95].contains($0) }
    }

    public var description: String { "DeskCredential(\(deskID), secret hidden)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["deskID": deskID], displayStyle: .class) }

    // MARK: The file

    /// Reads the credential file at `path`. Refused when group or others have any access to
    /// it (it must be 0600 or 0400) or when it is not a regular file.
    public static func load(path: String) throws(DeskCredentialError) -> DeskCredential {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { _ = Glibc.close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        guard info.st_mode & S_IFMT == S_IFREG else { throw .unreadable(path: path, reason: "not a regular file") }
        guard info.st_mode & 0o077 == 0 else { throw .tooOpen(path: path, mode: info.st_mode & 0o7777) }
        var content: [UInt8] = []
        defer { KeyMaterial.wipe(&content) }
        var chunk = [UInt8](repeating: 0, count: 4096)
        defer { KeyMaterial.wipe(&chunk) }
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            content += chunk[0..<n]
            guard content.count <= 4096 else { throw .malformed(path: path, reason: "over 4 KiB") }
        }
        return try parse(content, path: path)
    }

    private static func parse(_ content: [UInt8], path: String) throws(DeskCredentialError) -> DeskCredential {
        var deskID: String?
        var secret: [UInt8]?
        defer { if secret != nil { KeyMaterial.wipe(&secret!) } }
        for rawLine in content.split(separator: 10, omittingEmptySubsequences: true) {
            var line = rawLine[...]
            while let c = line.last, c == 13 || c == 32 || c == 9 { line.removeLast() }
            while let c = line.first, c == 32 || c == 9 { line.removeFirst() }
            guard let first = line.first, first != 35 else { continue }  // empty or '#'
            guard let equals = line.firstIndex(of: 61) else { throw .malformed(path: path, reason: "a line without '='") }
            let key = String(decoding: line[..<equals], as: UTF8.self).trimmingCharacters(in: .whitespaces)
            var value = line[(equals + 1)...]
            while let c = value.first, c == 32 || c == 9 { value.removeFirst() }
            switch key {
            case "deskID":
                deskID = String(decoding: value, as: UTF8.self)
            case "secret":
                guard value.count == secretBytes * 2, let bytes = hexBytes(value) else {
                    throw .malformed(path: path, reason: "secret is not \(secretBytes * 2) hex digits")
                }
                secret = bytes
            default:
                throw .malformed(path: path, reason: "unknown key \"\(key)\"")
            }
        }
        guard let deskID else { throw .malformed(path: path, reason: "no deskID line") }
        guard let bytes = secret else { throw .malformed(path: path, reason: "no secret line") }
        do { return try DeskCredential(deskID: deskID, secret: bytes) } catch {
            throw .malformed(path: path, reason: "\(error)")
        }
    }

    /// Hex digits to bytes without making a String of them.
    private static func hexBytes(_ digits: ArraySlice<UInt8>) -> [UInt8]? {
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 65...70: c - 55
            case 97...102: c - 87
            default: nil
            }
        }
        guard digits.count % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(digits.count / 2)
        var i = digits.startIndex
        while i < digits.endIndex {
            guard let high = nibble(digits[i]), let low = nibble(digits[i + 1]) else {
                KeyMaterial.wipe(&out)
                return nil
            }
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }

    /// The file's bytes; wipe them after use.
    public func fileContent() -> [UInt8] {
        var text = Array("# 省卡管系统链路的桌面凭据；权限 600，不要复制到日志或工单中。\n".utf8)
        text += Array("# Desk credential for the province link (docs/province-api.md §4). Keep it 0600; never paste it into a log or a ticket.\n".utf8)
        text += Array("deskID=\(deskID)\nsecret=".utf8)
        let digits = Array("0123456789ABCDEF".utf8)
        for byte in secret {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        text.append(10)
        return text
    }

    /// Writes the credential to `path`, mode 0600: into a new file beside it, then renamed over
    /// `path` (a credential being rotated is replaced whole or not at all).
    public func write(to path: String) throws(DeskCredentialError) {
        var content = fileContent()
        defer { KeyMaterial.wipe(&content) }
        let temporary = path + ".new-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .unwritable(path: path, reason: String(cString: strerror(errno))) }
        var written = 0
        while written < content.count {
            let n = content.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, $0.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let reason = String(cString: strerror(errno))
                _ = Glibc.close(fd)
                unlink(temporary)
                throw .unwritable(path: path, reason: reason)
            }
            written += n
        }
        let synced = fsync(fd) == 0
        _ = Glibc.close(fd)
        guard synced, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw .unwritable(path: path, reason: reason)
        }
    }
}
