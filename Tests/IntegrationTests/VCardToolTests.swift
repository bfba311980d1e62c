import Foundation
import XCTest
import SSCardDriver
import SSCardSimulator

/// `issue-station vcard` as a technician runs it, seen by pcsc-tools and OpenSC.
final class VCardToolTests: PCSCStackTestCase {
    func testOpenSCToolAndPCSCScanSeeTheVirtualCard() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vcard-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let cardFile = dir.appendingPathComponent("card.json")

        let vcard = Process()
        vcard.executableURL = ToolRunner.productsDirectory.appendingPathComponent("issue-station")
        vcard.arguments = ["vcard", "--card", cardFile.path, "--quiet"]
        let stdin = Pipe()
        let stdout = Pipe()
        vcard.standardInput = stdin
        vcard.standardOutput = stdout
        vcard.standardError = stdout
        try vcard.run()
        defer { if vcard.isRunning { vcard.terminate() } }

        _ = try PCSCContext().waitForCard(in: Self.slot0, timeout: .seconds(10))

        let scan = try ToolRunner.tool("/usr/bin/pcsc_scan", ["-r"])
        XCTAssertTrue(scan.contains("Virtual PCD 00 00"), scan)

        let select = try ToolRunner.tool("/usr/bin/opensc-tool", ["-r", "0", "-s", "00 A4 04 00 0F 7378312E73682EC9E7BBE1B1A3D5CF"])
        XCTAssertTrue(select.contains("Received (SW1=0x90, SW2=0x00)") || select.contains("SW1=0x61"), select)

        // The same card read by the driver through pcscd.
        let issuer = try SocialSecurityCard(channel: session()).readIssuerData()
        XCTAssertEqual(issuer.specificationVersion, "3.00")

        stdin.fileHandleForWriting.write(Data("quit\n".utf8))
        vcard.waitUntilExit()
        XCTAssertEqual(vcard.terminationStatus, 0)
        // The image was saved and holds the same card.
        let saved = try String(contentsOf: cardFile, encoding: .utf8)
        XCTAssertTrue(saved.contains(issuer.cardIdentificationCode.hex) || saved.contains(issuer.cardNumber), saved)
    }
}
