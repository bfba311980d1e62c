import Foundation

/// An application for a card (社会保障卡申领) as the card-management system hands it to the
/// desk: who the card is for and what goes on its chip and face (GB 11643;
/// 《广东省社会保障卡经办规程》第五条, 第三十四条, 第三十五条, 第三十六条, 附件6). Validation lives in
/// `ApplicationValidator`.
public struct Application: Hashable, Sendable, Codable {
    /// 申领类型: instant issuance serves new cards, 补卡 and 换卡
    /// (《广东省社会保障卡经办规程》第三十六条一（一）).
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        /// 新申领.
        case new
        /// 补卡: the old card was lost.
        case replacement
        /// 换卡: the old card is worn or its data changed.
        case renewal

        public var chinese: String {
            switch self {
            case .new: "新申领"
            case .replacement: "补卡"
            case .renewal: "换卡"
            }
        }
    }

    /// 申请编号 in the card-management system.
    public var id: String
    public var kind: Kind
    /// 姓名 as the system holds it; a character outside GB 18030 is its pinyin in brackets,
    /// e.g. `张[CHUI]` (《广东省社会保障卡经办规程》第三十四条), resolved by the clerk before printing.
    public var name: String
    /// 社会保障号码: 18-character citizen number, or the non-resident form `HKG012345678`.
    public var socialSecurityNumber: String
    /// 性别 per GB/T 2261.1: "1" male, "2" female, "9" unstated.
    public var sex: String
    /// 民族 per GB 3304, two digits ("01" 汉族); "97"/"98" for others/foreigners.
    public var ethnicity: String
    /// 国籍: ISO 3166-1 alpha-3 ("CHN").
    public var nationality: String
    /// 出生日期 YYYYMMDD.
    public var birthDate: String
    /// 出生地: 6-digit administrative region code, when known.
    public var birthPlace: String?
    /// The bank (开户银行 code) of the card; picks the hopper of that bank's pre-made cards.
    public var bank: String
    /// 发卡地区行政区划代码 of the issuing agency, 6 digits (also the CA's region).
    public var regionCode: String
    /// The photo as JPEG bytes; nil for a child under 7 (《广东省社会保障卡经办规程》第五条, 附件6).
    public var photoJPEG: Data?

    public init(id: String, kind: Kind = .new, name: String, socialSecurityNumber: String, sex: String,
                ethnicity: String, nationality: String = "CHN", birthDate: String, birthPlace: String? = nil,
                bank: String, regionCode: String, photoJPEG: Data?) {
        self.id = id; self.kind = kind; self.name = name; self.socialSecurityNumber = socialSecurityNumber
        self.sex = sex; self.ethnicity = ethnicity; self.nationality = nationality; self.birthDate = birthDate
        self.birthPlace = birthPlace; self.bank = bank; self.regionCode = regionCode; self.photoJPEG = photoJPEG
    }
}
