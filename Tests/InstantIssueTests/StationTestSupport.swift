import Foundation
import XCTest
import SSCardDriver
@testable import InstantIssue

/// A clock the test moves by hand.
final class TestClock: @unchecked Sendable {
    // @unchecked Sendable: `current` is only touched under `lock`.
    private let lock = NSLock()
    private var current: Date
    init(_ start: Date) { current = start }
    var now: Date { lock.withLock { current } }
    func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
    func set(_ date: Date) { lock.withLock { current = date } }
}

/// A temporary directory with a station database in it, closed and removed by `tearDown`.
class StationTestCase: XCTestCase {
    var directory: URL!
    var clock: TestClock!
    var database: StationDatabase!

    /// 2024-05-01 09:00:00 +08:00.
    static let start = Date(timeIntervalSince1970: 1_714_525_200)

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("station-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        clock = TestClock(Self.start)
        let clock = clock!
        database = try StationDatabase(path: databasePath, clock: { clock.now })
    }

    override func tearDownWithError() throws {
        try? database?.close()
        database = nil
        try? FileManager.default.removeItem(at: directory)
    }

    var databasePath: String { directory.appendingPathComponent("station.sqlite").path }
    var inventory: PreMadeCardInventory { PreMadeCardInventory(database: database) }
    var ledger: AuditLedger { AuditLedger(database: database) }

    /// Writes a generated return file and imports it.
    @discardableResult
    func importBatch(bank: String = YZKCGFixture.bankA, batch: Int = 1, count: Int = 20) throws -> YZKCGImportReceipt {
        let fixture = YZKCGFixture(bank: bank, batch: batch, count: count)
        return try inventory.importReturnFile(at: try fixture.write(to: directory), by: "clerk01")
    }

    func count(_ sql: String) throws -> Int {
        try database.pool.read { try Int.fetchOne($0, sql: sql) ?? -1 }
    }
}

/// A generated YZKCG return file: `count` pre-made cards of one bank, batch `batch` (0–99) so card
/// numbers, 卡识别码 and bank card numbers never collide between batches.
struct YZKCGFixture {
    static let bankA = "工商银行"
    static let bankB = "建设银行"
    var bank: String
    var batch: Int
    var count: Int
    var fileTime = "20240501120000"

    init(bank: String = bankA, batch: Int = 1, count: Int = 100) {
        self.bank = bank; self.batch = batch; self.count = count
    }

    var fileName: String { fileName(count: count) }

    func fileName(count: Int) -> String {
        "YZKCG_\(bank)_广州市社保卡管理中心_B\(String(format: "%03d", batch))_\(count)_金邦达_102581000013_\(fileTime).txt"
    }

    /// `A` + batch (2 digits) + 6 digits: 9 upper-case alphanumerics.
    func cardNumber(_ i: Int) -> CardNumber { CardNumber("A" + String(format: "%02d%06d", batch, i))! }
    /// Region 440100 (BCD), the RID, 8 serial bytes.
    func cardIdentificationCode(_ i: Int) -> String { "440100D156000005" + String(format: "%04X%012X", batch, i) }
    func bankCardNumber(_ i: Int) -> String { "62220" + String(format: "%02d%012d", batch, i) }

    /// The 12 fields of row i (1-based).
    func fields(_ i: Int) -> [String] {
        [String(i), cardNumber(i).value, "", "", "20240415", "", cardIdentificationCode(i), "008C544CB386844116018593CA",
         "9" + String(format: "%02d%015d", batch, i), bankCardNumber(i), "1" + String(format: "%02d%015d", batch, i),
         "箱\(i / 100 + 1)-\(i % 100)"]
    }

    var rows: [String] { (1...max(count, 1)).prefix(count).map { fields($0).joined(separator: ",") } }

    /// `rows` with `field` of row `row` (1-based, as the fixture numbers its cards) set to `value`.
    static func set(_ rows: inout [String], _ row: Int, _ field: YZKCGField, _ value: String) {
        var fields = rows[row - 1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[field.index] = value
        rows[row - 1] = fields.joined(separator: ",")
    }

    /// The file's text with `lineEnd`; `declared` overrides line 1, `header` line 2.
    func text(rows: [String]? = nil, declared: String? = nil, header: String = YZKCGFile.header, lineEnd: String = "\n") -> String {
        ([declared ?? String(count), header] + (rows ?? self.rows)).joined(separator: lineEnd) + lineEnd
    }

    func data(_ text: String? = nil) -> Data { Data((text ?? self.text()).utf8) }

    func parse(_ text: String? = nil) throws -> YZKCGFile {
        try YZKCGFile(fileName: fileName, contents: data(text))
    }

    func write(to directory: URL, text: String? = nil) throws -> URL {
        let url = directory.appendingPathComponent(fileName)
        try data(text).write(to: url)
        return url
    }
}

/// SplitMix64: a seeded generator so a random run can be repeated.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The problems of a refused file, or a test failure if it was accepted.
func importProblems(_ body: () throws -> Any, file: StaticString = #filePath, line: UInt = #line) -> [YZKCGProblem] {
    do {
        _ = try body()
        XCTFail("the file was accepted", file: file, line: line)
    } catch let error as YZKCGImportError {
        return error.problems
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
    return []
}
