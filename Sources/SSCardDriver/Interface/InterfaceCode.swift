/// A return code of the national reader interface (人社信息函〔2016〕38号): 0 success, negative
/// failure, card refusals as the negative status word in decimal (as the interface's drivers
/// report them). An open struct so codes from other drivers and status words survive a round
/// trip; `catch InterfaceCode.noCard` works through `~=`.
public struct InterfaceCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// The card refused a command with `statusWord`: −SW in decimal, −27010 for 6982.
    public init(statusWord: StatusWord) { rawValue = statusWord.interfaceCode }

    public static let success = InterfaceCode(rawValue: 0)
    /// −1 卡类型不对.
    public static let wrongCardType = InterfaceCode(rawValue: -1)
    /// −2 无卡.
    public static let noCard = InterfaceCode(rawValue: -2)
    /// −3 有卡未上电.
    public static let cardNotPowered = InterfaceCode(rawValue: -3)
    /// −4 卡无应答.
    public static let noAnswer = InterfaceCode(rawValue: -4)
    /// −5 加载动态库错.
    public static let libraryLoadError = InterfaceCode(rawValue: -5)
    /// −11 读卡器连接错.
    public static let readerConnectError = InterfaceCode(rawValue: -11)
    /// −12 未建立连接.
    public static let notConnected = InterfaceCode(rawValue: -12)
    /// −13 动态库不支持该命令.
    public static let unsupported = InterfaceCode(rawValue: -13)
    /// −14 命令参数错: a parameter does not have the interface's format.
    public static let badParameter = InterfaceCode(rawValue: -14)
    /// −15 信息校验和出错.
    public static let checksumError = InterfaceCode(rawValue: -15)
    /// −20 卡识别码格式错 (or 规范版本 format).
    public static let badCardIdentificationFormat = InterfaceCode(rawValue: -20)
    /// −21 内部认证失败: the card is not genuine.
    public static let internalAuthenticationFailed = InterfaceCode(rawValue: -21)
    /// −22 传入数据与卡内不符.
    public static let dataDiffersFromCard = InterfaceCode(rawValue: -22)
    /// −23 传入数据不合法.
    public static let illegalData = InterfaceCode(rawValue: -23)
    /// −24 PSAM卡密钥级别不够.
    public static let keyLevelTooLow = InterfaceCode(rawValue: -24)
    /// −31 用户取消密码输入.
    public static let pinEntryCancelled = InterfaceCode(rawValue: -31)
    /// −32 密码输入操作超时.
    public static let pinEntryTimeout = InterfaceCode(rawValue: -32)
    /// −33 输入密码长度错.
    public static let pinLength = InterfaceCode(rawValue: -33)
    /// −34 两次输入密码不一致.
    public static let pinsDiffer = InterfaceCode(rawValue: -34)
    /// −35 初始密码不能交易.
    public static let initialPINCannotTransact = InterfaceCode(rawValue: -35)
    /// −36 不能改为初始密码.
    public static let cannotChangeToInitialPIN = InterfaceCode(rawValue: -36)
    /// −41 运算数据含非法字符.
    public static let illegalCharacters = InterfaceCode(rawValue: -41)
    /// −42 运算数据长度错.
    public static let dataLength = InterfaceCode(rawValue: -42)
    /// −51 PIN校验失败; the message carries the tries left (`InterfaceError.pinWrong(triesLeft:)`).
    public static let pinWrong = InterfaceCode(rawValue: -51)
    /// −52 PIN锁定.
    public static let pinLocked = InterfaceCode(rawValue: -52)
    /// −2201 无PSAM卡: callers fall back to the HSM functions.
    public static let noPSAM = InterfaceCode(rawValue: -2201)
    /// −2202 PSAM卡算法不支持 (no SSF33 or SM4).
    public static let algorithmUnsupported = InterfaceCode(rawValue: -2202)
    /// −2203 PSAM卡内没有RKSSSE密钥 (3.0 cards need it to read holder data).
    public static let noRKSSSEKey = InterfaceCode(rawValue: -2203)
    /// −2204 不需要加密机认证.
    public static let hsmAuthNotNeeded = InterfaceCode(rawValue: -2204)

    /// The card status word behind a −SW code (SW1 in 60–6F or 90–9F), nil for the table's codes.
    public var statusWord: StatusWord? {
        let sw = -rawValue
        guard (0x6000...0x6FFF).contains(sw) || (0x9000...0x9FFF).contains(sw) else { return nil }
        return StatusWord(rawValue: UInt16(sw))
    }

    /// Callers retry through the HSM two-step functions on these (as public callers of the
    /// interface do): −2201, −2202, −2203, −27272 (6A88, key not found) and −24.
    public var suggestsHSMFallback: Bool {
        [-2201, -2202, -2203, -27272, -24].contains(rawValue)
    }

    /// The text callers show (the table of 38号文 as public drivers reproduce it, e.g.
    /// gdgly/SI_3rdCard `SSCARDCtrl.cpp`).
    public var chineseMessage: String {
        if let sw = statusWord { return "卡片返回状态字\(sw.bytes.hexString)：\(Self.chineseMeaning(of: sw))" }
        switch rawValue {
        case 0: return "成功"
        case -1: return "卡类型不对"
        case -2: return "无卡（卡片未插入）"
        case -3: return "有卡未上电"
        case -4: return "卡无应答"
        case -5: return "加载动态库错"
        case -11: return "读卡器连接错"
        case -12: return "未建立连接"
        case -13: return "动态库不支持该命令"
        case -14: return "命令参数错"
        case -15: return "信息校验和出错"
        case -20: return "卡识别码格式错或规范版本错"
        case -21: return "内部认证失败（用户卡不合法）"
        case -22: return "传入数据与卡内不符"
        case -23: return "传入数据不合法"
        case -24: return "PSAM卡密钥级别不够"
        // Two meanings in the wild (gdgly/SI_3rdCard and a Sichuan wrapper vs another public
        // table); both are named.
        case -25: return "内部认证与加密机不一致，或卡内无传入的文件名和数据项"
        case -31: return "用户取消密码输入"
        case -32: return "密码输入操作超时"
        case -33: return "输入密码长度错"
        case -34: return "两次输入密码不一致"
        case -35: return "初始密码不能交易"
        case -36: return "不能改为初始密码"
        case -41: return "运算数据含非法字符"
        case -42: return "运算数据长度错"
        case -51: return "密码错误"
        case -52: return "密码已锁定"
        case -2201: return "无PSAM卡"
        case -2202: return "PSAM卡算法不支持（无SSF33或SM4算法）"
        case -2203: return "PSAM卡内没有RKSSSE密钥"
        case -2204: return "不需要加密机认证"
        default: return "未知错误（代码\(rawValue)）"
        }
    }

    /// The same in English, for logs and technicians.
    public var englishMessage: String {
        if let sw = statusWord { return "card status word \(sw.bytes.hexString): \(Self.englishMeaning(of: sw))" }
        switch rawValue {
        case 0: return "success"
        case -1: return "wrong card type"
        case -2: return "no card in the reader"
        case -3: return "card present but not powered"
        case -4: return "card does not answer"
        case -5: return "library load error"
        case -11: return "reader connection error"
        case -12: return "not connected"
        case -13: return "command not supported by the driver"
        case -14: return "bad parameter"
        case -15: return "checksum error"
        case -20: return "bad card identification code or specification version format"
        case -21: return "internal authentication failed (card not genuine)"
        case -22: return "data differ from the card"
        case -23: return "illegal data"
        case -24: return "PSAM key level too low"
        case -25: return "internal authentication disagrees with the HSM, or no such file or item on the card"
        case -31: return "PIN entry cancelled"
        case -32: return "PIN entry timed out"
        case -33: return "wrong PIN length"
        case -34: return "the two PINs differ"
        case -35: return "the initial PIN cannot be used for transactions"
        case -36: return "cannot change to the initial PIN"
        case -41: return "illegal characters in the data"
        case -42: return "wrong data length"
        case -51: return "wrong PIN"
        case -52: return "PIN locked"
        case -2201: return "no PSAM"
        case -2202: return "algorithm not supported by the PSAM (no SSF33 or SM4)"
        case -2203: return "no RKSSSE key in the PSAM"
        case -2204: return "HSM authentication not needed"
        default: return "unknown error (code \(rawValue))"
        }
    }

    public var description: String { "\(rawValue) \(chineseMessage)" }

    /// `catch InterfaceCode.noCard`: matches an `InterfaceError` with this code.
    public static func ~= (code: InterfaceCode, error: any Error) -> Bool {
        (error as? InterfaceError)?.code == code
    }

    static func chineseMeaning(of sw: StatusWord) -> String {
        switch sw.rawValue {
        case 0x6281: return "返回的数据可能有错"
        case 0x6282: return "文件或记录已结束"
        case 0x6283: return "选择的文件无效"
        case 0x6581: return "存储器错误"
        case 0x6700: return "长度错误"
        case 0x6882: return "不支持安全报文"
        case 0x6982: return "不满足安全条件"
        case 0x6983: return "认证方法锁定"
        case 0x6984: return "引用数据无效"
        case 0x6985: return "使用条件不满足"
        case 0x6986: return "不满足命令执行条件（无当前文件）"
        case 0x6987: return "安全报文数据项丢失"
        case 0x6988: return "安全报文数据项不正确"
        case 0x6A80: return "数据域参数不正确"
        case 0x6A81: return "功能不支持"
        case 0x6A82: return "未找到文件"
        case 0x6A83: return "未找到记录"
        case 0x6A84: return "文件存储空间不够"
        case 0x6A86: return "参数P1、P2不正确"
        case 0x6A88: return "未找到引用数据（密钥）"
        case 0x6B00: return "参数错误"
        case 0x6D00: return "命令不存在"
        case 0x6E00: return "CLA错误"
        case 0x6F00: return "数据无效"
        case 0x9302: return "MAC无效"
        case 0x9303: return "应用已被永久锁定"
        case 0x9401: return "金额不足"
        default:
            if let n = sw.triesLeft { return "认证失败，还可尝试\(n)次" }
            if sw.isBytesAvailable { return "还有数据可取" }
            if sw.isWrongLe { return "Le长度错误" }
            return "未知状态"
        }
    }

    static func englishMeaning(of sw: StatusWord) -> String {
        switch sw.rawValue {
        case 0x6281: return "part of the returned data may be corrupted"
        case 0x9302: return "MAC invalid"
        case 0x9303: return "application permanently locked"
        case 0x9401: return "insufficient funds"
        default: return sw.meaning
        }
    }
}

/// A failure of an interface function: the code it returns, the message it writes into
/// pOutInfo (Chinese, what callers show) with its English twin, and the cause underneath when
/// another layer failed first (a card refusal, a PC/SC error).
public struct InterfaceError: Error, Hashable, Sendable, CustomStringConvertible {
    public var code: InterfaceCode
    /// The code's Chinese message, then the detail after "："; this goes into pOutInfo.
    public var message: String
    /// The code's English message, then the detail after ": ".
    public var englishMessage: String
    /// The description of the error that caused this one, if any.
    public var underlying: String?

    /// `detail` names what is wrong (in Chinese), `englishDetail` says the same in English.
    public init(_ code: InterfaceCode, detail: String? = nil, englishDetail: String? = nil, underlying: (any Error)? = nil) {
        self.code = code
        message = code.chineseMessage + (detail.map { "：" + $0 } ?? "")
        englishMessage = code.englishMessage + ((englishDetail ?? detail).map { ": " + $0 } ?? "")
        self.underlying = underlying.map { String(describing: $0) }
    }

    /// The card refused a command: −SW, the message naming the status word's meaning.
    public init(statusWord: StatusWord, underlying: (any Error)? = nil) {
        self.init(InterfaceCode(statusWord: statusWord), underlying: underlying)
    }

    /// −51 with the tries left in the message, e.g. "密码错误，还可尝试3次".
    public static func pinWrong(triesLeft: Int) -> InterfaceError {
        var error = InterfaceError(.pinWrong)
        error.message = "密码错误，还可尝试\(triesLeft)次"
        error.englishMessage = "wrong PIN, \(triesLeft) tries left"
        return error
    }

    public var description: String {
        var text = "\(code.rawValue) \(message) (\(englishMessage))"
        if let underlying { text += " [cause: \(underlying)]" }
        return text
    }

    package static func badParameter(_ detail: String, _ english: String) -> InterfaceError {
        InterfaceError(.badParameter, detail: detail, englishDetail: english)
    }
}
