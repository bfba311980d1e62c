import Foundation
import XCTest
@testable import InstantIssue
@testable import CardManagement

/// Applications from local JSON files (offline demo, `issue --file`): Application's fields,
/// `photoFile` beside the JSON, and errors that name the field.
final class ApplicationFileTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("application-file-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("photos"), withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    /// Writes `json` to application.json and loads it.
    func load(_ json: String) throws(ApplicationFileError) -> Application {
        let url = directory.appendingPathComponent("application.json")
        try! Data(json.utf8).write(to: url)
        return try ApplicationFile.load(from: url)
    }

    func refusal(_ json: String) -> ApplicationFileError? {
        do { _ = try load(json) } catch { return error }
        return nil
    }

    var path: String { directory.appendingPathComponent("application.json").path }

    static let fields = """
        "id": "FILE-1", "name": "张[CHUI]", "socialSecurityNumber": "11010519491231002X", "sex": "2",
        "ethnicity": "01", "birthDate": "19491231", "bank": "模拟银行", "regionCode": "411600"
        """

    func testPhotoFileIsReadRelativeToTheJSONFile() throws {
        try ApplicationFixtures.photoJPEG.write(to: directory.appendingPathComponent("photos/zhang.jpg"))
        let application = try load("{\(Self.fields), \"photoFile\": \"photos/zhang.jpg\"}")
        XCTAssertEqual(application.id, "FILE-1")
        XCTAssertEqual(application.name, "张[CHUI]")
        XCTAssertEqual(application.photoJPEG, ApplicationFixtures.photoJPEG)
        // Defaults as Application.init has them.
        XCTAssertEqual(application.kind, .new)
        XCTAssertEqual(application.nationality, "CHN")
        XCTAssertNil(application.birthPlace)
        // And it validates (the clerk types 䄲 for [CHUI]).
        let validated = try ApplicationFixtures.validator().validate(application, replacements: ["䄲"])
        XCTAssertEqual(validated.name.text, "张䄲")
    }

    func testBase64PhotoAndEveryFieldAsApplicationEncodesThem() throws {
        var original = ApplicationFixtures.adult()
        original.kind = .replacement
        let json = try JSONEncoder().encode(original)
        XCTAssertEqual(try ApplicationFile.decode(json, relativeTo: directory), original)
        // No photo at all is an application without a photo.
        XCTAssertNil(try load("{\(Self.fields)}").photoJPEG)
    }

    func testMalformedFilesNameTheField() throws {
        XCTAssertEqual(refusal("{\"id\": \"X\"}"), .missingField(path: path, field: "name"))
        XCTAssertEqual(refusal("{\(Self.fields.replacingOccurrences(of: "\"sex\": \"2\"", with: "\"sex\": 2"))}"),
                       .wrongType(path: path, field: "sex", expected: "string"))
        XCTAssertEqual(refusal("{\(Self.fields), \"kind\": \"lost\"}")?.english.contains("\"kind\""), true)
        guard case .invalidValue(_, "kind", _) = refusal("{\(Self.fields), \"kind\": \"lost\"}") else {
            return XCTFail("an unknown kind must be refused naming the field")
        }
        guard case .invalidValue(_, "photoJPEG", _) = refusal("{\(Self.fields), \"photoJPEG\": \"not base64!\"}") else {
            return XCTFail("bad base64 must be refused naming the field")
        }
        XCTAssertEqual(refusal("{\(Self.fields), \"photofile\": \"a.jpg\"}"), .unknownField(path: path, field: "photofile"))
        XCTAssertEqual(refusal("[1, 2]"), .notAnObject(path: path))
        guard case .notJSON = refusal("{\"id\": \"X\",") else { return XCTFail("truncated JSON must be refused") }
        XCTAssertEqual(refusal("{\(Self.fields), \"photoFile\": \"a.jpg\", \"photoJPEG\": \"AAAA\"}"), .twoPhotos(path: path))
        XCTAssertEqual(refusal("{\(Self.fields), \"photoFile\": 7}"), .wrongType(path: path, field: "photoFile", expected: "string (a file path)"))
        guard case .photoUnreadable(let missing, _) = refusal("{\(Self.fields), \"photoFile\": \"photos/none.jpg\"}") else {
            return XCTFail("a missing photo file must be refused")
        }
        XCTAssertTrue(missing.hasSuffix("photos/none.jpg"))
        XCTAssertThrowsError(try ApplicationFile.load(from: directory.appendingPathComponent("none.json"))) { error in
            guard case .unreadable = error as? ApplicationFileError else { return XCTFail("\(error)") }
        }
        let message = ApplicationFileError.missingField(path: "a.json", field: "name")
        XCTAssertEqual(message.chinese, "申请文件 a.json 缺少字段“name”")
        XCTAssertEqual(message.description, message.chinese + " / " + message.english)
    }
}
