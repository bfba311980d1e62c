import Foundation
import XCTest
import Sockets
import SSCardDriver
import SSCardPrinter

/// `issue-station vprinter` as a technician runs it, without pcscd (`--unwired`): the help
/// screen, then a print through the driver and the files it leaves.
final class VPrinterToolTests: XCTestCase {
    func testHelpScreenExplainsTheCommand() throws {
        let (status, help) = try ToolRunner.station(["vprinter", "--help"])
        XCTAssertEqual(status, 0)
        for phrase in ["Evolis Escape protocol", "虚拟制卡机", "--lang <zh|en>", "127.0.0.1", "--port <port>", "--slot <slot>", "--output <directory>",
                       "--cards-per-hopper <count>", "--unwired", "fault NAME", "Xfault;jamAtPrint"] {
            XCTAssertTrue(help.contains(phrase), "help lacks “\(phrase)”:\n\(help)")
        }
        let (bad, message) = try ToolRunner.station(["vprinter", "--cards-per-hopper", "101"])
        XCTAssertNotEqual(bad, 0)
        XCTAssertTrue(message.contains("0 至 100") && message.contains("0 to 100"), message)
    }

    /// A free loopback port (bound and released; the tool binds it a moment later).
    private func freePort() throws -> UInt16 {
        let listener = try SocketListener(port: 0)
        defer { listener.close() }
        return listener.port
    }

    func testPrintingThroughTheToolWritesTheCardsPNG() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("vprinter-tool-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let port = try freePort()
        let tool = Process()
        tool.executableURL = ToolRunner.productsDirectory.appendingPathComponent("issue-station")
        tool.arguments = ["vprinter", "--port", String(port), "--unwired", "--quiet", "--output", dir.path, "--cards-per-hopper", "2", "--lang", "en"]
        let stdin = Pipe(), stdout = Pipe()
        tool.standardInput = stdin
        tool.standardOutput = stdout
        tool.standardError = stdout
        try tool.run()
        defer { if tool.isRunning { tool.terminate() } }

        let printer = EscapePrinter(transport: SocketPrinterTransport(endpoint: .tcp(host: "127.0.0.1", port: port)),
                                    configuration: .init(hopperCount: 2, commandTimeout: .seconds(2)))
        // Wait for the tool to listen.
        var status: PrinterStatus?
        for _ in 0..<100 where status == nil {
            status = try? printer.status()
            if status == nil { Thread.sleep(forTimeInterval: 0.1) }
        }
        XCTAssertEqual(status?.hoppers.map(\.hasCards), [true, true])

        try printer.loadCard(fromHopper: 2)
        var k = MonochromeBitmap()
        for x in 100..<900 { k.set(x: x, y: 320) }
        try printer.printPanels(PrintJob(name: "line", panels: PanelSet(black: k)))
        try printer.eject(to: .good)
        printer.transport.close()

        stdin.fileHandleForWriting.write(Data("status\nquit\n".utf8))
        tool.waitUntilExit()
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(tool.terminationStatus, 0, output)
        XCTAssertTrue(output.contains("Printed card 1, SIM000101, 1 panels"), output)
        XCTAssertTrue(output.contains("Printer status: hopper1=2 hopper2=1 path=empty good=1"), output)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertEqual(files, ["card-0001-SIM000101-face.png", "card-0001-SIM000101-k.png"])
    }

    /// Without --lang or SSCARD_LANG every line the technician reads is Chinese; the console
    /// commands stay the ASCII words they type.
    func testTheConsoleSpeaksChineseByDefault() throws {
        let tool = Process()
        tool.executableURL = ToolRunner.productsDirectory.appendingPathComponent("issue-station")
        tool.arguments = ["vprinter", "--port", "0", "--unwired", "--quiet"]
        tool.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("SSCARD_") }
        let stdin = Pipe(), stdout = Pipe()
        tool.standardInput = stdin
        tool.standardOutput = stdout
        tool.standardError = stdout
        try tool.run()
        defer { if tool.isRunning { tool.terminate() } }

        stdin.fileHandleForWriting.write(Data("status\nfault jamAtPrint sticky\nclear\nfoo\nquit\n".utf8))
        tool.waitUntilExit()
        let output = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(tool.terminationStatus, 0, output)
        for line in ["虚拟制卡机正在 127.0.0.1:", "接触工位：未接入（没有读卡器能看到卡片）。",
                     "制卡机状态：hopper1=10 hopper2=10 path=empty", "已设置故障 jamAtPrint，清除前一直有效。",
                     "故障已清除。", "未知命令“foo”。", "正在停止。"] {
            XCTAssertTrue(output.contains(line), "output lacks “\(line)”:\n\(output)")
        }
    }
}
