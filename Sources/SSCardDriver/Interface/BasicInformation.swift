/// The result of iReadCardBas (and iReadCardBas_HSM_Step2): the card's basic information in the
/// 11 `|`-terminated fields of 38号文 (人社信息函〔2016〕38号; the example is the spec's own), e.g.
/// `639900|111111198101011110|X00000019|639900D15600000500BF7C7A48FB4966|张三|00814E43238697159900BF7C7A|1.00|20101001|20201001|410100813475|终端设备号|`.
/// A blank pre-made card has an empty 社会保障号码 and 姓名.
public struct BasicInformation: Hashable, Sendable, CustomStringConvertible {
    /// 卡识别码; its first six digits are the 发卡地区行政区划代码.
    public let cardIdentificationCode: CardIdentificationCode
    /// 社会保障号码; empty on a blank card.
    public let socialSecurityNumber: String
    /// 卡号.
    public let cardNumber: String
    /// 姓名 + 姓名扩展; empty on a blank card.
    public let name: String
    /// 卡复位信息: the ATR's historical bytes only.
    public let historicalBytes: [UInt8]
    /// 规范版本, "3.00".
    public let specificationVersion: String
    /// 发卡日期 YYYYMMDD.
    public let issueDate: String
    /// 卡有效期 YYYYMMDD.
    public let expiryDate: String
    /// 终端机编号: the PSAM's 12-digit terminal number; `000000000000` on the HSM path.
    public let terminalNumber: String
    /// 终端设备号: the device serial.
    public let terminalDeviceNumber: String

    /// The PSAM-less 终端机编号 of the HSM path.
    public static let hsmTerminalNumber = "000000000000"

    /// Collects the fields; a field holding `|`, `$` or a control character → −41, so the
    /// formatted text always splits back into the same 11 fields.
    public init(cardIdentificationCode: CardIdentificationCode, socialSecurityNumber: String, cardNumber: String,
                name: String, historicalBytes: [UInt8], specificationVersion: String, issueDate: String,
                expiryDate: String, terminalNumber: String, terminalDeviceNumber: String) throws(InterfaceError) {
        for (label, value) in [("社会保障号码", socialSecurityNumber), ("卡号", cardNumber), ("姓名", name),
                               ("规范版本", specificationVersion), ("发卡日期", issueDate), ("卡有效期", expiryDate),
                               ("终端机编号", terminalNumber), ("终端设备号", terminalDeviceNumber)] {
            for scalar in value.unicodeScalars where scalar == "|" || scalar == "$" || scalar.properties.generalCategory == .control {
                throw InterfaceError(.illegalCharacters,
                                     detail: "\(label) \(InterfaceFields.quoted(value)) 含非法字符 U+\(String(scalar.value, radix: 16, uppercase: true))",
                                     englishDetail: "\(label) \(InterfaceFields.quoted(value)) holds U+\(String(scalar.value, radix: 16, uppercase: true))")
            }
        }
        self.cardIdentificationCode = cardIdentificationCode
        self.socialSecurityNumber = socialSecurityNumber
        self.cardNumber = cardNumber
        self.name = name
        self.historicalBytes = historicalBytes
        self.specificationVersion = specificationVersion
        self.issueDate = issueDate
        self.expiryDate = expiryDate
        self.terminalNumber = terminalNumber
        self.terminalDeviceNumber = terminalDeviceNumber
    }

    /// From what the driver read: EF05, the holder's 姓名 and 姓名扩展 (nil/empty on a blank
    /// card), the ATR, and the security module's terminal numbers.
    public init(issuer: IssuerData, socialSecurityNumber: String?, name: String?, nameExtension: String?,
                answerToReset: AnswerToReset, terminalNumber: String, terminalDeviceNumber: String) throws(InterfaceError) {
        try self.init(cardIdentificationCode: issuer.cardIdentificationCode,
                      socialSecurityNumber: socialSecurityNumber ?? "", cardNumber: issuer.cardNumber,
                      name: (name ?? "") + (nameExtension ?? ""), historicalBytes: answerToReset.historicalBytes,
                      specificationVersion: issuer.specificationVersion, issueDate: issuer.issueDate,
                      expiryDate: issuer.expiryDate, terminalNumber: terminalNumber,
                      terminalDeviceNumber: terminalDeviceNumber)
    }

    /// Parses an iReadCardBas output (a caller's or another driver's): 11 fields, or 9 as some
    /// drivers emit without the terminal numbers (then those are empty). Wrong shape, a region
    /// that is not the 卡识别码's, historical bytes not hex → −14; a bad 卡识别码 → −20.
    public init(parsing text: String) throws(InterfaceError) {
        guard let fields = InterfaceFields.terminated(text, by: "|") else {
            throw .badParameter("基本信息末项缺少结尾的“|”", "basic information: the last field lacks its closing |")
        }
        guard fields.count == 11 || fields.count == 9 else {
            throw .badParameter("基本信息应有11项，实为\(fields.count)项", "basic information must hold 11 fields, it holds \(fields.count)")
        }
        guard fields[3].unicodeScalars.count == 32, InterfaceFields.isHex(fields[3]),
              let id = CardIdentificationCode(hex: fields[3]) else {
            throw InterfaceError(.badCardIdentificationFormat, detail: "卡识别码 \(InterfaceFields.quoted(fields[3])) 格式错",
                                 englishDetail: "卡识别码 \(InterfaceFields.quoted(fields[3])) is malformed")
        }
        guard fields[0] == id.regionCode else {
            throw .badParameter("发卡地区行政区划代码 \(InterfaceFields.quoted(fields[0])) 与卡识别码不符",
                                "region code \(InterfaceFields.quoted(fields[0])) is not the 卡识别码's \(id.regionCode)")
        }
        guard InterfaceFields.isHex(fields[5]), let historical = [UInt8](hex: fields[5]) else {
            throw .badParameter("卡复位信息 \(InterfaceFields.quoted(fields[5])) 不是十六进制", "卡复位信息 \(InterfaceFields.quoted(fields[5])) is not hex")
        }
        try self.init(cardIdentificationCode: id, socialSecurityNumber: fields[1], cardNumber: fields[2], name: fields[4],
                      historicalBytes: historical, specificationVersion: fields[6], issueDate: fields[7],
                      expiryDate: fields[8], terminalNumber: fields.count == 11 ? fields[9] : "",
                      terminalDeviceNumber: fields.count == 11 ? fields[10] : "")
    }

    /// 发卡地区行政区划代码: the 卡识别码's first six digits.
    public var regionCode: String { cardIdentificationCode.regionCode }

    /// The 11 fields, each ending in `|`.
    public var interfaceText: String {
        [regionCode, socialSecurityNumber, cardNumber, cardIdentificationCode.hex, name, historicalBytes.hexString,
         specificationVersion, issueDate, expiryDate, terminalNumber, terminalDeviceNumber]
            .map { $0 + "|" }.joined()
    }

    public var description: String { interfaceText }
}
