import Foundation
import XCTest
import CardManagement
import SSCardDriver
@testable import InstantIssue

/// The journal's resume data: typed card number and 卡识别码, stored as the plain strings rows
/// have always held, so rows written before they were typed decode unchanged.
final class IssuanceRecordTests: XCTestCase {
    /// A resume row as the journal stored it before the record was typed (sorted keys).
    static let oldRow = #"{"applicationID":"DEMO-0001","attempt":1,"bank":"模拟银行","cardIdentificationCode":"411600D156000005000000000000000A","cardNumber":"SIM000010","chipWriteStarted":true,"facePath":"/tmp/out/DEMO-0001-SIM000010.png","feedStarted":true,"hopper":1,"terminal":"SSDESK000001"}"#

    func encoded(_ record: IssuanceRecord) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(record), as: UTF8.self)
    }

    func testAnOldRowDecodesTypedAndEncodesBackToTheSameJSON() throws {
        let record = try JSONDecoder().decode(IssuanceRecord.self, from: Data(Self.oldRow.utf8))
        XCTAssertEqual(record.cardNumber, CardNumber("SIM000010"))
        XCTAssertEqual(record.cardIdentificationCode, CardIdentificationCode(hex: "411600D156000005000000000000000A"))
        XCTAssertEqual(record.cardIdentificationCode?.regionCode, "411600")
        XCTAssertEqual(record.hopper, 1)
        XCTAssertTrue(record.chipWriteStarted)
        XCTAssertNil(record.cardRejected)
        XCTAssertEqual(try encoded(record), Self.oldRow, "the stored JSON stays what it was")
    }

    func testARowBeforeAnyCardWasReservedHasNeither() throws {
        let row = #"{"applicationID":"DEMO-0002","attempt":2,"bank":"模拟银行","chipWriteStarted":false,"feedStarted":false,"terminal":"SSDESK000001"}"#
        let record = try JSONDecoder().decode(IssuanceRecord.self, from: Data(row.utf8))
        XCTAssertNil(record.cardNumber)
        XCTAssertNil(record.cardIdentificationCode)
        XCTAssertEqual(try encoded(record), row)
    }

    func testALowerCaseIdentificationCodeDecodesAndIsWrittenUpperCase() throws {
        let row = Self.oldRow.replacingOccurrences(of: "411600D156000005000000000000000A", with: "411600d156000005000000000000000a")
        let record = try JSONDecoder().decode(IssuanceRecord.self, from: Data(row.utf8))
        XCTAssertEqual(record.cardIdentificationCode?.hex, "411600D156000005000000000000000A")
    }

    func testAStoredValueThatIsNotACardNumberOrCodeIsAnErrorNotAGuess() {
        for (from, to) in [("\"SIM000010\"", "\"SIM00001\""), ("\"SIM000010\"", "\"\""),
                           ("411600D156000005000000000000000A", "411600D156000006000000000000000A"), ("\"SIM000010\"", "10")] {
            let row = Self.oldRow.replacingOccurrences(of: from, with: to)
            XCTAssertThrowsError(try JSONDecoder().decode(IssuanceRecord.self, from: Data(row.utf8)), row)
        }
    }

    func testStatusReportsStillCarryThePlainStrings() throws {
        var record = try JSONDecoder().decode(IssuanceRecord.self, from: Data(Self.oldRow.utf8))
        record.attempt = 3
        XCTAssertEqual(record.requestID("produced"), "SSDESK000001-DEMO-0001-3-produced")
        let report = IssuanceReport(requestID: record.requestID("produced"), applicationID: record.applicationID, status: .produced,
                                    cardNumber: record.cardNumber?.value ?? "", cardIdentificationCode: record.cardIdentificationCode?.hex ?? "",
                                    terminal: record.terminal, clerk: "c")
        let json = String(decoding: try JSONEncoder().encode(report), as: UTF8.self)
        XCTAssertTrue(json.contains(#""cardNumber":"SIM000010""#), json)
        XCTAssertTrue(json.contains(#""cardIdentificationCode":"411600D156000005000000000000000A""#), json)
    }

    func testAnIssuanceRequestCarriesTheParsedNumber() throws {
        let application = Application(id: "A-1", name: "张三", socialSecurityNumber: "11010519491231002x", sex: "2", ethnicity: "01",
                                      birthDate: "19491231", bank: "B", regionCode: "110105", photoJPEG: nil)
        let request = try IssuanceRequest(application: application, name: "张三", photoJPEG: nil)
        XCTAssertEqual(request.socialSecurityNumber.value, "11010519491231002X")
        var bad = application
        bad.socialSecurityNumber = "110105194912310021"
        XCTAssertThrowsError(try IssuanceRequest(application: bad, name: "张三", photoJPEG: nil)) { error in
            guard case .badCheckCharacter? = error as? SocialSecurityNumber.Problem else { return XCTFail("\(error)") }
        }
    }
}
