import Foundation
import XCTest
@testable import InstantIssue
import ProvinceSimulator

/// 《广东省社会保障卡经办规程》附件6: the batch application file — its name, count line, header,
/// every field of every row and the photo rules — with every problem reported by row.
final class BatchApplicationFileTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("batch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("PHOTO"), withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: folder) }

    private static let header = BatchApplicationFile.columns.map { $0.name + ($0.required ? "*" : "") }.joined(separator: ",")

    private func row(_ n: Int, form: String, id: String, name: String, sex: String = "1", birth: String, columns: Int = 29) -> String {
        var cells = [String(n), form, "1", "CHN", "1", id, "20301231", name, sex, "01", birth, "", "", "", "", "020-12345678", "", "",
                     "", "411602", "1000000", "", "", "", "", "", "10301", "", ""]
        while cells.count > columns { cells.removeLast() }
        return cells.joined(separator: ",")
    }

    private func write(_ name: String, count: String, rows: [String]) throws {
        try ([count, Self.header] + rows).joined(separator: "\r\n").write(to: folder.appendingPathComponent(name + ".txt"), atomically: true, encoding: .utf8)
    }

    func testAttachment6EveryProblemIsReportedByRowAndTheValidRowsBecomeApplications() throws {
        let adult = SimulatedApplications.citizenNumber("41160219810101001")
        let child = SimulatedApplications.citizenNumber("41160220220601003")
        let wrongCheck = String(SimulatedApplications.citizenNumber("41160219750505011").dropLast()) + "0"
        try SimulatedApplications.samplePhotoJPEG.write(to: folder.appendingPathComponent("PHOTO/\(adult)张三.jpg"))
        try Data([0xFF, 0xD8, 0x00]).write(to: folder.appendingPathComponent("PHOTO/\(SimulatedApplications.citizenNumber("41160219900307002"))李四.jpg"))
        try write("SBK2_10301_41160000000001_5_20241201093000", count: "5", rows: [
            row(1, form: "F0001", id: adult, name: "张三", birth: "19810101"),
            row(2, form: "F0002", id: child, name: "王小明", birth: "20220601"),                   // under seven: no photo needed
            row(3, form: "F0003", id: wrongCheck, name: "赵六", sex: "3", birth: "19750505"),        // check digit, sex, no photo
            row(4, form: "F0001", id: SimulatedApplications.citizenNumber("41160219900307002"), name: "李四", birth: "19900308"),
            row(5, form: "F0005", id: adult, name: "张三", birth: "19810101", columns: 28),
        ])
        let report = try BatchApplicationFile.check(folder: folder, regionCode: "411600", today: CalendarDate(yyyymmdd: "20241201")!)
        XCTAssertEqual(report.fileProblems, [])
        XCTAssertEqual(report.rowCount, 5)
        XCTAssertEqual(report.valid.map(\.id), ["F0001", "F0002"])
        XCTAssertNil(report.valid[1].photoJPEG, "a child under seven has no photo")
        XCTAssertEqual(report.valid[0].bank, "10301")
        XCTAssertEqual(report.rowProblems.map(\.line), [5, 6, 7])
        let row3 = report.rowProblems[0].problems.joined(separator: "\n")
        XCTAssertTrue(row3.contains("性别") && row3.contains("证件号码") && row3.contains("缺少相片"), row3)
        let row4 = report.rowProblems[1].problems.joined(separator: "\n")
        XCTAssertTrue(row4.contains("重复") && row4.contains("出生日期与证件号码不符") && row4.contains("相片"), row4)
        XCTAssertTrue(report.rowProblems[2].problems[0].contains("28"), "\(report.rowProblems[2])")
    }

    func testAttachment6ABadNameCountOrHeaderIsAFileProblemAndQueuesNothing() throws {
        let adult = SimulatedApplications.citizenNumber("41160219810101001")
        try SimulatedApplications.samplePhotoJPEG.write(to: folder.appendingPathComponent("PHOTO/\(adult)张三.jpg"))
        try write("SBK2_10301_4116_2_2024", count: "3", rows: [row(1, form: "F0001", id: adult, name: "张三", birth: "19810101")])
        let report = try BatchApplicationFile.check(folder: folder, regionCode: "411600")
        XCTAssertEqual(report.fileProblems.count, 2, "\(report.fileProblems)")   // the name, and line 1's count
        XCTAssertEqual(report.valid, [], "nothing is queued from a file with file problems")
        XCTAssertEqual(report.rowProblems.count, 0)
    }
}
