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

        let (vcard, stdin, stdout) = try Self.startVCard(["--card", cardFile.path, "--quiet"])
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
        // Without --lang or SSCARD_LANG the technician reads Chinese.
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        for line in ["已在 \(cardFile.path) 新建一张空白预制卡。", "正在向 127.0.0.1:35963 的 vpcd 提供卡片：\(cardFile.path) 中的卡。",
                     "卡片已插入：已连接 127.0.0.1:35963 的 vpcd（读卡器 Virtual PCD 00 00）。", "卡片已保存到 \(cardFile.path)。"] {
            XCTAssertTrue(output.contains(line), "output lacks “\(line)”:\n\(output)")
        }
        // The image was saved and holds the same card.
        let saved = try String(contentsOf: cardFile, encoding: .utf8)
        XCTAssertTrue(saved.contains(issuer.cardIdentificationCode.hex) || saved.contains(issuer.cardNumber), saved)
    }

    /// The APDU trace a technician watches shows every command but never a PIN.
    func testTheTraceHidesThePINOfAVerify() throws {
        let (vcard, stdin, stdout) = try Self.startVCard(["--lang", "en"])
        defer { if vcard.isRunning { vcard.terminate() } }
        _ = try PCSCContext().waitForCard(in: Self.slot0, timeout: .seconds(10))

        _ = try ToolRunner.tool("/usr/bin/opensc-tool", ["-r", "0", "-s", "00 20 00 00 03 97 53 18"])
        stdin.fileHandleForWriting.write(Data("quit\n".utf8))
        vcard.waitUntilExit()
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertTrue(output.contains("> 00 20 00 00 03 ‹3 bytes hidden›"), output)
        XCTAssertFalse(output.contains("97 53 18"), output)
    }

    /// A card file vcard cannot use: the error and the next step, in Chinese by default and in
    /// English with --lang en or SSCARD_LANG=en; exit status 1 like every station command.
    func testACorruptCardFileIsOneSentenceAndTheNextStep() throws {
        let cardFile = FileManager.default.temporaryDirectory.appendingPathComponent("vcard-\(UUID().uuidString).json")
        try Data("{not a card".utf8).write(to: cardFile)
        defer { try? FileManager.default.removeItem(at: cardFile) }

        let (status, chinese) = try StationCLI.run(["vcard", "--card", cardFile.path])
        XCTAssertEqual(status, 1, chinese)
        let zh = chinese.split(separator: "\n").map(String.init)
        XCTAssertEqual(zh.count, 2, chinese)
        XCTAssertTrue(zh.first?.hasPrefix("错误：卡片映像文件 \(cardFile.path) 已损坏") == true, chinese)
        XCTAssertTrue(zh.last?.hasPrefix("下一步：") == true && zh.last?.hasSuffix("。") == true, chinese)

        let englishRuns: [(arguments: [String], environment: [String: String])] = [(["--lang", "en"], [:]), ([], ["SSCARD_LANG": "en"])]
        for (arguments, environment) in englishRuns {
            let (status, english) = try StationCLI.run(["vcard", "--card", cardFile.path] + arguments, environment: environment)
            XCTAssertEqual(status, 1, english)
            let en = english.split(separator: "\n").map(String.init)
            XCTAssertEqual(en.count, 2, english)
            XCTAssertTrue(en.first?.hasPrefix("Error: The card image file \(cardFile.path) is corrupt") == true, english)
            XCTAssertTrue(en.last?.hasPrefix("Next: ") == true && en.last?.hasSuffix(".") == true, english)
        }
    }

    /// `issue-station vcard ARGUMENTS` with no SSCARD_ settings, its input and its output (both streams).
    private static func startVCard(_ arguments: [String]) throws -> (Process, Pipe, Pipe) {
        let vcard = Process()
        vcard.executableURL = ToolRunner.productsDirectory.appendingPathComponent("issue-station")
        vcard.arguments = ["vcard"] + arguments
        vcard.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SSCARD_") }
        let stdin = Pipe()
        let stdout = Pipe()
        vcard.standardInput = stdin
        vcard.standardOutput = stdout
        vcard.standardError = stdout
        try vcard.run()
        return (vcard, stdin, stdout)
    }
}
