import SSCardDriver
import CardManagement

/// A field of `Application`, named as the clerk's screen and the card-management system
/// name it, so a problem can point at it.
public enum ApplicationField: String, Hashable, Sendable, CaseIterable {
    case id, name, socialSecurityNumber, sex, ethnicity, nationality, birthDate, birthPlace, bank, regionCode, photo
    /// The one-person-one-card check is about the person, not a field.
    case person

    public var chinese: String {
        switch self {
        case .id: "申请编号"
        case .name: "姓名"
        case .socialSecurityNumber: "社会保障号码"
        case .sex: "性别"
        case .ethnicity: "民族"
        case .nationality: "国籍"
        case .birthDate: "出生日期"
        case .birthPlace: "出生地"
        case .bank: "服务银行"
        case .regionCode: "发卡地区"
        case .photo: "相片"
        case .person: "一人一卡"
        }
    }
}

/// One thing wrong with an application, found before any card is touched. Each has a
/// Chinese and an English sentence saying what is wrong and what the clerk should do.
public enum ApplicationProblem: Hashable, Sendable, CustomStringConvertible {
    /// A required field is empty.
    case missing(ApplicationField)
    case socialSecurityNumber(SocialSecurityNumber.Problem)
    /// 性别 is not "1", "2" or "9" (GB/T 2261.1).
    case sex(String)
    /// 民族 is not a GB 3304 code (01–56, 97, 98).
    case ethnicity(String)
    /// 国籍 is not 3 upper-case letters (ISO 3166-1 alpha-3).
    case nationality(String)
    /// 出生日期 is not a real day written YYYYMMDD.
    case birthDate(String)
    case birthDateInFuture(CalendarDate, today: CalendarDate)
    /// 出生地 is given but not 6 digits.
    case birthPlace(String)
    /// 发卡地区 is not 6 digits.
    case regionCode(String)
    /// The birth date inside the citizen number and 出生日期 differ.
    case birthDateDiffers(inNumber: CalendarDate, inApplication: CalendarDate)
    /// The sex digit of the citizen number and 性别 differ ("9" agrees with either).
    case sexDiffers(inNumber: String, inApplication: String)
    case name(ApplicantName.Problem)
    case photo(ApplicantPhoto.Problem)
    /// Aged 7 or over at the issue date and no photo (《广东省社会保障卡经办规程》第五条).
    case photoMissing(age: Int)
    /// 一人一卡: the person holds other cards in the province (《广东省社会保障卡经办规程》第八条,
    /// 附件10).
    case otherCards([ExistingCard])
    /// The one-person-one-card check could not be made.
    case conflictCheckFailed(CardManagementError)

    /// The field the problem is about.
    public var field: ApplicationField {
        switch self {
        case .missing(let field): field
        case .socialSecurityNumber: .socialSecurityNumber
        case .sex, .sexDiffers: .sex
        case .ethnicity: .ethnicity
        case .nationality: .nationality
        case .birthDate, .birthDateInFuture, .birthDateDiffers: .birthDate
        case .birthPlace: .birthPlace
        case .regionCode: .regionCode
        case .name: .name
        case .photo, .photoMissing: .photo
        case .otherCards, .conflictCheckFailed: .person
        }
    }

    private static let fix = "请在卡管系统中更正申请后重新办理"
    private static let fixEnglish = "correct the application in the card-management system and start again"

    public var chinese: String {
        switch self {
        case .missing(let field): "申请缺少\(field.chinese)。" + Self.fix
        case .socialSecurityNumber(let problem): problem.chinese + "。请核对证件，" + Self.fix
        case .sex(let v): "性别“\(v)”无效，应为1（男）、2（女）或9（未说明）。" + Self.fix
        case .ethnicity(let v): "民族代码“\(v)”无效，应为GB 3304的两位代码（01–56、97、98）。" + Self.fix
        case .nationality(let v): "国籍“\(v)”无效，应为3位大写字母（如CHN）。" + Self.fix
        case .birthDate(let v): "出生日期“\(v)”不是有效日期（格式YYYYMMDD）。" + Self.fix
        case .birthDateInFuture(let d, let today): "出生日期\(d)晚于今天（\(today)）。" + Self.fix
        case .birthPlace(let v): "出生地“\(v)”无效，应为6位行政区划代码。" + Self.fix
        case .regionCode(let v): "发卡地区“\(v)”无效，应为6位行政区划代码。" + Self.fix
        case .birthDateDiffers(let n, let a): "出生日期\(a)与社会保障号码中的出生日期\(n)不一致。请核对证件，" + Self.fix
        case .sexDiffers(let n, let a):
            "性别“\(Self.sexName(a))”与社会保障号码中的性别“\(Self.sexName(n))”不一致。请核对证件，" + Self.fix
        case .name(let problem): problem.chinese
        case .photo(let problem): problem.chinese
        case .photoMissing(let age): "申请人已满\(age)周岁，须有相片（未满7周岁才可不印相片）。请采集相片后重新办理"
        case .otherCards(let cards):
            "申请人在省内已持有其他社保卡（\(cards.map { "\($0.cardNumber)，\($0.regionCode)，\($0.state)" }.joined(separator: "；"))）。"
                + "请先在省卡管系统办理“一人一卡”清理并由申请人签署确认单，再办理制卡"
        case .conflictCheckFailed(let error):
            "无法完成“一人一卡”核验：\(error.chinese)。" + (error.isRetryable ? "请稍后重试" : "请联系卡管机构")
        }
    }

    public var english: String {
        switch self {
        case .missing(let field): "the application has no \(field.rawValue) (\(field.chinese)); " + Self.fixEnglish
        case .socialSecurityNumber(let problem): problem.english + "; check the identity document, " + Self.fixEnglish
        case .sex(let v): "the sex \"\(v)\" is invalid: it must be 1 (male), 2 (female) or 9 (unstated); " + Self.fixEnglish
        case .ethnicity(let v): "the ethnicity code \"\(v)\" is invalid: it must be a two-digit GB 3304 code (01–56, 97, 98); " + Self.fixEnglish
        case .nationality(let v): "the nationality \"\(v)\" is invalid: it must be 3 upper-case letters (e.g. CHN); " + Self.fixEnglish
        case .birthDate(let v): "the birth date \"\(v)\" is not a real day written YYYYMMDD; " + Self.fixEnglish
        case .birthDateInFuture(let d, let today): "the birth date \(d) is after today (\(today)); " + Self.fixEnglish
        case .birthPlace(let v): "the birthplace \"\(v)\" is invalid: it must be a 6-digit region code; " + Self.fixEnglish
        case .regionCode(let v): "the issuing region \"\(v)\" is invalid: it must be a 6-digit region code; " + Self.fixEnglish
        case .birthDateDiffers(let n, let a): "the birth date \(a) differs from the one in the social security number, \(n); check the identity document, " + Self.fixEnglish
        case .sexDiffers(let n, let a):
            "the sex \(a) (\(Self.sexName(a))) differs from the one the social security number gives, \(n) (\(Self.sexName(n))); check the identity document, " + Self.fixEnglish
        case .name(let problem): problem.english
        case .photo(let problem): problem.english
        case .photoMissing(let age): "the applicant is \(age), so the card needs a photo (only children under 7 go without); take a photo and start again"
        case .otherCards(let cards):
            "the applicant already holds other cards in the province (\(cards.map { "\($0.cardNumber), \($0.regionCode), \($0.state)" }.joined(separator: "; "))); "
                + "clear them with the province system's one-person-one-card function, with the applicant's signed confirmation, before making the card"
        case .conflictCheckFailed(let error):
            "the one-person-one-card check could not be made: \(error.english); " + (error.isRetryable ? "try again shortly" : "contact the card-management agency")
        }
    }

    public var description: String { chinese + " / " + english }

    private static func sexName(_ code: String) -> String {
        switch code {
        case "1": "男"
        case "2": "女"
        case "9": "未说明"
        default: code
        }
    }
}

/// Something the clerk should know that does not stop the card.
public enum ApplicationNotice: Hashable, Sendable, CustomStringConvertible {
    /// The applicant is under 7 at the issue date and the application carried a photo: it is
    /// not printed, the photo area stays blank (《广东省社会保障卡经办规程》第五条).
    case photoDropped(age: Int)

    public var chinese: String {
        switch self {
        case .photoDropped(let age): "申请人未满7周岁（\(age)周岁），按规定不印相片，相片区域空置；申请中的相片未使用。年满7周岁后须换领有相片的卡"
        }
    }

    public var english: String {
        switch self {
        case .photoDropped(let age): "the applicant is under 7 (\(age)), so no photo is printed and the photo area stays blank; the application's photo is not used. At 7 the card must be changed for one with a photo"
        }
    }

    public var description: String { chinese + " / " + english }
}

/// The application cannot be issued: every problem found (not just the first), and the
/// notices that would have applied.
public struct ApplicationValidationError: Error, Hashable, Sendable, CustomStringConvertible {
    public let applicationID: String
    public let problems: [ApplicationProblem]
    public let notices: [ApplicationNotice]

    public init(applicationID: String, problems: [ApplicationProblem], notices: [ApplicationNotice] = []) {
        self.applicationID = applicationID; self.problems = problems; self.notices = notices
    }

    /// One problem: "申请 X 不能制卡：…" on one line. Several: "申请 X 有N个问题，不能制卡："
    /// and one numbered line per problem.
    public var chinese: String {
        let named = applicationID.isEmpty ? "申请（无编号）" : "申请 \(applicationID) "
        if problems.count == 1 { return named + "不能制卡：" + problems[0].chinese }
        return ([named + "有\(problems.count)个问题，不能制卡："]
            + problems.enumerated().map { "\($0.offset + 1). \($0.element.chinese)" }).joined(separator: "\n")
    }

    public var english: String {
        let named = applicationID.isEmpty ? "The application (no id)" : "Application \(applicationID)"
        if problems.count == 1 { return named + " cannot be issued: " + problems[0].english }
        return ([named + " has \(problems.count) problems and cannot be issued:"]
            + problems.enumerated().map { "\($0.offset + 1). \($0.element.english)" }).joined(separator: "\n")
    }

    public var description: String { chinese + "\n" + english }
}
