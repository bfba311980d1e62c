import Foundation
import XCTest

/// Every clerk and technician command's help screen: Chinese and English sentences, exit 0.
/// Help is printed before options are parsed, so it carries both languages. No pcscd needed.
final class IssueStationHelpTests: XCTestCase {
    /// Command path, a Chinese phrase and an English phrase its help must hold.
    static let screens: [([String], String, String)] = [
        (["issue"], "即时制卡", "Makes an applicant's card while they wait"),
        (["recover"], "制卡补登", "Finishes interrupted issuances"),
        (["activate"], "领卡启用", "Activates a card"),
        (["inventory"], "管理预制卡库存", "Keeps the pre-made card stock"),
        (["inventory", "import"], "回盘文件", "Imports a return file"),
        (["inventory", "list"], "列出账上的预制卡", "Lists the pre-made cards"),
        (["inventory", "load"], "装入制卡机的卡盒", "into a printer hopper"),
        (["inventory", "unload"], "退回保险柜", "returning a hopper's pre-made cards"),
        (["inventory", "stocktake"], "每日盘点", "daily count"),
        (["inventory", "spoil"], "登记为作废", "as spoiled"),
        (["ledger"], "台账", "The ledger"),
        (["ledger", "export"], "导出为 CSV", "as a CSV file"),
        (["ledger", "verify"], "哈希链", "hash chain"),
        (["card"], "社保密码业务", "Reads a card"),
        (["card", "read"], "基本信息", "basic information"),
        (["card", "verify-pin"], "校验是否正确", "checks it"),
        (["card", "change-pin"], "修改社保密码", "change the PIN"),
        (["card", "unblock"], "解锁", "Unblocks a locked PIN"),
        (["card", "reset-pin"], "重置密码", "Resets a forgotten or locked PIN"),
        (["printer"], "制卡机", "The card printer"),
        (["printer", "status"], "废卡盒", "reject box"),
        (["printer", "test-print"], "测试卡", "test card"),
        (["readers"], "读卡器", "card readers"),
        (["doctor"], "开机检查", "morning check"),
        (["faces"], "卡面图片", "The card-face images"),
        (["faces", "purge"], "保留期限已过", "Deletes the card-face images"),
        (["vcard"], "模拟社保卡", "virtual reader (vpcd)"),
        (["vprinter"], "虚拟制卡机", "Runs a virtual card printer"),
        (["province-sim"], "模拟省卡管系统", "as an HTTP service"),
        (["bridge"], "浏览器桥", "Runs the browser bridge"),
        (["serve"], "制卡台网页", "Runs the clerk's web desk"),
        (["conformance"], "测试任一社保卡驱动库", "Tests any SSCardDriver library"),
    ]

    func testEveryHelpScreenHasChineseAndEnglishSentencesAndExitsZero() throws {
        for (path, chinese, english) in Self.screens {
            let (status, help) = try StationCLI.run(path + ["--help"])
            XCTAssertEqual(status, 0, "\(path.joined(separator: " ")) --help:\n\(help)")
            XCTAssertTrue(help.contains(chinese), "\(path) help lacks “\(chinese)”:\n\(help)")
            XCTAssertTrue(help.contains(english), "\(path) help lacks “\(english)”:\n\(help)")
            XCTAssertTrue(help.contains("。"), "\(path) help has no Chinese sentence:\n\(help)")
        }
    }

    /// `issue-station --version` prints the repository's VERSION file and nothing else.
    func testVersionPrintsTheVERSIONFile() throws {
        let expected = try String(contentsOf: CProgramHarness.packageRoot.appendingPathComponent("VERSION"), encoding: .utf8)
        let (status, output) = try StationCLI.run(["--version"])
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), expected.trimmingCharacters(in: .whitespacesAndNewlines))
        XCTAssertTrue(output.range(of: #"^[0-9]+\.[0-9]+\.[0-9]+\n?$"#, options: .regularExpression) != nil, output)
    }

    func testLeafCommandsOfferLanguageAndConfiguration() throws {
        for (path, _, _) in Self.screens where path.count == 2 || ["issue", "recover", "activate", "readers", "doctor"].contains(path[0]) {
            let (_, help) = try StationCLI.run(path + ["--help"])
            XCTAssertTrue(help.contains("--lang <zh|en>"), "\(path) lacks --lang:\n\(help)")
            XCTAssertTrue(help.contains("--config <file>"), "\(path) lacks --config:\n\(help)")
        }
    }

    /// The technician's virtual devices and the simulated province system read no station
    /// configuration: `--lang` only.
    func testVirtualDevicesOfferLanguageWithoutConfiguration() throws {
        for command in ["vcard", "vprinter", "province-sim"] {
            let (_, help) = try StationCLI.run([command, "--help"])
            XCTAssertTrue(help.contains("--lang <zh|en>"), "\(command) lacks --lang:\n\(help)")
            XCTAssertFalse(help.contains("--config"), "\(command) offers --config:\n\(help)")
        }
    }

    /// The simulator's desk registry (docs/province-api.md §4), under province-sim.
    func testProvinceSimDesksHelp() throws {
        for (path, chinese, english) in [(["province-sim", "desks"], "登记、轮换、删除", "Registers, rotates"),
                                         (["province-sim", "desks", "add"], "只显示这一次", "Registers a desk"),
                                         (["province-sim", "desks", "rotate"], "旧凭据立即失效", "Gives a desk a new")] {
            let (status, help) = try StationCLI.run(path + ["--help"])
            XCTAssertEqual(status, 0, help)
            XCTAssertTrue(help.contains(chinese) && help.contains(english), "\(path):\n\(help)")
        }
    }

    func testTheTopLevelHelpListsTheCommands() throws {
        let (status, help) = try StationCLI.run(["--help"])
        XCTAssertEqual(status, 0)
        for command in ["demo", "issue", "recover", "activate", "inventory", "ledger", "card", "printer", "readers", "doctor",
                        "faces", "vcard", "vprinter", "province-sim", "bridge", "conformance", "serve"] {
            XCTAssertTrue(help.contains("  \(command) "), "top-level help lacks \(command):\n\(help)")
        }
    }
}
