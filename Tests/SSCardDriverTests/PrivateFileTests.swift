import Foundation
import XCTest
@testable import SSCardPrinter

/// Files of personal data and secrets: 0600, folders 0700, never written through a symbolic
/// link; names from outside checked before they join a path. The umask is set to the usual
/// 022 so that a file created the ordinary way would come out 0644.
final class PrivateFileTests: XCTestCase {
    var folder: String!
    var savedUmask: mode_t = 0

    override func setUpWithError() throws {
        savedUmask = umask(0o022)
        folder = try PrivateFile.makeTemporaryFolder(prefix: "private-file-tests-")
    }

    override func tearDown() {
        if let folder { try? FileManager.default.removeItem(atPath: folder) }
        umask(savedUmask)
    }

    /// The permission bits of `path` itself (a symbolic link is not followed).
    func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    func isSymbolicLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFLNK
    }

    // MARK: PNG faces

    func testAPNGIsWrittenOwnerOnly() throws {
        let path = folder + "/face.png"
        try PNGWriter.write(RGBImage(width: 4, height: 3), to: path)
        XCTAssertEqual(mode(path), 0o600)
        // Written again (replaced): still 0600, and no temporary file is left beside it.
        try PNGWriter.write(RGBImage(width: 4, height: 3), to: path)
        XCTAssertEqual(mode(path), 0o600)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["face.png"])
    }

    func testASymbolicLinkPlantedAtThePNGsNameIsReplacedNotWrittenThrough() throws {
        let victim = folder + "/victim.txt"
        try Data("precious".utf8).write(to: URL(fileURLWithPath: victim))
        let path = folder + "/DEMO-0001-SIM000001.png"
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: victim)

        try PNGWriter.write(RGBImage(width: 4, height: 3), to: path)

        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious", "the link's target is untouched")
        XCTAssertFalse(isSymbolicLink(path), "the link itself was replaced by the face")
        XCTAssertEqual(Array(try Data(contentsOf: URL(fileURLWithPath: path)).prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        XCTAssertEqual(mode(path), 0o600)
    }

    func testAFolderAtTheNameIsRefused() throws {
        let path = folder + "/taken"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        XCTAssertThrowsError(try PrivateFile.write([1, 2, 3], to: path))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), ["taken"], "no temporary file is left")
    }

    // MARK: Folders

    func testFoldersAreMade0700AndAnExistingFolderIsLeftAlone() throws {
        let nested = folder + "/var/lib/sscard/faces"
        try PrivateFile.makeFolder(nested)
        for path in [folder + "/var", folder + "/var/lib", folder + "/var/lib/sscard", nested] {
            XCTAssertEqual(mode(path), 0o700, path)
        }

        let operators = folder + "/operators"
        XCTAssertEqual(mkdir(operators, 0o755), 0)
        try PrivateFile.makeFolder(operators)
        XCTAssertEqual(mode(operators), 0o755, "a folder the operator made keeps its mode")
        XCTAssertTrue(PrivateFile.isOpenToOthers(operators))
        XCTAssertFalse(PrivateFile.isOpenToOthers(nested))

        try Data().write(to: URL(fileURLWithPath: folder + "/file"))
        XCTAssertThrowsError(try PrivateFile.makeFolder(folder + "/file"))
    }

    /// The package makes /var/lib/sscard root:sscard 2770: a folder shared with the desk's group
    /// and setgid is accepted; group access without setgid or the group, and any world access, is not.
    func testTheDeskGroupsSetgidFolderIsSharedNotOpen() throws {
        let shared = folder + "/shared"
        XCTAssertEqual(mkdir(shared, 0o700), 0)
        var info = stat()
        XCTAssertEqual(stat(shared, &info), 0)
        let group = info.st_gid
        let other = group &+ 1
        XCTAssertEqual(chmod(shared, 0o2770), 0)
        XCTAssertEqual(mode(shared), 0o2770, "the setgid bit stays on a folder of our own group")
        XCTAssertFalse(PrivateFile.isOpenBeyondDeskGroup(shared, sharedGroup: group), "root:sscard 2770 is the desk's")
        XCTAssertTrue(PrivateFile.isOpenBeyondDeskGroup(shared, sharedGroup: other), "another group than the desk's")
        XCTAssertTrue(PrivateFile.isOpenBeyondDeskGroup(shared, sharedGroup: nil), "no sscard group on this system")
        XCTAssertEqual(chmod(shared, 0o2775), 0)
        XCTAssertTrue(PrivateFile.isOpenBeyondDeskGroup(shared, sharedGroup: group), "world access is flagged even so")
        XCTAssertEqual(chmod(shared, 0o0770), 0)
        XCTAssertTrue(PrivateFile.isOpenBeyondDeskGroup(shared, sharedGroup: group), "group access without setgid")
        XCTAssertEqual(chmod(shared, 0o0700), 0)
        XCTAssertFalse(PrivateFile.isOpenBeyondDeskGroup(shared, sharedGroup: nil), "the owner's alone")

        // A file is never "shared": group read on a database file is flagged.
        let file = shared + "/station.sqlite"
        try PrivateFile.write([1], to: file)
        XCTAssertFalse(PrivateFile.isOpenBeyondDeskGroup(file, sharedGroup: group))
        XCTAssertEqual(chmod(file, 0o640), 0)
        XCTAssertTrue(PrivateFile.isOpenBeyondDeskGroup(file, sharedGroup: group))
        XCTAssertFalse(PrivateFile.isOpenBeyondDeskGroup(folder + "/missing", sharedGroup: group))
    }

    func testTemporaryFoldersAreNewAndPrivate() throws {
        let a = try PrivateFile.makeTemporaryFolder(prefix: "sscard-test-")
        let b = try PrivateFile.makeTemporaryFolder(prefix: "sscard-test-")
        defer { try? FileManager.default.removeItem(atPath: a); try? FileManager.default.removeItem(atPath: b) }
        XCTAssertNotEqual(a, b)
        XCTAssertEqual(mode(a), 0o700)
        XCTAssertTrue(URL(fileURLWithPath: a).lastPathComponent.hasPrefix("sscard-test-"))
        XCTAssertEqual(mode(folder), 0o700)
    }

    // MARK: SQLite files

    func testADatabaseIsCreatedOwnerOnlyAndALegacyOneNarrowed() throws {
        let path = folder + "/books.sqlite"
        try PrivateFile.prepareDatabase(at: path)
        XCTAssertEqual(mode(path), 0o600)

        // Files an earlier version left readable by all become 0600.
        for name in [path, path + "-wal", path + "-shm"] {
            XCTAssertTrue(FileManager.default.createFile(atPath: name, contents: Data([1])))
            XCTAssertEqual(chmod(name, 0o644), 0)
        }
        try PrivateFile.prepareDatabase(at: path)
        for name in [path, path + "-wal", path + "-shm"] { XCTAssertEqual(mode(name), 0o600, name) }
    }

    func testADatabasePathThatIsASymbolicLinkIsRefused() throws {
        let victim = folder + "/victim"
        try Data("precious".utf8).write(to: URL(fileURLWithPath: victim))
        XCTAssertEqual(chmod(victim, 0o644), 0)
        let path = folder + "/station.sqlite"
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: victim)
        XCTAssertThrowsError(try PrivateFile.prepareDatabase(at: path)) { error in
            XCTAssertEqual((error as? PrivateFileError)?.code, ELOOP)
            XCTAssertTrue("\(error)".contains("符号链接") && "\(error)".contains("symbolic link"), "\(error)")
        }
        XCTAssertEqual(mode(victim), 0o644, "the target's mode is not changed through the link")
    }

    // MARK: Names from outside

    func testFileNamePartsFollowAStrictPattern() {
        for good in ["DEMO-0001", "APP_1", "a", "CRASH-12", String(repeating: "9", count: 64)] {
            XCTAssertTrue(FileNamePart.isSafe(good), good)
        }
        for bad in ["", "../x", "..", ".", "a/b", "/etc/passwd", ".hidden", "-rf", "测试 0100", "a b", "x\0y",
                    "a\\b", String(repeating: "9", count: 65)] {
            XCTAssertFalse(FileNamePart.isSafe(bad), bad)
        }
        XCTAssertTrue(FileNamePart.isCardNumber("SIM000001"))
        XCTAssertTrue(FileNamePart.isCardNumber("A01000001"))
        for bad in ["../../x1", "SIM00001", "sim000001", "SIM0000010", "SIM/00001"] {
            XCTAssertFalse(FileNamePart.isCardNumber(bad), bad)
        }
    }
}
