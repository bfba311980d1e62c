/// The social security application environment (SSSE, 社会保障应用环境) of a 3.0 card and the
/// card's PKI application: identifiers from 《社会保障卡规范》 (spec version 3.00).
public enum SSSE {
    /// "sx1.sh." followed by GBK 社会保障: `00 A4 04 00 0F <AID>` selects the environment.
    public static let aid: [UInt8] = [0x73, 0x78, 0x31, 0x2E, 0x73, 0x68, 0x2E, 0xC9, 0xE7, 0xBB, 0xE1, 0xB1, 0xA3, 0xD5, 0xCF]
    /// "PKI." followed by GBK 社会保障: the certificate application (PKI.社会保障).
    public static let pkiAID: [UInt8] = [0x50, 0x4B, 0x49, 0x2E, 0xC9, 0xE7, 0xBB, 0xE1, 0xB1, 0xA3, 0xD5, 0xCF]
    /// "SS.CERT.ADF1", the ADF under the PKI application that holds keys and certificates.
    public static let certADFAID: [UInt8] = Array("SS.CERT.ADF1".utf8)
    /// The master file.
    public static let masterFileID: [UInt8] = [0x3F, 0x00]
    /// The registered application provider id inside every 卡识别码 (CardIdentificationCode).
    public static let rid: [UInt8] = [0xD1, 0x56, 0x00, 0x00, 0x05]
}

/// An elementary file of the SSSE holding TLV records.
public enum SSSEFile: UInt8, CaseIterable, Sendable, Codable {
    /// EF05: issuer data (卡识别码, 卡号, dates…), written at card making.
    case ef05 = 0x05
    /// EF06: holder data (社会保障号码, 姓名…), written at personalisation; reading needs authentication.
    case ef06 = 0x06
    /// EF07: fingerprint.
    case ef07 = 0x07
    /// EF08: photo.
    case ef08 = 0x08

    /// The 2-byte file id used with SELECT by FID, e.g. EF05.
    public var fileID: [UInt8] { [0xEF, rawValue] }
    /// The name used in the national interface's `pFileAddr`, e.g. "SSSEEF05".
    public var interfaceName: String { "SSSEEF" + [rawValue].hexString }
}

/// How an element's bytes are written on the card.
public enum ElementEncoding: Sendable, Hashable {
    /// Text, left-aligned and 00-padded (ASCII for an, GBK for names).
    case alphanumeric
    /// Packed BCD, right-padded with F.
    case bcd
    /// Raw bytes shown as hex in the interface.
    case binary
}

/// One data element of the SSSE: which file and record holds it, its tag and size.
public struct CardElement: Hashable, Sendable {
    public var file: SSSEFile
    public var record: UInt8
    public var tag: UInt8
    public var length: Int
    public var encoding: ElementEncoding
    public var name: String

    /// 卡识别码: region (3 B BCD) + D156000005 + 8 bytes.
    public static let cardIdentificationCode = CardElement(file: .ef05, record: 1, tag: 0x01, length: 16, encoding: .binary, name: "卡识别码")
    /// 卡的类别, e.g. "3".
    public static let cardType = CardElement(file: .ef05, record: 2, tag: 0x02, length: 1, encoding: .alphanumeric, name: "卡的类别")
    /// 规范版本, "3.00".
    public static let specificationVersion = CardElement(file: .ef05, record: 3, tag: 0x03, length: 4, encoding: .alphanumeric, name: "规范版本")
    /// 初始化机构编号.
    public static let initialisingOrganisation = CardElement(file: .ef05, record: 4, tag: 0x04, length: 12, encoding: .binary, name: "初始化机构编号")
    /// 发卡日期, YYYYMMDD.
    public static let issueDate = CardElement(file: .ef05, record: 5, tag: 0x05, length: 4, encoding: .bcd, name: "发卡日期")
    /// 卡有效期, YYYYMMDD.
    public static let expiryDate = CardElement(file: .ef05, record: 6, tag: 0x06, length: 4, encoding: .bcd, name: "卡有效期")
    /// 卡号, 9 alphanumerics.
    public static let cardNumber = CardElement(file: .ef05, record: 7, tag: 0x07, length: 9, encoding: .alphanumeric, name: "卡号")
    /// 社会保障号码, 18 characters.
    public static let socialSecurityNumber = CardElement(file: .ef06, record: 1, tag: 0x08, length: 18, encoding: .alphanumeric, name: "社会保障号码")
    /// 姓名, GBK, 30 bytes.
    public static let name = CardElement(file: .ef06, record: 2, tag: 0x09, length: 30, encoding: .alphanumeric, name: "姓名")
    /// 姓名扩展, GBK, 20 bytes: the rest of a long name.
    public static let nameExtension = CardElement(file: .ef06, record: 3, tag: 0x4E, length: 20, encoding: .alphanumeric, name: "姓名扩展")
    /// 性别: '1' male, '2' female, '9' unstated.
    public static let sex = CardElement(file: .ef06, record: 4, tag: 0x0A, length: 1, encoding: .alphanumeric, name: "性别")
    /// 民族 (GB 3304), 1 byte BCD.
    public static let ethnicity = CardElement(file: .ef06, record: 5, tag: 0x0B, length: 1, encoding: .bcd, name: "民族")
    /// 出生地: region code, 3 bytes BCD.
    public static let birthPlace = CardElement(file: .ef06, record: 6, tag: 0x0C, length: 3, encoding: .bcd, name: "出生地")
    /// 出生日期, YYYYMMDD.
    public static let birthDate = CardElement(file: .ef06, record: 7, tag: 0x0D, length: 4, encoding: .bcd, name: "出生日期")

    public static let all: [CardElement] = [
        .cardIdentificationCode, .cardType, .specificationVersion, .initialisingOrganisation,
        .issueDate, .expiryDate, .cardNumber,
        .socialSecurityNumber, .name, .nameExtension, .sex, .ethnicity, .birthPlace, .birthDate,
    ]

    /// The element of `file` with record tag `tag`, if the card defines one.
    public static func element(file: SSSEFile, tag: UInt8) -> CardElement? {
        all.first { $0.file == file && $0.tag == tag }
    }
}
