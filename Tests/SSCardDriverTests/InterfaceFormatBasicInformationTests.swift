import SSCardDriver
import XCTest

/// iReadCardBas output and the HSM two-step strings.
final class InterfaceFormatBasicInformationTests: XCTestCase {
    static let specExample = "639900|111111198101011110|X00000019|639900D15600000500BF7C7A48FB4966|张三|00814E43238697159900BF7C7A|1.00|20101001|20201001|410100813475|终端设备号|"
    static let blankSample = "411600|||411600D156000005C38275EEFC9B9648||008C544CB386844116018593CA|3.00|20211203|20311202|"
    static let issuanceSample = "542600|440921199304298888|12345678X|542600D1560000050002814109FCC0B2|李六|0096DF21018649542600028141|3.00|20210203|20310203|000000000000|00037261202007000128|"
    static let step1Sample = "331100|00904A3001866033110000048A|03|331100D156000005500509728DB46EF9|456FE02E253F817D|A39FC0BF44CAEA80|4F5FB5932F10694D|2CFE760428888D8E|"

    func testSpecExampleFromTypedFields() throws {
        let info = try BasicInformation(
            cardIdentificationCode: CardIdentificationCode(hex: "639900D15600000500BF7C7A48FB4966")!,
            socialSecurityNumber: "111111198101011110", cardNumber: "X00000019", name: "张三",
            historicalBytes: [UInt8](hex: "00814E43238697159900BF7C7A")!, specificationVersion: "1.00",
            issueDate: "20101001", expiryDate: "20201001", terminalNumber: "410100813475", terminalDeviceNumber: "终端设备号")
        XCTAssertEqual(info.interfaceText, Self.specExample)
        XCTAssertEqual(info.regionCode, "639900")
        XCTAssertEqual(try BasicInformation(parsing: Self.specExample), info)
    }

    func testOtherDriversOutputsParse() throws {
        let blank = try BasicInformation(parsing: Self.blankSample)
        XCTAssertEqual(blank.socialSecurityNumber, "")
        XCTAssertEqual(blank.name, "")
        XCTAssertEqual(blank.terminalNumber, "")
        XCTAssertEqual(blank.historicalBytes.hexString, "008C544CB386844116018593CA")
        XCTAssertEqual(blank.interfaceText, Self.blankSample + "||")
        let issuance = try BasicInformation(parsing: Self.issuanceSample)
        XCTAssertEqual(issuance.interfaceText, Self.issuanceSample)
        XCTAssertEqual(issuance.terminalDeviceNumber, "00037261202007000128")
    }

    func testBasicInformationErrors() {
        XCTAssertInterfaceError(.badParameter, mentioning: "10项") { try BasicInformation(parsing: String(Self.specExample.split(separator: "|", omittingEmptySubsequences: false).dropLast(2).joined(separator: "|") + "|")) }
        XCTAssertInterfaceError(.badParameter, mentioning: "缺少结尾") { try BasicInformation(parsing: String(Self.specExample.dropLast())) }
        XCTAssertInterfaceError(.badParameter, mentioning: "639901") { try BasicInformation(parsing: "639901" + Self.specExample.dropFirst(6)) }
        XCTAssertInterfaceError(.badCardIdentificationFormat) { try BasicInformation(parsing: Self.specExample.replacingOccurrences(of: "D156000005", with: "D156000006")) }
        XCTAssertInterfaceError(.badParameter, mentioning: "卡复位信息") { try BasicInformation(parsing: Self.specExample.replacingOccurrences(of: "00814E4323", with: "00814E432")) }
        XCTAssertInterfaceError(.illegalCharacters, mentioning: "终端设备号") {
            try BasicInformation(cardIdentificationCode: CardIdentificationCode(hex: "639900D15600000500BF7C7A48FB4966")!,
                                 socialSecurityNumber: "", cardNumber: "", name: "", historicalBytes: [], specificationVersion: "",
                                 issueDate: "", expiryDate: "", terminalNumber: "", terminalDeviceNumber: "a|b")
        }
        XCTAssertInterfaceError(.illegalCharacters, mentioning: "姓名") {
            try BasicInformation(cardIdentificationCode: CardIdentificationCode(hex: "639900D15600000500BF7C7A48FB4966")!,
                                 socialSecurityNumber: "", cardNumber: "", name: "张\n三", historicalBytes: [], specificationVersion: "",
                                 issueDate: "", expiryDate: "", terminalNumber: "", terminalDeviceNumber: "")
        }
    }

    func testStep1SampleRoundTrips() throws {
        let step = try HSMAuthenticationChallenge(parsing: Self.step1Sample)
        XCTAssertEqual(step.regionCode, "331100")
        XCTAssertEqual(step.algorithmIdentifier, 0x03)
        XCTAssertEqual(step.historicalBytes.hexString, "00904A3001866033110000048A")
        XCTAssertEqual(step.internalAuthenticationFactor.hexString, "456FE02E253F817D")
        XCTAssertEqual(step.externalAuthenticationRaw.hexString, "2CFE760428888D8E")
        XCTAssertNil(step.terminalNumber)
        XCTAssertEqual(step.interfaceText, Self.step1Sample)

        let built = try HSMAuthenticationChallenge(
            cardIdentificationCode: CardIdentificationCode(hex: "331100D156000005500509728DB46EF9")!,
            historicalBytes: try AnswerToReset(hex: "3B6D000000904A3001866033110000048A").historicalBytes,
            algorithmIdentifier: 3,
            internalAuthenticationFactor: [UInt8](hex: "456FE02E253F817D")!, internalAuthenticationRaw: [UInt8](hex: "A39FC0BF44CAEA80")!,
            externalAuthenticationFactor: [UInt8](hex: "4F5FB5932F10694D")!, externalAuthenticationRaw: [UInt8](hex: "2CFE760428888D8E")!)
        XCTAssertEqual(built.interfaceText, Self.step1Sample)
        XCTAssertEqual(built, step)

        let nine = try HSMAuthenticationChallenge(parsing: Self.step1Sample + "410100813475|")
        XCTAssertEqual(nine.terminalNumber, "410100813475")
        XCTAssertEqual(nine.interfaceText, Self.step1Sample + "410100813475|")
    }

    func testStep1Errors() {
        XCTAssertInterfaceError(.dataLength, mentioning: "SJS2") {
            try HSMAuthenticationChallenge(cardIdentificationCode: CardIdentificationCode(hex: "331100D156000005500509728DB46EF9")!,
                                           historicalBytes: [], algorithmIdentifier: 3, internalAuthenticationFactor: [UInt8](repeating: 0, count: 8),
                                           internalAuthenticationRaw: [1, 2], externalAuthenticationFactor: [UInt8](repeating: 0, count: 8),
                                           externalAuthenticationRaw: [UInt8](repeating: 0, count: 8))
        }
        XCTAssertInterfaceError(.badParameter, mentioning: "7项") { try HSMAuthenticationChallenge(parsing: String(Self.step1Sample.dropLast(17))) }
        XCTAssertInterfaceError(.badParameter, mentioning: "SJS4") { try HSMAuthenticationChallenge(parsing: Self.step1Sample.replacingOccurrences(of: "2CFE760428888D8E", with: "2CFE760428888D8")) }
        XCTAssertInterfaceError(.badParameter, mentioning: "算法标识") { try HSMAuthenticationChallenge(parsing: Self.step1Sample.replacingOccurrences(of: "|03|", with: "|3|")) }
        XCTAssertInterfaceError(.badParameter, mentioning: "地区码") { try HSMAuthenticationChallenge(parsing: "331101" + Self.step1Sample.dropFirst(6)) }
        XCTAssertInterfaceError(.badCardIdentificationFormat) { try HSMAuthenticationChallenge(parsing: Self.step1Sample.replacingOccurrences(of: "331100D156", with: "331100D157")) }
    }

    func testStep2KeyParsing() throws {
        let inner = "98AB0123456789ABCDEF0123456789AB", outer = "40B6FEDCBA9876543210FEDCBA987654"
        let key = try HSMAuthenticationKey(parsing: "\(inner)|\(outer)|")
        XCTAssertEqual(key.internalAuthentication.hexString, inner)
        XCTAssertEqual(key.externalAuthentication.hexString, outer)
        XCTAssertEqual(key.interfaceText, "\(inner)|\(outer)|")
        XCTAssertEqual(key.interfaceText.count, 66)
        XCTAssertEqual(try HSMAuthenticationKey(parsing: "\(inner.lowercased())|\(outer)|"), key)
        XCTAssertEqual(try HSMAuthenticationKey(parsing: "\(inner)|\(outer)"), key, "one caller omits the closing | for 算法标识 03")

        for bad in ["", "|", "\(inner)|", "\(inner)||", "\(inner)|\(outer)||", "\(inner)|\(outer)|\(outer)|",
                    "\(inner.dropLast())|\(outer)|", "\(inner)0|\(outer)|", "\(inner)|\(outer.dropLast())G|", " \(inner)|\(outer)|"] {
            XCTAssertInterfaceError(.badParameter, mentioning: "pKey") { try HSMAuthenticationKey(parsing: bad) }
        }
        XCTAssertInterfaceError(.dataLength) { try HSMAuthenticationKey(internalAuthentication: [1], externalAuthentication: [UInt8](repeating: 0, count: 16)) }
    }
}
