import CardManagement
import Foundation
import InstantIssue
import ProvinceSimulator
import SSCardDriver
import Sockets
import Synchronization
import WebDesk

/// The web desk's server time (docs/operator-guide, the desk): the queue page with 10,000
/// applications waiting — whole and searched — as the server's `Server-Timing` header reports it
/// (and the loopback round trip beside it), and one progress update of an issuance from the
/// workflow's callback to the page's event-stream line (`ProgressProbe`).
///
///   .build/release/sscard-bench desk [--count N] [--json]
struct DeskBenchmark {
    let count: Int
    static let applications = 10_000

    func run() throws {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("sscard-bench-desk-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let configuration = StationConfiguration(
            databasePath: folder.appendingPathComponent("station.sqlite").path,
            cardManagement: .init(kind: .embedded, simulatorDatabasePath: folder.appendingPathComponent("province.sqlite").path),
            outputDirectory: folder.appendingPathComponent("faces").path)
        let station = Station(configuration: configuration, database: try StationDatabase(path: configuration.databasePath),
                              driverConfiguration: DriverConfiguration(), printer: nil,
                              cardManagement: try SimulatedCardManagementSystem(path: configuration.resolvedSimulatorDatabasePath))
        defer { try? station.database.close() }
        let waiting = Self.queue()
        var settings = WebDeskSettings()
        settings.port = 0
        settings.passwordIterations = 1_000
        settings.logsServerErrors = false
        settings.queue = { waiting }
        let desk = WebDesk(station: station, settings: settings)
        try desk.addClerk(name: "bench", password: "bench-password", role: .clerk, by: "bench")
        let ready = DispatchSemaphore(value: 0)
        let port = Mutex(0)
        let task = Task.detached { try await desk.run { p in port.withLock { $0 = p }; ready.signal() } }
        defer { task.cancel() }
        guard ready.wait(timeout: .now() + 60) == .success else { throw DeskBenchmarkError.notStarted }
        let client = DeskHTTPClient(port: port.withLock { $0 })
        let cookie = try client.signIn(name: "bench", password: "bench-password")

        report.line("Web desk, \(Self.applications) applications waiting (server time from Server-Timing; round trip on loopback):")
        for (label, path) in [("queue", "/queue"), ("queue.name", "/queue?q=%E7%8E%8B"), ("queue.ssn", "/queue?q=410000000000009999")] {
            for _ in 0..<min(5, count) { _ = try client.get(path, cookie: cookie) }
            var server = Timing(), roundTrip = Timing()
            var bytes = 0
            for _ in 0..<count {
                var answer: DeskHTTPClient.Answer?
                try roundTrip.measure { answer = try client.get(path, cookie: cookie) }
                guard let answer, answer.status == 200, let took = answer.serverMilliseconds else { throw DeskBenchmarkError.badAnswer(path) }
                server.append(.nanoseconds(Int64(took * 1_000_000)))
                bytes = answer.body.count
            }
            report.line("  \(path): server \(report.timing("desk.\(label).server", server))")
            report.line("    round trip \(report.timing("desk.\(label).roundtrip", roundTrip)), \(bytes) bytes")
        }
        let samples = try Self.wait { await ProgressProbe().measure(count: count * 10) }
        var progress = Timing()
        for s in samples { progress.append(s) }
        report.line("  progress update, workflow callback → event-stream line: \(report.timing("desk.progress", progress))")
    }

    /// 10,000 applications as a province queue might hold them.
    static func queue() -> [Application] {
        let sample = SimulatedApplications.samples()[0].application
        let surnames = Array("王李张刘陈杨黄赵吴周"), given = Array("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平")
        return (0..<applications).map { i in
            var a = sample
            a.id = String(format: "Q%06d", i)
            a.name = String(surnames[i % surnames.count]) + String(given[(i / 10) % given.count]) + String(given[(i / 7) % given.count])
            a.socialSecurityNumber = "41" + String(format: "%016d", i)
            return a
        }
    }

    static func wait<T: Sendable>(_ body: @escaping @Sendable () async -> T) throws -> T {
        let result = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task.detached { let value = await body(); result.withLock { $0 = value }; done.signal() }
        guard done.wait(timeout: .now() + 300) == .success, let value = result.withLock({ $0 }) else { throw DeskBenchmarkError.notStarted }
        return value
    }
}

/// A small blocking HTTP/1.1 client for the benchmark: one request per connection.
struct DeskHTTPClient {
    let port: Int
    struct Answer {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var serverMilliseconds: Double? {
            headers["server-timing"].flatMap { $0.split(separator: "=").last.flatMap { Double($0) } }
        }
    }

    func get(_ path: String, cookie: String?) throws -> Answer {
        try request("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n" + (cookie.map { "Cookie: \($0)\r\n" } ?? "") + "Connection: close\r\n\r\n")
    }

    /// Signs in as a browser would (the form's CSRF token, the desk's Origin) and returns the cookie.
    func signIn(name: String, password: String) throws -> String {
        let form = try get("/signin", cookie: nil)
        guard let set = form.headers["set-cookie"], let cookie = set.split(separator: ";").first.map(String.init),
              let page = String(validating: form.body, as: UTF8.self),
              let range = page.range(of: "name=\"csrf\" value=\"") else { throw DeskBenchmarkError.badAnswer("/signin") }
        let token = page[range.upperBound...].prefix { $0 != "\"" }
        let body = "csrf=\(token)&name=\(name)&password=\(password)"
        let answer = try request("POST /signin HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nOrigin: http://127.0.0.1:\(port)\r\nCookie: \(cookie)\r\n"
                                 + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)")
        guard answer.status == 303, let signedIn = answer.headers["set-cookie"]?.split(separator: ";").first else {
            throw DeskBenchmarkError.badAnswer("POST /signin \(answer.status)")
        }
        return String(signedIn)
    }

    private func request(_ text: String) throws -> Answer {
        let socket = try StreamSocket.connect(host: "127.0.0.1", port: UInt16(port), deadline: .now + .seconds(10))
        defer { socket.close() }
        try socket.sendAll(Array(text.utf8), deadline: .now + .seconds(10))
        var bytes: [UInt8] = []
        while true {
            let chunk = try socket.receive(deadline: .now + .seconds(30))
            if chunk.isEmpty { break }
            bytes += chunk
        }
        guard let end = bytes.indices.dropLast(3).first(where: { bytes[$0] == 13 && bytes[$0 + 1] == 10 && bytes[$0 + 2] == 13 && bytes[$0 + 3] == 10 }) else {
            throw DeskBenchmarkError.badAnswer("no head")
        }
        let head = String(decoding: bytes[..<end], as: UTF8.self).split(separator: "\r\n")
        let status = head.first.flatMap { Int($0.split(separator: " ")[1]) } ?? 0
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(bytes[(end + 4)...])
        if headers["transfer-encoding"]?.contains("chunked") == true { body = Self.unchunk(body) }
        return Answer(status: status, headers: headers, body: body)
    }

    static func unchunk(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [], i = 0
        while i < data.count {
            guard let lineEnd = data[i...].indices.dropLast().first(where: { data[$0] == 13 && data[$0 + 1] == 10 }),
                  let size = Int(String(decoding: data[i..<lineEnd], as: UTF8.self).split(separator: ";")[0], radix: 16), size > 0 else { break }
            let start = lineEnd + 2
            out += data[start..<min(data.count, start + size)]
            i = start + size + 2
        }
        return out
    }
}

enum DeskBenchmarkError: Error {
    case notStarted
    case badAnswer(String)
}
