import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Files and folders that hold personal data (card faces with name, 社会保障号码 and photo; the
/// station's books) or secrets (the simulators' keys): only their owner may read them, and
/// nothing planted at their names is followed.
///
/// - A file is written to a new name in the same folder, created with
///   `O_CREAT | O_EXCL | O_NOFOLLOW` and mode 0600, then renamed over the final name: a symbolic
///   link planted at the final name is replaced, never written through, and a reader never sees
///   half a file.
/// - A folder made for such files is 0700 (its missing parents too); a folder that already
///   exists is left as the operator made it (`issue-station doctor` warns when others can read it).
/// - SQLite creates a database 0644 and gives its `-wal`, `-shm` and `-journal` files the mode of
///   the database file (os_unix.c: `findCreateFileMode`, `unixOpenSharedMemory`), so
///   `prepareDatabase` makes the database file 0600 before SQLite opens it.
public enum PrivateFile {
    /// Owner read and write.
    public static let fileMode: mode_t = 0o600
    /// Owner read, write and search.
    public static let folderMode: mode_t = 0o700

    /// Writes `bytes` to `path`, replacing what is there (a file or a symbolic link; a folder is
    /// refused), mode 0600.
    public static func write(_ bytes: [UInt8], to path: String) throws(PrivateFileError) {
        let (folder, name) = split(path)
        guard !name.isEmpty, name != ".", name != ".." else { throw PrivateFileError(path: path, operation: .create, code: EISDIR) }
        var temporary = ""
        var fd: Int32 = -1
        for _ in 0..<16 {
            temporary = folder + "/." + name + "." + String(UInt64.random(in: 0...UInt64.max), radix: 16) + ".tmp"
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, fileMode)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw PrivateFileError(path: path, operation: .create, code: errno) }
        var renamed = false
        defer { if !renamed { unlink(temporary) } }
        // The umask can only have taken bits away; make it exactly 0600.
        _ = fchmod(fd, fileMode)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                throw PrivateFileError(path: path, operation: .write, code: code)
            }
            offset += n
        }
        guard close(fd) == 0 else { throw PrivateFileError(path: path, operation: .write, code: errno) }
        guard rename(temporary, path) == 0 else { throw PrivateFileError(path: path, operation: .rename, code: errno) }
        renamed = true
    }

    /// Makes the folder `path` and any missing parent, each 0700. A folder that exists is left as
    /// it is; something else at the name (a file) is refused.
    public static func makeFolder(_ path: String) throws(PrivateFileError) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw PrivateFileError(path: path, operation: .makeFolder, code: ENOTDIR) }
            return
        }
        let (parent, name) = split(path)
        if !name.isEmpty, parent != path, parent != "/", parent != "." { try makeFolder(parent) }
        if mkdir(path, folderMode) != 0 {
            let code = errno
            if code == EEXIST, stat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR { return }
            throw PrivateFileError(path: path, operation: .makeFolder, code: code)
        }
        _ = chmod(path, folderMode)
    }

    /// A new folder, 0700, with a name nobody could have guessed (mkdtemp(3)) in the temporary
    /// folder (`TMPDIR`, else /tmp): `<prefix>XXXXXX`.
    public static func makeTemporaryFolder(prefix: String) throws(PrivateFileError) -> String {
        var base = FileManager.default.temporaryDirectory.path
        while base.count > 1 && base.hasSuffix("/") { base.removeLast() }
        var template = Array((base + "/" + prefix + "XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        guard made != nil else { throw PrivateFileError(path: base + "/" + prefix + "XXXXXX", operation: .makeFolder, code: errno) }
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Before SQLite opens the database at `path`: creates it empty with mode 0600 when missing
    /// (SQLite then gives its `-wal`, `-shm` and `-journal` files that mode), and narrows to 0600
    /// the database and those files when they exist, belong to this user and others may read
    /// them (made by an earlier version). A symbolic link at `path` is refused.
    public static func prepareDatabase(at path: String) throws(PrivateFileError) {
        let fd = open(path, O_RDONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, fileMode)
        guard fd >= 0 else { throw PrivateFileError(path: path, operation: .create, code: errno) }
        narrow(fd)
        close(fd)
        for suffix in ["-wal", "-shm", "-journal"] {
            let companion = open(path + suffix, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard companion >= 0 else { continue }
            narrow(companion)
            close(companion)
        }
    }

    /// The permission bits of `path` (following a symbolic link), nil when it does not exist.
    public static func permissions(of path: String) -> mode_t? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    /// True when group or others have any permission on `path`.
    public static func isOpenToOthers(_ path: String) -> Bool {
        guard let mode = permissions(of: path) else { return false }
        return mode & 0o077 != 0
    }

    /// The group the Debian package makes for the desk's staff and services.
    public static let deskGroupName = "sscard"

    /// The id of the group `deskGroupName`, nil when the system has none.
    public static func deskGroupID() -> gid_t? {
        guard let entry = getgrnam(deskGroupName) else { return nil }
        return entry.pointee.gr_gid
    }

    /// True when anyone beyond the owner and the desk's group can reach `path`: any
    /// permission for others, or group permissions on anything but the package's shared data
    /// folder — a folder of group `sharedGroup` with the setgid bit (`root:sscard 2770`, so
    /// what is made inside stays in the group). The folder's files are still made 0600.
    public static func isOpenBeyondDeskGroup(_ path: String, sharedGroup: gid_t? = deskGroupID()) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        let mode = info.st_mode & 0o7777
        if mode & 0o007 != 0 { return true }
        guard mode & 0o070 != 0 else { return false }
        let sharedFolder = info.st_mode & S_IFMT == S_IFDIR && mode & S_ISGID != 0 && sharedGroup != nil && info.st_gid == sharedGroup
        return !sharedFolder
    }

    /// A regular file of this user that others may read or write becomes 0600.
    private static func narrow(_ fd: Int32) {
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_mode & S_IFMT == S_IFREG, info.st_uid == geteuid(),
              info.st_mode & 0o077 != 0 else { return }
        _ = fchmod(fd, fileMode)
    }

    /// `path` as its folder and last name: "/a/b.png" → ("/a", "b.png"), "b.png" → (".", "b.png").
    private static func split(_ path: String) -> (folder: String, name: String) {
        var trimmed = path
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return (".", trimmed) }
        let folder = String(trimmed[..<slash])
        return (folder.isEmpty ? "/" : folder, String(trimmed[trimmed.index(after: slash)...]))
    }
}

/// A file or folder of personal data that could not be written; `code` is the errno.
public struct PrivateFileError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Operation: String, Hashable, Sendable {
        case create, write, rename, makeFolder
    }

    public var path: String
    public var operation: Operation
    public var code: Int32

    public init(path: String, operation: Operation, code: Int32) {
        self.path = path; self.operation = operation; self.code = code
    }

    public var reason: String { String(cString: strerror(code)) }

    public var chinese: String {
        let what = switch operation {
        case .create: code == ELOOP ? "是符号链接，拒绝写入" : "无法创建"
        case .write: "无法写入"
        case .rename: "无法替换"
        case .makeFolder: "无法创建目录"
        }
        return "\(path) \(what)（\(reason)）"
    }

    public var english: String {
        let what = switch operation {
        case .create: code == ELOOP ? "is a symbolic link; not written through" : "cannot be created"
        case .write: "cannot be written"
        case .rename: "cannot be replaced"
        case .makeFolder: "cannot be made as a folder"
        }
        return "\(path) \(what) (\(reason))"
    }

    public var description: String { chinese + " " + english }
}

/// Parts of file names that come from outside the program — an application id from the
/// card-management system, a card number from a chip or a return file — are checked against a
/// strict pattern before they become a file name, so that `../`, `/` or a hidden name cannot
/// lead a file out of its folder.
public enum FileNamePart {
    /// ASCII letters, digits, `-` and `_`, starting with a letter or a digit, 1 to `maxLength`
    /// characters.
    public static func isSafe(_ text: String, maxLength: Int = 64) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, bytes.count <= maxLength, isAlphanumeric(first) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: "_") }
    }

    /// 社保卡号 as a file name part: 9 upper-case letters or digits.
    public static func isCardNumber(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        return bytes.count == 9 && bytes.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) }
    }

    private static func isAlphanumeric(_ b: UInt8) -> Bool {
        (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b)
    }
}
