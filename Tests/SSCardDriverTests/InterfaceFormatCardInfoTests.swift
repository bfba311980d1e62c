import SSCardDriver
import XCTest

/// `pCardInfo` = `卡识别码|卡号|`.
final class InterfaceFormatCardInfoTests: XCTestCase {
    func testSpecSample() throws {
        let info = try CardInfoArgument(parsing: "639900D15600000500BF7C7A48FB4966|X00000019|")
        XCTAssertEqual(info.cardIdentificationCode.hex, "639900D15600000500BF7C7A48FB4966")
        XCTAssertEqual(info.cardIdentificationCode.regionCode, "639900")
        XCTAssertEqual(info.cardNumber, CardNumber("X00000019"))
        XCTAssertEqual(info.interfaceText, "639900D15600000500BF7C7A48FB4966|X00000019|")
    }

    func testLowerCaseHexIsAcceptedAndShownUpperCase() throws {
        let info = try CardInfoArgument(parsing: "520300d156000005050842704e187f49|BA0010547|")
        XCTAssertEqual(info.interfaceText, "520300D156000005050842704E187F49|BA0010547|")
    }

    func testShapeErrorsAreBadParameter() {
        let id = "639900D15600000500BF7C7A48FB4966"
        XCTAssertInterfaceError(.badParameter, mentioning: "为空") { try CardInfoArgument(parsing: "") }
        XCTAssertInterfaceError(.badParameter, mentioning: "X00000019") { try CardInfoArgument(parsing: "\(id)|X00000019") }
        XCTAssertInterfaceError(.badParameter, mentioning: "1项") { try CardInfoArgument(parsing: "\(id)|") }
        XCTAssertInterfaceError(.badParameter, mentioning: "3项") { try CardInfoArgument(parsing: "\(id)|X00000019|X|") }
        XCTAssertInterfaceError(.badParameter, mentioning: "卡号") { try CardInfoArgument(parsing: "\(id)||") }
        XCTAssertInterfaceError(.badParameter, mentioning: "卡号") { try CardInfoArgument(parsing: "\(id)|X0000001|") }
        XCTAssertInterfaceError(.badParameter, mentioning: "卡号") { try CardInfoArgument(parsing: "\(id)|X000000190|") }
        XCTAssertInterfaceError(.badParameter, mentioning: "卡号") { try CardInfoArgument(parsing: "\(id)|X0000-019|") }
        XCTAssertInterfaceError(.badParameter, mentioning: "卡号") { try CardInfoArgument(parsing: "\(id)| X0000001|") }
        XCTAssertInterfaceError(.badParameter, mentioning: "卡号") { try CardInfoArgument(parsing: "\(id)|X０000001|") }
    }

    func testCardIdentificationErrorsAreMinus20() {
        XCTAssertInterfaceError(.badCardIdentificationFormat, mentioning: "32位") { try CardInfoArgument(parsing: "639900D15600000500BF7C7A48FB496|X00000019|") }
        XCTAssertInterfaceError(.badCardIdentificationFormat, mentioning: "32位") { try CardInfoArgument(parsing: "639900D15600000500BF7C7A48FB4966A|X00000019|") }
        XCTAssertInterfaceError(.badCardIdentificationFormat, mentioning: "32位") { try CardInfoArgument(parsing: "639900D15600000500BF7C7A48FB496G|X00000019|") }
        XCTAssertInterfaceError(.badCardIdentificationFormat, mentioning: "32位") { try CardInfoArgument(parsing: " 639900D15600000500BF7C7A48FB496|X00000019|") }
        XCTAssertInterfaceError(.badCardIdentificationFormat, mentioning: "RID") { try CardInfoArgument(parsing: "639900D15600000600BF7C7A48FB4966|X00000019|") }
        XCTAssertInterfaceError(.badCardIdentificationFormat, mentioning: "地区码") { try CardInfoArgument(parsing: "6399A0D15600000500BF7C7A48FB4966|X00000019|") }
        XCTAssertInterfaceError(.badCardIdentificationFormat) { try CardInfoArgument(parsing: "|X00000019|") }
    }
}
