import Foundation
import InstantIssue
import Sockets
import XCTest

/// `issue-station serve` on the outlet's books (real PostgreSQL, `OutletStockTests`' harness):
/// the web desk starts on a postgresql station.json, a clerk signs in, the stock page shows the
/// cards another desk imported, loading a hopper through the page moves them on the shared books,
/// the ledger page finds the outlet's chain intact, and the outlet's invariant holds after.
extension OutletStockTests {
    func testTheWebDeskRunsOnTheOutletsBooks() async throws {
        let desk1 = try deskConfig("desk1"), desk2 = try deskConfig("desk2")
        let file = try sampleFile(cards: 6)
        let imported = try run(desk2, ["inventory", "import", file, "--clerk", "李四"])
        XCTAssertEqual(imported.status, 0, imported.output)

        let port = 30_000 + Int.random(in: 0..<20_000)
        let log = work.appendingPathComponent("serve.log")
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let process = Process()
        process.executableURL = station
        process.arguments = ["serve", "--config", desk1, "--port", String(port), "--lang", "en"]
        process.environment = ProcessInfo.processInfo.environment.merging(["SSCARD_DRIVER_CONFIG": ""]) { $1 }
        let output = try FileHandle(forWritingTo: log)  // not a terminal: the password goes to a file
        process.standardOutput = output
        process.standardError = output
        try process.run()
        defer {
            if process.isRunning { process.terminate() }
            process.waitUntilExit()
        }
        func serverLog() -> String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

        let client = DeskHTTPClient(port: port)
        var signIn: DeskHTTPClient.Answer?
        for _ in 0..<300 where signIn == nil && process.isRunning {
            signIn = try? client.get("/signin")
            if signIn == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        XCTAssertFalse(serverLog().contains("outlet's shared database"), "serve was refused: \(serverLog())")
        XCTAssertEqual(try XCTUnwrap(signIn, "the desk did not answer: \(serverLog())").status, 200)
        let password = try String(contentsOf: work.appendingPathComponent("desk1/administrator-initial-password"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let signedIn = try client.post("/signin", ["name": "管理员", "password": password])
        XCTAssertEqual(signedIn.status, 303, signedIn.body)
        XCTAssertEqual(signedIn.headers["location"], "/queue")

        // The stock page: the outlet's safe holds the six cards desk2 imported.
        let stock = try client.get("/stock")
        XCTAssertEqual(stock.status, 200, stock.body)
        let row = try XCTUnwrap(stock.row("<tr data-bank=\"\(bank)\">"), stock.body)
        XCTAssertTrue(row.contains("<td data-state=\"inStock\">6</td>"), row)

        // Loading hopper 2 through the page moves three cards into desk1's hopper on the shared books.
        let loaded = try client.post("/stock/load", ["hopper": "2", "bank": bank, "count": "3"])
        XCTAssertEqual(loaded.status, 200, loaded.body)
        XCTAssertTrue(loaded.body.contains("Recorded 3 \(bank) pre-made cards loaded into hopper 2"), loaded.body)
        XCTAssertTrue(loaded.body.contains("<code>SIM000001</code>"), loaded.body)
        XCTAssertEqual(try server.psql("SELECT count(*) FROM pre_made_card WHERE desk = 'desk1' AND hopper = 2 AND state = 'inHopper'"), "3")
        XCTAssertEqual(try ledgerActions("card.load", desk: "desk1"), 3)
        let listed = try run(desk2, ["inventory", "list", "--state", "inHopper"])
        XCTAssertTrue(listed.output.contains("3 cards."), listed.output)
        let after = try client.get("/stock")
        XCTAssertTrue(try XCTUnwrap(after.row("<tr data-bank=\"\(bank)\">")).contains("<td data-state=\"inStock\">3</td>"), after.body)
        XCTAssertTrue(try XCTUnwrap(after.row("<tr data-hopper=\"2\">")).contains("<td class=\"count\">3</td>"), after.body)

        // The ledger page verifies the outlet's one chain; the devices page checks it and the stock.
        let verified = try client.post("/ledger/verify", [:])
        XCTAssertEqual(verified.status, 200, verified.body)
        XCTAssertTrue(verified.body.contains("id=\"ledger-intact\""), verified.body)
        let devices = try client.get("/devices")
        XCTAssertEqual(devices.status, 200, devices.body)
        XCTAssertTrue(devices.body.contains("<strong>Ledger</strong>：the outlet&#39;s shared ledger: 4 entries, the hash chain is intact"), devices.body)
        XCTAssertTrue(devices.body.contains("<strong>Stock books</strong>：6 imported, the books add up"), devices.body)

        process.terminate()
        process.waitUntilExit()
        let invariants = try await checkOutlet()
        XCTAssertEqual(invariants.counts[.inHopper], 3)
        XCTAssertEqual(invariants.counts[.inStock], 3)
        // The clerk accounts stay in desk1's own SQLite database, not the outlet's.
        let local = try StationDatabase(path: work.appendingPathComponent("desk1/journal.sqlite").path)
        XCTAssertFalse(try ClerkAccounts(database: local).isEmpty())
        XCTAssertEqual(try PreMadeCardInventory(database: local).checkInvariants().onBooks, 0)
        try local.close()
    }
}

/// Just enough of a browser for the desk: the session cookie, the CSRF token of the last page,
/// and the desk's own Host and Origin on every POST. One request per connection.
final class DeskHTTPClient {
    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: String

        /// The table row that starts with `start`, up to its `</tr>`.
        func row(_ start: String) -> String? {
            guard let from = body.range(of: start), let end = body.range(of: "</tr>", range: from.upperBound..<body.endIndex) else { return nil }
            return String(body[from.lowerBound..<end.upperBound])
        }
    }

    let port: Int
    private var cookie: String?
    private var csrf: String?

    init(port: Int) { self.port = port }

    func get(_ path: String) throws -> Answer { try send("GET", path, body: nil) }

    /// A form POST carrying the last page's CSRF token.
    func post(_ path: String, _ form: [String: String]) throws -> Answer {
        var fields = form
        fields["csrf"] = csrf ?? ""
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._")
        let body = fields.map { "\($0.key.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)" }
            .joined(separator: "&")
        return try send("POST", path, body: body)
    }

    private func send(_ method: String, _ path: String, body: String?) throws -> Answer {
        let socket = try StreamSocket.connect(host: "127.0.0.1", port: UInt16(port), deadline: .now + .seconds(10))
        defer { socket.close() }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let cookie { head += "Cookie: sscard_desk=\(cookie)\r\n" }
        let bytes = Array((body ?? "").utf8)
        if body != nil {
            head += "Origin: http://127.0.0.1:\(port)\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: \(bytes.count)\r\n"
        }
        try socket.sendAll(Array((head + "\r\n").utf8) + bytes)
        var received: [UInt8] = []
        while true {
            let chunk = try socket.receive(deadline: .now + .seconds(60))
            if chunk.isEmpty { break }
            received += chunk
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { throw CocoaError(.fileReadCorruptFile) }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        if let set = headers["set-cookie"], set.hasPrefix("sscard_desk="),
           let value = set.dropFirst("sscard_desk=".count).split(separator: ";").first {
            cookie = String(value)
        }
        let answer = Answer(status: status, headers: headers, body: String(text[split.upperBound...]))
        if let r = answer.body.range(of: "name=\"csrf\" value=\""),
           let end = answer.body[r.upperBound...].firstIndex(of: "\"") {
            csrf = String(answer.body[r.upperBound..<end])
        }
        return answer
    }
}
