import Foundation
import XCTest
import SSCardDriver
import SSCardSimulator

/// `issue-station demo`, the README's main job, run as a user runs it. It starts its own pcscd,
/// so this class uses no shared fixture.
final class DemoCommandTests: XCTestCase {
    func testDemoIssuesACardEndToEndAndStopsWhatItStarted() throws {
        let saved = umask(0o022)  // the usual umask, under which an ordinary file comes out 0644
        defer { umask(saved) }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let watcher = ListeningSocketWatcher()
        let (status, text) = try ToolRunner.station(["demo", "--output", output.path])
        let seen = watcher.stop()
        XCTAssertEqual(status, 0, text)
        // The demo's vpcd ports were open only to this machine, and so was everything else.
        XCTAssertEqual(Set(seen.filter { VirtualReaderStack.slotPorts.contains($0.port) }.map(\.description)),
                       ["127.0.0.1:35963", "127.0.0.1:35964"], "\(seen)")
        XCTAssertEqual(seen.filter { !$0.isLoopback }, [], "nothing listens on 0.0.0.0 or [::] while the demo runs")
        XCTAssertTrue(text.contains("[9/9]") && text.contains("制卡成功"), text)
        // iReadCardBas on the card from the good exit shows the applicant (DEMO-0001 张三).
        let readBack = try XCTUnwrap(text.split(separator: "\n").first { $0.contains("iReadCardBas") }, text)
        XCTAssertTrue(readBack.contains("|张三|") && readBack.contains("|SIM000001|"), String(readBack))
        let face = output.appendingPathComponent("DEMO-0001-SIM000001.png")
        XCTAssertTrue(text.contains(face.path), text)
        XCTAssertEqual(Array(try Data(contentsOf: face).prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        // A face shows a name, a number and a photo: the folder made for it is 0700, the file 0600.
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: output.path)[.posixPermissions] as? Int, 0o700)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: face.path)[.posixPermissions] as? Int, 0o600)
        // It ends with the handover (《广东省社会保障卡经办规程》第十二条、第十四条、第十八条): the
        // receipt's PDF, whose text holds the holder's name.
        let receipt = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("领卡签收单（PDF）：") }, text)
        let receiptPath = String(receipt.dropFirst("领卡签收单（PDF）：".count))
        XCTAssertTrue(receiptPath.hasPrefix(output.path + "/handover-receipt-DEMO-0001-"), receiptPath)
        let receiptText = try CounterDocumentTestText.pdfText(receiptPath)
        XCTAssertTrue(receiptText.contains("张三") && receiptText.contains("SIM000001"), receiptText)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: receiptPath)[.posixPermissions] as? Int, 0o600)
        XCTAssertTrue(text.contains("领卡启用完成"), text)
        XCTAssertNil(VirtualReaderStack.runningPCSCD(), "the demo stopped its pcscd")
    }

    func testDemoSpeaksEnglishWhenAsked() throws {
        let (status, text) = try ToolRunner.station(["demo", "--lang", "en", "--application", "DEMO-0002"])
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains("Card made: ") && text.contains("the card is activated"), text)
        XCTAssertTrue(text.contains("|张䄲|"), "the rare character typed for [CHUI] is on the chip: \(text)")
        // The handover receipt prints the rare character too (附件9 支持生僻字; the card's font chain).
        let receipt = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("Handover receipt (PDF): ") }, text)
        let receiptText = try CounterDocumentTestText.pdfText(String(receipt.dropFirst("Handover receipt (PDF): ".count)))
        XCTAssertTrue(receiptText.contains("张䄲"), receiptText)

        // Without --output the face is in a new private folder (mkdtemp), not a fixed /tmp/sscard-demo.
        let line = try XCTUnwrap(text.split(separator: "\n").first { $0.hasPrefix("Card face (PNG): ") }, text)
        let face = URL(fileURLWithPath: String(line.dropFirst("Card face (PNG): ".count)))
        let folder = face.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: folder) }
        XCTAssertTrue(folder.lastPathComponent.hasPrefix("sscard-demo-faces-") && folder.lastPathComponent.count > "sscard-demo-faces-".count,
                      folder.path)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: folder.path)[.posixPermissions] as? Int, 0o700)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: face.path)[.posixPermissions] as? Int, 0o600)
    }

    func testHelpScreensDescribeTheCommands() throws {
        for (args, expected) in [(["--help"], "demo"), (["demo", "--help"], "end to end"), (["vcard", "--help"], "vpcd")] {
            let (status, text) = try ToolRunner.station(args)
            XCTAssertEqual(status, 0, text)
            XCTAssertTrue(text.contains(expected), "\(args): \(text)")
        }
    }

    // MARK: Beside a pcscd already running

    private func skipIfAPCSCDRuns() throws {
        if let other = VirtualReaderStack.runningPCSCD() { throw XCTSkip("a pcscd (\(other)) is running; these tests start their own") }
    }

    func testDemoBesideAPCSCDWithoutVPCDSaysWhatToDo() throws {
        try skipIfAPCSCDRuns()
        let pcscd = try PCSCDWithoutReaders()
        defer { pcscd.stop() }
        let station = ToolRunner.productsDirectory.appendingPathComponent("issue-station")

        let zh = try ToolRunner.execute(station, ["demo"])
        XCTAssertEqual(zh.status, 1, zh.output)
        XCTAssertEqual(zh.errors.split(separator: "\n").map(String.init), [
            "错误：本机已有一个 pcscd 在运行（pid \(pcscd.pid)），但它没有 vpcd 虚拟读卡器。",
            "下一步：用 sudo systemctl stop pcscd.socket pcscd 停止它后重试（程序会自己启动带 vpcd 的 pcscd），"
                + "或者用 scripts/install-deps.sh 安装 vsmartcard-vpcd 并重启 pcscd，让它带上虚拟读卡器。",
        ])
        XCTAssertFalse(zh.output.contains("未预料"), zh.output)

        let en = try ToolRunner.execute(station, ["demo", "--lang", "en"])
        XCTAssertEqual(en.status, 1, en.output)
        let lines = en.errors.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 2, en.errors)
        XCTAssertEqual(lines.first, "Error: A pcscd is already running (pid \(pcscd.pid)) but has no vpcd virtual readers.")
        XCTAssertTrue(lines.last?.hasPrefix("Next: stop it with sudo systemctl stop pcscd.socket pcscd and try again") == true, en.errors)
        XCTAssertTrue(lines.last?.contains("install vsmartcard-vpcd") == true, en.errors)
        XCTAssertFalse(en.output.contains("unexpected"), en.output)
        XCTAssertTrue(pcscd.isRunning, "the demo left the other pcscd alone")
    }

    func testDemoUsesARunningPCSCDThatHasTheVPCDReaders() throws {
        try skipIfAPCSCDRuns()
        let stack = VirtualReaderStack()
        try stack.start()
        defer { stack.stop() }
        let pid = try XCTUnwrap(stack.pid)
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }

        let (status, text) = try ToolRunner.station(["demo", "--output", output.path])
        XCTAssertEqual(status, 0, text)
        XCTAssertTrue(text.contains("本机已有 pcscd 在运行（pid \(pid)）且带 vpcd 读卡器，演示使用它，结束后不停止它。\n"), text)
        XCTAssertFalse(text.contains("启动 pcscd"), text)
        XCTAssertTrue(text.contains("制卡成功：") && text.contains("领卡启用完成"), text)
        XCTAssertTrue(text.contains("演示完成，已停止模拟设备，正在运行的 pcscd 保持不变。"), text)
        XCTAssertEqual(stack.pid, pid, "the demo left the running pcscd running")
    }
}

/// A pcscd with an empty reader configuration: a desk's system pcscd without vsmartcard-vpcd.
private final class PCSCDWithoutReaders {
    private let process = Process()
    private let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bare-pcscd-\(UUID().uuidString)")

    init() throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        process.executableURL = URL(fileURLWithPath: try VirtualReaderStack.locatePCSCD())
        process.arguments = ["-f", "-c", directory.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date(timeIntervalSinceNow: 10)
        while (try? PCSCContext()) == nil || VirtualReaderStack.runningPCSCD()?.pid != process.processIdentifier {
            guard process.isRunning, Date() < deadline else {
                stop()
                throw XCTSkip("pcscd without readers did not come up")
            }
            usleep(10_000)
        }
    }

    var pid: Int32 { process.processIdentifier }
    var isRunning: Bool { process.isRunning }

    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }
}

/// Samples the listening TCP sockets every 10 ms on a thread of its own until `stop()`.
private final class ListeningSocketWatcher: @unchecked Sendable {
    // @unchecked Sendable: `seen` and `running` are only touched while holding `lock`.
    private let lock = NSLock()
    private var seen: Set<VirtualReaderStack.ListeningSocket> = []
    private var running = true
    private let done = DispatchSemaphore(value: 0)

    init() {
        Thread { [self] in
            while lock.withLock({ running }) {
                let now = VirtualReaderStack.listeningSockets()
                lock.withLock { seen.formUnion(now) }
                usleep(10_000)
            }
            done.signal()
        }.start()
    }

    /// What listened before the watch began: the machine's own services, not the demo's.
    private let before = Set(VirtualReaderStack.listeningSockets())

    /// Every listening socket seen since `init` that was not already listening then.
    func stop() -> Set<VirtualReaderStack.ListeningSocket> {
        lock.withLock { running = false }
        done.wait()
        return lock.withLock { seen.subtracting(before) }
    }
}
