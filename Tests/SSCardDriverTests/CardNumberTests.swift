import Foundation
import XCTest
import SSCardDriver

/// 社保卡号 as a type: 9 ASCII letters or digits, kept as written, encoded as its plain text;
/// the 卡识别码 encoded as its hex.
final class CardNumberTests: XCTestCase {
    func testNineASCIILettersOrDigits() throws {
        for good in ["X00000019", "SIM000001", "A01000002", "ba0010547", "123456789"] {
            XCTAssertEqual(CardNumber(good)?.value, good, good)
            XCTAssertTrue(CardNumber.isValid(good))
        }
        for bad in ["", "X0000001", "X000000190", "X0000-019", " X0000001", "X0000001 ", "X０000001", "张0000001", "X00000\u{0}19"] {
            XCTAssertNil(CardNumber(bad), bad)
        }
        XCTAssertEqual(CardNumber("X00000019" as Substring), CardNumber("X00000019"))
        XCTAssertNotEqual(CardNumber("ba0010547"), CardNumber("BA0010547"), "kept as written, as the chip holds it")
        XCTAssertEqual(CardNumber("X00000019")?.description, "X00000019")
        XCTAssertEqual(try XCTUnwrap(CardNumber("A01000002")) < XCTUnwrap(CardNumber("A01000010")), true)
    }

    func testCodableAsThePlainString() throws {
        let number = try XCTUnwrap(CardNumber("X00000019"))
        XCTAssertEqual(String(decoding: try JSONEncoder().encode(number), as: UTF8.self), #""X00000019""#)
        XCTAssertEqual(try JSONDecoder().decode(CardNumber.self, from: Data(#""X00000019""#.utf8)), number)
        struct Holder: Codable, Equatable { var cardNumber: CardNumber? }
        XCTAssertEqual(try JSONDecoder().decode(Holder.self, from: Data(#"{"cardNumber":"SIM000001"}"#.utf8)).cardNumber?.value, "SIM000001")
        XCTAssertNil(try JSONDecoder().decode(Holder.self, from: Data("{}".utf8)).cardNumber)
        for bad in [#""X0000001""#, #""""#, "19", #"{"value":"X00000019"}"#] {
            XCTAssertThrowsError(try JSONDecoder().decode(CardNumber.self, from: Data(bad.utf8)), bad)
        }
    }

    func testCardIdentificationCodeIsCodableAsItsHex() throws {
        let hex = "639900D15600000500BF7C7A48FB4966"
        let code = try XCTUnwrap(CardIdentificationCode(hex: hex))
        XCTAssertEqual(String(decoding: try JSONEncoder().encode(code), as: UTF8.self), "\"\(hex)\"")
        XCTAssertEqual(try JSONDecoder().decode(CardIdentificationCode.self, from: Data("\"\(hex.lowercased())\"".utf8)), code)
        // Not a 卡识别码: too short, spaces inside, no RID.
        for bad in ["639900D156000005", "639900D1 5600000500BF7C7A48FB4966", "639900D15600000600BF7C7A48FB4966"] {
            XCTAssertThrowsError(try JSONDecoder().decode(CardIdentificationCode.self, from: Data("\"\(bad)\"".utf8)), bad)
        }
    }

    func testCardInfoArgumentCarriesACardNumber() throws {
        let info = try CardInfoArgument(parsing: "639900D15600000500BF7C7A48FB4966|X00000019|")
        XCTAssertEqual(info.cardNumber, CardNumber("X00000019"))
        let blankNumber = try BasicInformation(parsing: "639900|||639900D15600000500BF7C7A48FB4966||00|3.00|20211203|20311202|")
        XCTAssertThrowsError(try CardInfoArgument(blankNumber)) { error in
            XCTAssertEqual((error as? InterfaceError)?.code, .badParameter)
        }
        let basic = try BasicInformation(parsing: "639900||X00000019|639900D15600000500BF7C7A48FB4966||00|3.00|20211203|20311202|")
        XCTAssertEqual(try CardInfoArgument(basic), info)
    }
}
