import Foundation
import XCTest
import SSCardDriver

/// The version is written in one place, the repository's VERSION file; the Swift constant
/// mirrors it (scripts/set-version.sh writes both) and the packaging script reads the file.
final class ReleaseVersionTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testConstantMirrorsTheVERSIONFile() throws {
        let file = try String(contentsOf: Self.root.appendingPathComponent("VERSION"), encoding: .utf8)
        XCTAssertEqual(file, ReleaseVersion.text + "\n", "run scripts/set-version.sh \(file.trimmingCharacters(in: .whitespacesAndNewlines))")
    }

    func testVersionIsMajorMinorPatch() {
        // Debian and pkg-config compare versions; three numbers keep both simple.
        XCTAssertNotNil(ReleaseVersion.text.range(of: #"^[0-9]+\.[0-9]+\.[0-9]+$"#, options: .regularExpression), ReleaseVersion.text)
    }
}
