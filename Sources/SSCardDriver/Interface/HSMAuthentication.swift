/// The HSM (加密机) two-step read, for terminals without a PSAM: Step1 hands the caller what its
/// HSM needs to authenticate with the card, Step2 takes the HSM's answer back
/// (人社信息函〔2016〕38号, the *_HSM_Step1/Step2 functions).

/// iReadCardBas_HSM_Step1 output: `地区码|ATR历史字节|算法标识|卡识别码|SJS1|SJS2|SJS3|SJS4|`, e.g.
/// `331100|00904A3001866033110000048A|03|331100D156000005500509728DB46EF9|456FE02E253F817D|A39FC0BF44CAEA80|4F5FB5932F10694D|2CFE760428888D8E|`.
public struct HSMAuthenticationChallenge: Hashable, Sendable, CustomStringConvertible {
    public let cardIdentificationCode: CardIdentificationCode
    /// The ATR's historical bytes.
    public let historicalBytes: [UInt8]
    /// 算法标识 from the SSSE's FCI; 3.0 cards report 03 (SM4 family).
    public let algorithmIdentifier: UInt8
    /// SJS1 内部认证过程因子, 8 bytes.
    public let internalAuthenticationFactor: [UInt8]
    /// SJS2 内部认证鉴别所需的原始信息, 8 bytes.
    public let internalAuthenticationRaw: [UInt8]
    /// SJS3 外部认证过程因子, 8 bytes.
    public let externalAuthenticationFactor: [UInt8]
    /// SJS4 外部认证鉴别所需的原始信息 (the card's GET CHALLENGE), 8 bytes.
    public let externalAuthenticationRaw: [UInt8]
    /// 终端编号, a ninth field some drivers append; nil when absent.
    public let terminalNumber: String?

    /// Collects the fields; an SJS value of another size than 8 bytes → −42, a terminal number
    /// holding `|` or a control character → −41.
    public init(cardIdentificationCode: CardIdentificationCode, historicalBytes: [UInt8], algorithmIdentifier: UInt8,
                internalAuthenticationFactor: [UInt8], internalAuthenticationRaw: [UInt8],
                externalAuthenticationFactor: [UInt8], externalAuthenticationRaw: [UInt8],
                terminalNumber: String? = nil) throws(InterfaceError) {
        for (label, value) in [("SJS1", internalAuthenticationFactor), ("SJS2", internalAuthenticationRaw),
                               ("SJS3", externalAuthenticationFactor), ("SJS4", externalAuthenticationRaw)] where value.count != 8 {
            throw InterfaceError(.dataLength, detail: "\(label) 应为8字节，实为\(value.count)字节",
                                 englishDetail: "\(label) must be 8 bytes, it is \(value.count)")
        }
        if let terminalNumber, terminalNumber.unicodeScalars.contains(where: { $0 == "|" || $0.properties.generalCategory == .control }) {
            throw InterfaceError(.illegalCharacters, detail: "终端编号 \(InterfaceFields.quoted(terminalNumber)) 含非法字符",
                                 englishDetail: "terminal number \(InterfaceFields.quoted(terminalNumber)) holds | or a control character")
        }
        self.cardIdentificationCode = cardIdentificationCode
        self.historicalBytes = historicalBytes
        self.algorithmIdentifier = algorithmIdentifier
        self.internalAuthenticationFactor = internalAuthenticationFactor
        self.internalAuthenticationRaw = internalAuthenticationRaw
        self.externalAuthenticationFactor = externalAuthenticationFactor
        self.externalAuthenticationRaw = externalAuthenticationRaw
        self.terminalNumber = terminalNumber
    }

    /// Parses a Step1 output: 8 fields, or 9 with a terminal number. Wrong shape, hex or sizes,
    /// or a region that is not the 卡识别码's → −14; a bad 卡识别码 → −20.
    public init(parsing text: String) throws(InterfaceError) {
        guard let fields = InterfaceFields.terminated(text, by: "|") else {
            throw .badParameter("Step1 输出末项缺少结尾的“|”", "Step1 output: the last field lacks its closing |")
        }
        guard fields.count == 8 || fields.count == 9 else {
            throw .badParameter("Step1 输出应有8项，实为\(fields.count)项", "Step1 output must hold 8 fields, it holds \(fields.count)")
        }
        guard fields[3].unicodeScalars.count == 32, InterfaceFields.isHex(fields[3]),
              let id = CardIdentificationCode(hex: fields[3]) else {
            throw InterfaceError(.badCardIdentificationFormat, detail: "卡识别码 \(InterfaceFields.quoted(fields[3])) 格式错",
                                 englishDetail: "卡识别码 \(InterfaceFields.quoted(fields[3])) is malformed")
        }
        guard fields[0] == id.regionCode else {
            throw .badParameter("地区码 \(InterfaceFields.quoted(fields[0])) 与卡识别码不符",
                                "region code \(InterfaceFields.quoted(fields[0])) is not the 卡识别码's \(id.regionCode)")
        }
        func hex(_ index: Int, _ label: String, count: Int?) throws(InterfaceError) -> [UInt8] {
            let text = fields[index]
            guard InterfaceFields.isHex(text), let bytes = [UInt8](hex: text), count == nil || bytes.count == count else {
                let size = count.map { "\($0 * 2)位" } ?? ""
                throw .badParameter("\(label) \(InterfaceFields.quoted(text)) 应为\(size)十六进制",
                                    "\(label) \(InterfaceFields.quoted(text)) must be \(count.map { "\($0 * 2) " } ?? "")hex digits")
            }
            return bytes
        }
        let historical = try hex(1, "ATR历史字节", count: nil)
        let algorithm = try hex(2, "算法标识", count: 1)
        try self.init(cardIdentificationCode: id, historicalBytes: historical, algorithmIdentifier: algorithm[0],
                      internalAuthenticationFactor: try hex(4, "SJS1", count: 8), internalAuthenticationRaw: try hex(5, "SJS2", count: 8),
                      externalAuthenticationFactor: try hex(6, "SJS3", count: 8), externalAuthenticationRaw: try hex(7, "SJS4", count: 8),
                      terminalNumber: fields.count == 9 ? fields[8] : nil)
    }

    /// 地区码: the 卡识别码's first six digits.
    public var regionCode: String { cardIdentificationCode.regionCode }

    /// The Step1 output, each field ending in `|`.
    public var interfaceText: String {
        var fields = [regionCode, historicalBytes.hexString, [algorithmIdentifier].hexString, cardIdentificationCode.hex,
                      internalAuthenticationFactor.hexString, internalAuthenticationRaw.hexString,
                      externalAuthenticationFactor.hexString, externalAuthenticationRaw.hexString]
        if let terminalNumber { fields.append(terminalNumber) }
        return fields.map { $0 + "|" }.joined()
    }

    public var description: String { interfaceText }
}

/// `pKey` of the HSM Step2 functions: `<32 hex>|<32 hex>|`, the HSM's internal-authentication
/// data + raw information and its external-authentication data + raw information, 16 bytes
/// each. The closing `|` may be missing (one caller omits it for 算法标识 03 [S]); lower-case
/// hex is accepted; anything else → −14.
public struct HSMAuthenticationKey: Hashable, Sendable, CustomStringConvertible {
    /// 内部认证鉴别数据 (8 B) ‖ 原始信息 (8 B): compared with the card's INTERNAL AUTHENTICATE.
    public let internalAuthentication: [UInt8]
    /// 外部认证鉴别数据 (8 B) ‖ 原始信息 (8 B): the data of EXTERNAL AUTHENTICATE (key 0A).
    public let externalAuthentication: [UInt8]

    /// Both values must be 16 bytes (−42).
    public init(internalAuthentication: [UInt8], externalAuthentication: [UInt8]) throws(InterfaceError) {
        guard internalAuthentication.count == 16, externalAuthentication.count == 16 else {
            throw InterfaceError(.dataLength, detail: "认证数据应各为16字节", englishDetail: "each authentication value must be 16 bytes")
        }
        self.internalAuthentication = internalAuthentication
        self.externalAuthentication = externalAuthentication
    }

    public init(parsing text: String) throws(InterfaceError) {
        var terminated = text
        if let last = text.unicodeScalars.last, last != "|" { terminated.unicodeScalars.append("|") }
        guard let fields = InterfaceFields.terminated(terminated, by: "|"), fields.count == 2 else {
            throw .badParameter("pKey 应为“32位十六进制|32位十六进制|”", "pKey must read <32 hex>|<32 hex>|")
        }
        var values: [[UInt8]] = []
        for (label, field) in zip(["内部认证数据", "外部认证数据"], fields) {
            guard field.unicodeScalars.count == 32, InterfaceFields.isHex(field), let bytes = [UInt8](hex: field) else {
                throw .badParameter("pKey 的\(label) \(InterfaceFields.quoted(field)) 应为32位十六进制",
                                    "pKey: \(label) \(InterfaceFields.quoted(field)) must be 32 hex digits")
            }
            values.append(bytes)
        }
        try self.init(internalAuthentication: values[0], externalAuthentication: values[1])
    }

    /// The `pKey` text with the closing `|`.
    public var interfaceText: String { internalAuthentication.hexString + "|" + externalAuthentication.hexString + "|" }

    public var description: String { interfaceText }
}
