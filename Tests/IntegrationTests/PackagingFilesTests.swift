import Foundation
import XCTest

/// The files scripts/package.sh puts in the Debian packages, checked without building them
/// (scripts/test-package.sh builds, installs and purges them): every systemd unit is hardened
/// and runs as the sscard user; the maintainer scripts make the group and the 2770 folder;
/// the packaging reads the version from the VERSION file.
final class PackagingFilesTests: XCTestCase {
    static let root = CProgramHarness.packageRoot

    static func units() throws -> [(name: String, text: String)] {
        let folder = root.appendingPathComponent("packaging/systemd")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".service") }.sorted().map {
            ($0, try String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8))
        }
    }

    /// `Key=value` lines of a unit.
    static func settings(_ text: String) -> [String: [String]] {
        var found: [String: [String]] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && line.contains("=") {
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            found[String(parts[0]), default: []].append(parts.count > 1 ? String(parts[1]) : "")
        }
        return found
    }

    func testEveryUnitIsHardenedAndRunsAsTheDeskUser() throws {
        let units = try Self.units()
        XCTAssertEqual(units.map(\.name), ["sscard-bridge.service", "sscard-desk.service", "sscard-province-sim.service", "sscard-vcard.service", "sscard-vprinter.service"])
        for (name, text) in units {
            let s = Self.settings(text)
            XCTAssertEqual(s["User"], ["sscard"], name)
            XCTAssertEqual(s["ProtectSystem"], ["strict"], name)
            XCTAssertEqual(s["PrivateTmp"], ["yes"], name)
            XCTAssertEqual(s["NoNewPrivileges"], ["yes"], name)
            XCTAssertEqual(s["ProtectHome"], ["yes"], name)
            XCTAssertEqual(s["CapabilityBoundingSet"], [""], "\(name): no capabilities")
            XCTAssertTrue(s["PrivateDevices"] == ["yes"] || s["DevicePolicy"] == ["closed"], "\(name): no device nodes but those allowed")
            XCTAssertTrue(s["ExecStart"]?.first?.hasPrefix("/usr/bin/issue-station ") == true, name)
            // Beside Debian's socket-activated pcscd: never a hard Requires on pcscd.service.
            XCTAssertNil(s["Requires"], name)
            XCTAssertFalse(text.contains("pcscd.service"), "\(name) must not start pcscd.service itself")
        }
    }

    func testMaintainerScriptsMakeTheGroupAndFolderAndPurgeThem() throws {
        let postinst = try String(contentsOf: Self.root.appendingPathComponent("packaging/station/postinst"), encoding: .utf8)
        XCTAssertTrue(postinst.contains("groupadd --system sscard"))
        XCTAssertTrue(postinst.contains("install -d -o root -g sscard -m 2770 /var/lib/sscard"))
        XCTAssertTrue(postinst.contains("udevadm control --reload-rules"))
        let postrm = try String(contentsOf: Self.root.appendingPathComponent("packaging/station/postrm"), encoding: .utf8)
        XCTAssertTrue(postrm.contains("rmdir /var/lib/sscard"), "only an empty folder is removed")
        XCTAssertFalse(postrm.contains("rm -rf"), "a package tool never deletes a desk's database")
        XCTAssertTrue(postrm.contains("groupdel sscard"))
    }

    func testPackagesTakeTheVersionFromTheVERSIONFile() throws {
        let script = try String(contentsOf: Self.root.appendingPathComponent("scripts/package.sh"), encoding: .utf8)
        XCTAssertTrue(script.contains("< VERSION"), "package.sh reads VERSION")
        XCTAssertFalse(script.contains("1.0.0"), "no version written into the script")
    }
}
