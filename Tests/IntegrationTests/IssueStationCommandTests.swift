import Foundation
import SSCardDriver
import XCTest
import InstantIssue

/// `issue-station` as a clerk runs it, against a station database in a temporary folder and
/// without pcscd: what the books commands print, and that every error is one sentence and the
/// next step, in the chosen language, never a stack trace or a Swift dump.
final class IssueStationCommandTests: XCTestCase {
    var folder: URL!
    var stationConfig: String { folder.appendingPathComponent("station.json").path }
    var databasePath: String { folder.appendingPathComponent("db/station.sqlite").path }

    static let goodFileName = "YZKCG_工商银行_广州市社保卡管理中心_B001_2_金邦达_102581000013_20240501120000.txt"
    static let goodFile = """
        2
        序号,社保卡号,身份证号,姓名,制卡日期,有效期至,卡识别码,卡复位码,个人账户,银行卡号,银行账户,装箱位置
        1,A01000001,,,20240415,,440100D1560000050001000000000001,008C544CB386844116018593CA,901000000000000001,6222001000000000001,101000000000000001,箱1-1
        2,A01000002,,,20240415,,440100D1560000050001000000000002,008C544CB386844116018593CA,901000000000000002,6222001000000000002,101000000000000002,箱1-2

        """

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("issue-station-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try write("station.json", #"{"databasePath": "db/station.sqlite", "driverConfigurationPath": "driver.json"}"#)
        // A reader no machine has: `card read` fails the same way with or without pcscd.
        try write("driver.json", #"{"contactReader": "NoSuchReader-7f3a", "cardTimeoutSeconds": 1, "printer": {"kind": "none"}, "hoppers": {"工商银行": 1}}"#)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    func station(_ arguments: [String], language: String? = nil) throws -> (status: Int32, output: String) {
        // Only the commands that record a move take the clerk.
        let clerk = arguments.first == "inventory" && arguments.dropFirst().first != "list" ? ["--clerk", "测试员"] : []
        return try StationCLI.run(arguments + ["--config", stationConfig] + clerk + (language.map { ["--lang", $0] } ?? []))
    }

    /// No trace of a crash or of Swift's rendering of an error value.
    func assertNoDump(_ output: String, file: StaticString = #filePath, line: UInt = #line) {
        for marker in ["Fatal error", "Stack dump", "Backtrace", "Error(", "Context(", "codingPath", "underlying:"] {
            XCTAssertFalse(output.contains(marker), "output shows “\(marker)”:\n\(output)", file: file, line: line)
        }
    }

    /// The error printer's two lines and nothing else.
    func assertOneSentenceAndNextStep(_ output: String, chinese: Bool, file: StaticString = #filePath, line: UInt = #line) {
        let lines = output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, "expected the error and the next step:\n\(output)", file: file, line: line)
        if chinese {
            XCTAssertTrue(lines.first?.hasPrefix("错误：") == true && lines.first?.hasSuffix("。") == true, output, file: file, line: line)
            XCTAssertTrue(lines.last?.hasPrefix("下一步：") == true, output, file: file, line: line)
        } else {
            XCTAssertTrue(lines.first?.hasPrefix("Error: ") == true && lines.first?.hasSuffix(".") == true, output, file: file, line: line)
            XCTAssertTrue(lines.last?.hasPrefix("Next: ") == true, output, file: file, line: line)
        }
        assertNoDump(output, file: file, line: line)
    }

    // MARK: Import errors

    func testImportOfABadFileSaysWhyAndWhatToDoInChinese() throws {
        let bad = try write(Self.goodFileName, Self.goodFile.replacingOccurrences(of: "A01000002", with: "a0100000?"))
        let (status, output) = try station(["inventory", "import", bad])
        XCTAssertEqual(status, 1, output)
        assertOneSentenceAndNextStep(output, chinese: true)
        XCTAssertTrue(output.contains("第4行"), output)
        XCTAssertTrue(output.contains("社保卡号"), output)
        XCTAssertTrue(output.contains("整个文件都没有导入"), output)
    }

    func testImportOfABadFileSaysWhyAndWhatToDoInEnglish() throws {
        let bad = try write(Self.goodFileName, Self.goodFile.replacingOccurrences(of: "A01000002", with: "a0100000?"))
        let (status, output) = try station(["inventory", "import", bad], language: "en")
        XCTAssertEqual(status, 1, output)
        assertOneSentenceAndNextStep(output, chinese: false)
        XCTAssertTrue(output.contains("line 4, card number"), output)
        XCTAssertTrue(output.contains("nothing was imported"), output)
        XCTAssertFalse(output.contains("错误"), output)
    }

    func testSSCARD_LANGChoosesEnglish() throws {
        let (status, output) = try StationCLI.run(["inventory", "import", folder.appendingPathComponent("missing.txt").path,
                                                   "--config", stationConfig, "--clerk", "x"],
                                                  environment: ["SSCARD_LANG": "en"])
        XCTAssertEqual(status, 1, output)
        assertOneSentenceAndNextStep(output, chinese: false)
    }

    func testImportDetailsListsEveryProblem() throws {
        let bad = try write("YZKCG_bad.txt", "3\nnot the header\n")
        let (status, output) = try station(["inventory", "import", bad, "--details"])
        XCTAssertEqual(status, 1, output)
        XCTAssertGreaterThan(output.split(separator: "\n").count, 3, output)
        assertNoDump(output)
    }

    // MARK: Logs

    /// `--log-level` (or SSCARD_LOG_LEVEL): a one-shot command logs nothing unless asked; asked, a
    /// refused and an accepted import are logged on stderr. (What the masking cuts: LogMaskingTests.)
    func testLogLevelLogsImportsMaskedAndABadLevelIsAUsageError() throws {
        let good = try write(Self.goodFileName, Self.goodFile)
        let quiet = try ToolRunner.execute(ToolRunner.productsDirectory.appendingPathComponent("issue-station"),
                                           ["inventory", "import", good, "--config", stationConfig, "--clerk", "测试员"],
                                           environment: ProcessInfo.processInfo.environment.merging(["SSCARD_LOG_LEVEL": ""]) { $1 })
        XCTAssertEqual(quiet.status, 0, quiet.output)
        XCTAssertFalse(quiet.errors.contains("sscard.station"), quiet.errors)

        let again = try ToolRunner.execute(ToolRunner.productsDirectory.appendingPathComponent("issue-station"),
                                           ["inventory", "import", good, "--config", stationConfig, "--clerk", "测试员", "--log-level", "info"])
        XCTAssertNotEqual(again.status, 0, again.output)
        XCTAssertTrue(again.errors.contains("warning sscard.station"), again.errors)
        XCTAssertTrue(again.errors.contains("return file refused"), again.errors)

        // The environment asks as well as the option; an import that goes through is info.
        let secondFile = try write(Self.goodFileName.replacingOccurrences(of: "B001", with: "B002"),
                                   Self.goodFile.replacingOccurrences(of: "A0100000", with: "A0200000")
                                       .replacingOccurrences(of: "05000100000000000", with: "05000200000000000")
                                       .replacingOccurrences(of: "622200100000000000", with: "622200200000000000"))
        let logged = try ToolRunner.execute(ToolRunner.productsDirectory.appendingPathComponent("issue-station"),
                                            ["inventory", "import", secondFile, "--config", stationConfig, "--clerk", "测试员"],
                                            environment: ProcessInfo.processInfo.environment.merging(["SSCARD_LOG_LEVEL": "info"]) { $1 })
        XCTAssertEqual(logged.status, 0, logged.output)
        XCTAssertTrue(logged.errors.contains("info sscard.station"), logged.errors)
        XCTAssertTrue(logged.errors.contains("cards=2"), logged.errors)
        XCTAssertTrue(logged.errors.contains("return file imported"), logged.errors)

        let bad = try StationCLI.run(["inventory", "list", "--config", stationConfig, "--log-level", "verbose"])
        XCTAssertEqual(bad.status, 64, bad.output)
        XCTAssertTrue(bad.output.contains("verbose"), bad.output)
    }

    // MARK: The books

    func testImportLoadSpoilStocktakeAndExport() throws {
        let good = try write(Self.goodFileName, Self.goodFile)
        var (status, output) = try station(["inventory", "import", good])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("已导入 2 张工商银行预制卡"), output)

        (status, output) = try station(["inventory", "load", "--hopper", "2", "--bank", "工商银行", "--count", "1"])
        XCTAssertEqual(status, 1, output)   // the driver configuration puts 工商银行 in hopper 1
        assertOneSentenceAndNextStep(output, chinese: true)

        (status, output) = try station(["inventory", "load", "--hopper", "1", "--bank", "工商银行", "--count", "1"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("A01000001\t箱1-1"), output)

        (status, output) = try station(["inventory", "spoil", "A01000002", "--reason", "芯片损坏"])
        XCTAssertEqual(status, 0, output)
        (status, output) = try station(["inventory", "spoil", "A01000002", "--reason", "芯片损坏"])
        XCTAssertEqual(status, 1, output)
        assertOneSentenceAndNextStep(output, chinese: true)

        (status, output) = try station(["inventory", "list", "--state", "spoiled"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("A01000002") && !output.contains("A01000001"), output)
        XCTAssertFalse(output.contains("6222001000000000002"), "bank card numbers are never listed:\n\(output)")

        (status, output) = try station(["inventory", "stocktake"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("卡盒1\t工商银行\tA01000001"), output)
        XCTAssertTrue(output.contains("账目相符"), output)

        let csv = folder.appendingPathComponent("ledger.csv").path
        (status, output) = try station(["ledger", "export", "--out", csv])
        XCTAssertEqual(status, 0, output)
        let exported = try String(contentsOfFile: csv, encoding: .utf8)
        XCTAssertTrue(exported.contains("yzkcg.import") && exported.contains("stock.take"), exported)
    }

    func testStocktakeOnAFreshDatabase() throws {
        let (status, output) = try station(["inventory", "stocktake"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("导入合计：0"), output)
        XCTAssertTrue(output.contains("账目相符"), output)
        let (enStatus, english) = try station(["inventory", "stocktake", "--dry-run"], language: "en")
        XCTAssertEqual(enStatus, 0, english)
        XCTAssertTrue(english.contains("The books add up"), english)
    }

    func testLedgerVerifyFindsTamperingAndExitsNonZero() throws {
        let sqlite = "/usr/bin/sqlite3"
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: sqlite), "needs the sqlite3 tool to tamper with the file")
        let good = try write(Self.goodFileName, Self.goodFile)
        XCTAssertEqual(try station(["inventory", "import", good]).status, 0)
        XCTAssertEqual(try station(["inventory", "stocktake"]).status, 0)
        var (status, output) = try station(["ledger", "verify"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("台账完好：共 2 条记录"), output)

        // Someone edits the books behind the station's back (the triggers must go first).
        let tamper = try ToolRunner.run(URL(fileURLWithPath: sqlite), [databasePath, """
            DROP TRIGGER IF EXISTS audit_ledger_no_update; UPDATE audit_ledger SET clerk = '别人' WHERE seq = 1;
            """])
        XCTAssertEqual(tamper.status, 0, tamper.output)
        (status, output) = try station(["ledger", "verify"])
        XCTAssertEqual(status, 2, output)
        XCTAssertTrue(output.contains("台账被改动过"), output)
        XCTAssertTrue(output.contains("下一步："), output)
        assertNoDump(output)
    }

    func testLedgerKeyFileAndCheckpointsThroughTheCommand() throws {
        let good = try write(Self.goodFileName, Self.goodFile)
        XCTAssertEqual(try station(["inventory", "import", good]).status, 0)
        // The key sits beside station.json, not beside the database.
        let key = folder.appendingPathComponent("ledger.key").path
        let attributes = try FileManager.default.attributesOfItem(atPath: key)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o600)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("db/ledger.key").path))

        var (status, output) = try station(["ledger", "verify"], language: "en")
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("Agrees with the 1 checkpoint the") && output.contains("entry #1 sent as a new checkpoint"), output)
        (status, output) = try station(["ledger", "verify"], language: "en")
        XCTAssertTrue(output.contains("Agrees with the 1 checkpoint the") && !output.contains("sent as a new"), output)
        XCTAssertFalse(output.contains(try String(contentsOfFile: key, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)),
                       "the key is never printed")

        let moved = key + ".away"
        try FileManager.default.moveItem(atPath: key, toPath: moved)
        (status, output) = try station(["ledger", "verify"])
        XCTAssertEqual(status, 1, output)
        assertOneSentenceAndNextStep(output, chinese: true)
        XCTAssertTrue(output.contains("台账密钥文件") && output.contains("备份恢复"), output)
        (status, output) = try station(["inventory", "stocktake"])
        XCTAssertEqual(status, 1, "no stock-take without its ledger entry:\n\(output)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: key), "no new key is made for a keyed ledger")
        try FileManager.default.moveItem(atPath: moved, toPath: key)
        XCTAssertEqual(try station(["ledger", "verify"]).status, 0)
    }

    func testADatabaseHeldByAnotherStationIsOneSentence() throws {
        // The lock file is held with flock by a child process standing in for a second station.
        try FileManager.default.createDirectory(atPath: folder.appendingPathComponent("db").path, withIntermediateDirectories: true)
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        holder.arguments = [databasePath + ".lock", "sleep", "5"]
        try XCTSkipUnless(FileManager.default.isExecutableFile(atPath: "/usr/bin/flock"), "needs flock(1)")
        try holder.run()
        defer { holder.terminate(); holder.waitUntilExit() }
        var (status, output) = (Int32(0), "")
        for _ in 0..<50 {
            (status, output) = try station(["inventory", "list"])
            if status != 0 { break }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTAssertEqual(status, 1, output)
        assertOneSentenceAndNextStep(output, chinese: true)
        XCTAssertTrue(output.contains("另一个制卡站程序"), output)
    }

    // MARK: Personal data on disk

    static func mode(_ path: String) -> mode_t? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return nil }
        return info.st_mode & 0o7777
    }

    func testTheDatabaseFolderAndFileTheStationMakesAreOwnerOnly() throws {
        let saved = umask(0o022)  // inherited by the command
        defer { umask(saved) }
        let (status, output) = try station(["inventory", "stocktake"])
        XCTAssertEqual(status, 0, output)
        XCTAssertEqual(Self.mode(folder.appendingPathComponent("db").path), 0o700)
        XCTAssertEqual(Self.mode(databasePath), 0o600)
        XCTAssertEqual(Self.mode(databasePath + ".lock"), 0o600)
    }

    /// A station whose faces go to `folder/faces`, with `retention`.
    func facesConfig(_ retention: String) throws -> String {
        try write("station-faces.json", #"{"databasePath": "db/station.sqlite", "driverConfigurationPath": "driver.json", "outputDirectory": "faces", "cardFaceRetention": "\#(retention)"}"#)
    }

    @discardableResult
    func face(_ name: String) throws -> String {
        let faces = folder.appendingPathComponent("faces")
        try FileManager.default.createDirectory(at: faces, withIntermediateDirectories: true)
        return try write("faces/" + name, "png")
    }

    func testFacesPurgeDeletesTheFacesOfCompleteIssuances() throws {
        let config = try facesConfig("until-complete")
        let complete = try face("DEMO-0001-SIM000001.png")
        let unfinished = try face("DEMO-0002-SIM000002.png")
        let other = try face("readme.txt")
        // The journal: DEMO-0001 activated (complete), DEMO-0002 made but not yet collected.
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("db"), withIntermediateDirectories: true)
        let database = try StationDatabase(path: databasePath)
        let journal = Journal(database: database)
        try journal.append(applicationID: "DEMO-0001", cardNumber: CardNumber("SIM000001")!, step: .activate, stage: .done, phaseBefore: .reported, phaseAfter: .activated)
        try journal.append(applicationID: "DEMO-0002", cardNumber: CardNumber("SIM000002")!, step: .reportProduced, stage: .done, phaseBefore: .printed, phaseAfter: .reported)
        try database.close()

        var (status, output) = try StationCLI.run(["faces", "purge", "--config", config])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("已删除") && output.contains("中的 1 个卡面图片") && output.contains("1 个所属办卡尚未完成"), output)
        XCTAssertNil(Self.mode(complete))
        XCTAssertNotNil(Self.mode(unfinished))

        (status, output) = try StationCLI.run(["faces", "purge", "--older-than-days", "0", "--config", config, "--lang", "en"])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("Deleted 1 card-face images"), output)
        XCTAssertNil(Self.mode(unfinished))
        XCTAssertNotNil(Self.mode(other), "only face files are touched")
        assertNoDump(output)
    }

    func testFacesPurgeUnderKeepDeletesNothingAndABadAgeIsAUsageError() throws {
        let config = try facesConfig("keep")
        let kept = try face("DEMO-0001-SIM000001.png")
        var (status, output) = try StationCLI.run(["faces", "purge", "--config", config])
        XCTAssertEqual(status, 0, output)
        XCTAssertTrue(output.contains("keep"), output)
        XCTAssertNotNil(Self.mode(kept))

        (status, output) = try StationCLI.run(["faces", "purge", "--older-than-days", "99999", "--config", config])
        XCTAssertEqual(status, 64, output)
        XCTAssertTrue(output.contains("--older-than-days 应为 0 至 3650"), output)
        assertNoDump(output)

        let bad = try write("bad-retention.json", #"{"cardFaceRetention": "forever"}"#)
        (status, output) = try StationCLI.run(["faces", "purge", "--config", bad])
        XCTAssertEqual(status, 1, output)
        XCTAssertTrue(output.contains("cardFaceRetention"), output)
        assertOneSentenceAndNextStep(output, chinese: true)
    }

    func testDoctorWarnsWhenOthersCanReadTheFacesFolder() throws {
        let config = try facesConfig("until-complete")
        let faces = folder.appendingPathComponent("faces").path
        XCTAssertEqual(mkdir(faces, 0o755), 0)
        XCTAssertEqual(chmod(faces, 0o755), 0)
        var (_, output) = try StationCLI.run(["doctor", "--config", config])
        XCTAssertTrue(output.contains("⚠ 个人数据的访问权限") && output.contains("\(faces)（755）"), output)
        XCTAssertTrue(output.contains("chmod 700"), output)
        XCTAssertEqual(Self.mode(faces), 0o755, "doctor only looks; the operator's folder is left as it is")

        XCTAssertEqual(chmod(faces, 0o700), 0)
        (_, output) = try StationCLI.run(["doctor", "--config", config, "--lang", "en"])
        XCTAssertTrue(output.contains("✓ Access to personal data"), output)
    }

    // MARK: doctor and the card

    func testDoctorWithABadConfigurationSaysWhatIsWrong() throws {
        let bad = try write("bad.json", "{ this is not json")
        let (status, output) = try StationCLI.run(["doctor", "--config", bad])
        XCTAssertEqual(status, 2, output)
        XCTAssertTrue(output.contains("✗ 站点配置"), output)
        XCTAssertTrue(output.contains("不是有效的 JSON"), output)
        XCTAssertTrue(output.contains("→ "), output)
        assertNoDump(output)

        let wrongType = try write("wrong.json", #"{"terminal": 12}"#)
        let (_, typed) = try StationCLI.run(["doctor", "--config", wrongType, "--lang", "en"])
        XCTAssertTrue(typed.contains("✗ Station configuration") && typed.contains("terminal"), typed)
        assertNoDump(typed)
    }

    func testIssuingCommandsExplainABadConfigurationByKey() throws {
        let wrongType = try write("wrong.json", #"{"terminal": 12}"#)
        for command in [["issue", "DEMO-0001"], ["recover"], ["activate", "DEMO-0001"]] {
            let (status, output) = try StationCLI.run(command + ["--config", wrongType, "--clerk", "测试员"])
            XCTAssertEqual(status, 1, output)
            XCTAssertTrue(output.contains("terminal"), "\(command): \(output)")
            assertOneSentenceAndNextStep(output, chinese: true)
        }
    }

    func testDoctorChecksTheDatabaseAndBooks() throws {
        XCTAssertEqual(try station(["inventory", "stocktake"]).status, 0)
        let (_, output) = try StationCLI.run(["doctor", "--config", stationConfig])
        XCTAssertTrue(output.contains("✓ 站点配置"), output)
        XCTAssertTrue(output.contains("✓ 驱动配置"), output)
        XCTAssertTrue(output.contains("✓ 数据库"), output)
        XCTAssertTrue(output.contains("✓ 台账"), output)
        XCTAssertTrue(output.contains("✓ 库存账目"), output)
        // The reader named in driver.json exists nowhere, so doctor always fails here.
        XCTAssertTrue(output.contains("✗ 接触式读卡器") || output.contains("✗ PC/SC"), output)
    }

    func testCardReadWithoutAReaderSaysSoInOneSentence() throws {
        let (status, output) = try station(["card", "read"])
        XCTAssertEqual(status, 1, output)
        assertOneSentenceAndNextStep(output, chinese: true)
        XCTAssertTrue(output.contains("pcscd") || output.contains("读卡器"), output)
        XCTAssertTrue(output.contains("issue-station doctor") || output.contains("issue-station readers"), output)
    }

    func testUsageErrorsExitWithoutATrace() throws {
        let (status, output) = try station(["inventory", "load", "--hopper", "12", "--bank", "工商银行", "--count", "1"])
        XCTAssertEqual(status, 64, output)
        XCTAssertTrue(output.contains("卡盒号应为 1 至 9"), output)
        assertNoDump(output)
    }
}

/// Runs the built `issue-station` with a clean environment (no SSCARD_* from the caller's shell),
/// stdout and stderr together.
enum StationCLI {
    static func run(_ arguments: [String], environment extra: [String: String] = [:]) throws -> (status: Int32, output: String) {
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SSCARD_") }
        environment.merge(extra) { $1 }
        return try ToolRunner.run(ToolRunner.productsDirectory.appendingPathComponent("issue-station"), arguments, environment: environment)
    }
}
