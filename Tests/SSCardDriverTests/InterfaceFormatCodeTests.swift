import SSCardDriver
import XCTest

/// Return codes and `InterfaceError` (人社信息函〔2016〕38号).
final class InterfaceFormatCodeTests: XCTestCase {
    func testTableCodesHaveTheirValuesAndMessages() {
        let table: [(InterfaceCode, Int, String)] = [
            (.success, 0, "成功"), (.wrongCardType, -1, "卡类型不对"), (.noCard, -2, "无卡（卡片未插入）"),
            (.cardNotPowered, -3, "有卡未上电"), (.noAnswer, -4, "卡无应答"), (.libraryLoadError, -5, "加载动态库错"),
            (.readerConnectError, -11, "读卡器连接错"), (.notConnected, -12, "未建立连接"),
            (.unsupported, -13, "动态库不支持该命令"), (.badParameter, -14, "命令参数错"),
            (.checksumError, -15, "信息校验和出错"), (.badCardIdentificationFormat, -20, "卡识别码格式错或规范版本错"),
            (.internalAuthenticationFailed, -21, "内部认证失败（用户卡不合法）"), (.dataDiffersFromCard, -22, "传入数据与卡内不符"),
            (.illegalData, -23, "传入数据不合法"), (.keyLevelTooLow, -24, "PSAM卡密钥级别不够"),
            (.pinEntryCancelled, -31, "用户取消密码输入"), (.pinEntryTimeout, -32, "密码输入操作超时"),
            (.pinLength, -33, "输入密码长度错"), (.pinsDiffer, -34, "两次输入密码不一致"),
            (.initialPINCannotTransact, -35, "初始密码不能交易"), (.cannotChangeToInitialPIN, -36, "不能改为初始密码"),
            (.illegalCharacters, -41, "运算数据含非法字符"), (.dataLength, -42, "运算数据长度错"),
            (.pinWrong, -51, "密码错误"), (.pinLocked, -52, "密码已锁定"), (.noPSAM, -2201, "无PSAM卡"),
            (.algorithmUnsupported, -2202, "PSAM卡算法不支持（无SSF33或SM4算法）"),
            (.noRKSSSEKey, -2203, "PSAM卡内没有RKSSSE密钥"), (.hsmAuthNotNeeded, -2204, "不需要加密机认证"),
        ]
        for (code, value, chinese) in table {
            XCTAssertEqual(code.rawValue, value)
            XCTAssertEqual(code.chineseMessage, chinese)
            XCTAssertFalse(code.englishMessage.isEmpty)
            XCTAssertFalse(code.englishMessage.hasPrefix("unknown"), "\(value)")
            XCTAssertNil(code.statusWord, "\(value) is a table code, not a status word")
        }
        XCTAssertEqual(InterfaceCode.noCard.englishMessage, "no card in the reader")
        XCTAssertEqual(InterfaceCode(rawValue: -99).chineseMessage, "未知错误（代码-99）")
        XCTAssertTrue(InterfaceCode(rawValue: -25).chineseMessage.contains("加密机"), "−25 names both meanings")
    }

    func testStatusWordsBecomeNegativeDecimalWithTheirMeaning() {
        let code = InterfaceCode(statusWord: .securityStatusNotSatisfied)
        XCTAssertEqual(code.rawValue, -27010)
        XCTAssertEqual(code.statusWord, StatusWord(rawValue: 0x6982))
        XCTAssertEqual(code.chineseMessage, "卡片返回状态字6982：不满足安全条件")
        XCTAssertEqual(code.englishMessage, "card status word 6982: security status not satisfied")
        XCTAssertEqual(InterfaceCode(statusWord: .referencedDataNotFound).rawValue, -27272)
        XCTAssertEqual(InterfaceCode(rawValue: -37634).chineseMessage, "卡片返回状态字9302：MAC无效")
        XCTAssertEqual(InterfaceCode(rawValue: -37635).englishMessage, "card status word 9303: application permanently locked")
        XCTAssertEqual(InterfaceCode(rawValue: -25538).chineseMessage, "卡片返回状态字63C2：认证失败，还可尝试2次")
        XCTAssertEqual(InterfaceCode(rawValue: -26368).statusWord, .wrongLength)

        let error = InterfaceError(statusWord: .recordNotFound)
        XCTAssertEqual(error.code.rawValue, -27267)
        XCTAssertEqual(error.message, "卡片返回状态字6A83：未找到记录")
    }

    func testHSMFallbackCodes() {
        let fallback = [-2201, -2202, -2203, -27272, -24].map { InterfaceCode(rawValue: $0) }
        XCTAssertTrue(fallback.allSatisfy(\.suggestsHSMFallback))
        XCTAssertFalse(InterfaceCode.noCard.suggestsHSMFallback)
        XCTAssertFalse(InterfaceCode.hsmAuthNotNeeded.suggestsHSMFallback)
    }

    func testWrongPINMessageCarriesTheTriesLeft() {
        let error = InterfaceError.pinWrong(triesLeft: 3)
        XCTAssertEqual(error.code, .pinWrong)
        XCTAssertEqual(error.code.rawValue, -51)
        XCTAssertEqual(error.message, "密码错误，还可尝试3次")
        XCTAssertEqual(error.englishMessage, "wrong PIN, 3 tries left")
    }

    func testErrorDescriptionReadsWellAndKeepsTheCause() {
        let cause = CardError.refused(instruction: 0xB2, status: .securityStatusNotSatisfied)
        let error = InterfaceError(.badParameter, detail: "pFileAddr 为空", englishDetail: "pFileAddr is empty", underlying: cause)
        XCTAssertEqual(error.message, "命令参数错：pFileAddr 为空")
        XCTAssertEqual(error.englishMessage, "bad parameter: pFileAddr is empty")
        XCTAssertEqual(error.underlying, "card refused READ RECORD: 6982 (security status not satisfied)")
        XCTAssertEqual(error.description,
                       "-14 命令参数错：pFileAddr 为空 (bad parameter: pFileAddr is empty) [cause: card refused READ RECORD: 6982 (security status not satisfied)]")
        XCTAssertEqual(InterfaceError(.noCard).description, "-2 无卡（卡片未插入） (no card in the reader)")
    }

    func testCatchByCode() {
        func fail() throws { throw InterfaceError(.noCard) }
        do {
            try fail()
            XCTFail("no error")
        } catch InterfaceCode.pinLocked {
            XCTFail("wrong code matched")
        } catch InterfaceCode.noCard {
            // expected
        } catch {
            XCTFail("not matched by code: \(error)")
        }
    }
}
