import Foundation
import XCTest

/// `issue-station serve` as a process: a port another program holds is one sentence naming the
/// port and what to do, with the error status.
final class ServeCommandTests: XCTestCase {
    func testAPortInUseIsOneSentenceNamingThePort() throws {
        let holder = try ForgingSite()  // any server: it holds a port of 127.0.0.1
        let port = try XCTUnwrap(Int(holder.origin.split(separator: ":").last ?? ""))
        let (status, text) = try ToolRunner.station(["serve", "--demo", "--port", String(port)])
        XCTAssertEqual(status, 1, text)
        XCTAssertTrue(text.contains("错误：端口 \(port) 已被其他程序占用"), text)
        XCTAssertTrue(text.contains("下一步：") && text.contains("--port"), text)
        let (statusEN, english) = try ToolRunner.station(["serve", "--demo", "--lang", "en", "--port", String(port)])
        XCTAssertEqual(statusEN, 1, english)
        XCTAssertTrue(english.contains("Error: Port \(port) on 127.0.0.1 is already used by another program"), english)
    }
}
