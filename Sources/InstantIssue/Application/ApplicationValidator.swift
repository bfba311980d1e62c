import Foundation
import SSCardDriver
import SSCardPrinter
import CardManagement

/// An application that may be issued: what the issuance workflow personalises a card with.
public struct ValidatedApplication: Hashable, Sendable {
    /// The application as validated, normalised for the card: the social security number as
    /// parsed (`x` → `X`) and `photoJPEG` the photo that prints (nil under 7).
    public let application: Application
    public let socialSecurityNumber: SocialSecurityNumber
    /// The name with the clerk's characters in place of its `[PINYIN]` placeholders.
    public let name: ResolvedName
    /// The photo to print; nil for a child under 7.
    public let photo: ApplicantPhoto?
    /// What the clerk should be told (e.g. a child's photo left out).
    public let notices: [ApplicationNotice]
    /// The issue date the age rules were judged on.
    public let issueDate: CalendarDate

    /// What `IssuanceWorkflow` takes.
    public var issuanceRequest: IssuanceRequest {
        IssuanceRequest(application: application, socialSecurityNumber: socialSecurityNumber, name: name.text, photoJPEG: photo?.jpeg)
    }
}

/// Checks an application before any pre-made card is taken from a hopper, and reports every
/// problem at once, so the clerk fixes the application in one trip to the card-management
/// system rather than one refusal at a time.
///
/// Checked: required fields; 社会保障号码 (GB 11643, or the non-resident form of
/// 《广东省社会保障卡经办规程》第三十五条); 性别 1/2/9, 民族 (GB 3304), 国籍 (3 letters), 出生日期,
/// 出生地 and 发卡地区 codes; the citizen number's birth date and sex digit against 出生日期 and
/// 性别; the name's placeholders resolved by the clerk (《规程》第三十四条), printable with the
/// station's fonts and fitting the chip; the photo (`PhotoRules`; none under 7, required from 7,
/// 《规程》第五条, 附件6); and 一人一卡 through the card-management system (《规程》第八条,
/// 附件10).
public struct ApplicationValidator: Sendable {
    public let cardManagement: any CardManagementSystem
    public let fonts: FontChain
    public let photoRules: PhotoRules
    /// The issue date; injectable so tests can stand on any day.
    public let today: @Sendable () -> CalendarDate

    /// GB 3304 民族 codes: 01–56, 97 (其他未识别民族), 98 (外国血统中国籍人士).
    static let ethnicityCodes: Set<String> = Set((1...56).map { String(format: "%02d", $0) } + ["97", "98"])

    public init(cardManagement: any CardManagementSystem, fonts: FontChain, photoRules: PhotoRules = PhotoRules(),
                today: @escaping @Sendable () -> CalendarDate = { CalendarDate.today() }) {
        self.cardManagement = cardManagement; self.fonts = fonts; self.photoRules = photoRules; self.today = today
    }

    /// With the font chain of the driver's configuration (`fontChain`), the one the card face
    /// is printed with; `.fontUnavailable` when a face cannot be opened.
    public init(cardManagement: any CardManagementSystem, configuration: DriverConfiguration, photoRules: PhotoRules = PhotoRules(),
                today: @escaping @Sendable () -> CalendarDate = { CalendarDate.today() }) throws(CardFaceError) {
        self.init(cardManagement: cardManagement, fonts: try FontChain.shared(configuration.fontChain),
                  photoRules: photoRules, today: today)
    }

    /// Validates `application` with the characters the clerk typed for its placeholders, in
    /// order (`ApplicantName(application.name).placeholders` says which). Throws every
    /// problem found; asks the card-management system about other cards only when the
    /// social security number is valid.
    public func validate(_ application: Application, replacements: [String] = []) throws(ApplicationValidationError) -> ValidatedApplication {
        let issueDate = today()
        var problems: [ApplicationProblem] = []
        var notices: [ApplicationNotice] = []
        func blank(_ text: String) -> Bool { text.allSatisfy(\.isWhitespace) }

        if blank(application.id) { problems.append(.missing(.id)) }

        // 社会保障号码 and the fields it must agree with.
        var number: SocialSecurityNumber?
        if blank(application.socialSecurityNumber) {
            problems.append(.missing(.socialSecurityNumber))
        } else {
            do throws(SocialSecurityNumber.Problem) {
                number = try SocialSecurityNumber(application.socialSecurityNumber)
            } catch {
                problems.append(.socialSecurityNumber(error))
            }
        }
        if blank(application.sex) {
            problems.append(.missing(.sex))
        } else if !["1", "2", "9"].contains(application.sex) {
            problems.append(.sex(application.sex))
        } else if let numberSex = number?.sex, application.sex != "9", numberSex != application.sex {
            problems.append(.sexDiffers(inNumber: numberSex, inApplication: application.sex))
        }
        var birthDate: CalendarDate?
        if blank(application.birthDate) {
            problems.append(.missing(.birthDate))
        } else if let date = CalendarDate(yyyymmdd: application.birthDate) {
            birthDate = date
            if date > issueDate { problems.append(.birthDateInFuture(date, today: issueDate)) }
            if let inNumber = number?.birthDate, inNumber != date {
                problems.append(.birthDateDiffers(inNumber: inNumber, inApplication: date))
            }
        } else {
            problems.append(.birthDate(application.birthDate))
        }

        // Codes.
        if blank(application.ethnicity) {
            problems.append(.missing(.ethnicity))
        } else if !Self.ethnicityCodes.contains(application.ethnicity) {
            problems.append(.ethnicity(application.ethnicity))
        }
        if blank(application.nationality) {
            problems.append(.missing(.nationality))
        } else if !(application.nationality.utf8.count == 3 && application.nationality.utf8.allSatisfy({ (0x41...0x5A).contains($0) })) {
            problems.append(.nationality(application.nationality))
        }
        if let place = application.birthPlace, !place.isEmpty, !Self.isRegionCode(place) {
            problems.append(.birthPlace(place))
        }
        if blank(application.bank) { problems.append(.missing(.bank)) }
        if blank(application.regionCode) {
            problems.append(.missing(.regionCode))
        } else if !Self.isRegionCode(application.regionCode) {
            problems.append(.regionCode(application.regionCode))
        }

        // 姓名.
        var name: ResolvedName?
        if blank(application.name) {
            problems.append(.missing(.name))
        } else {
            do throws(ApplicantName.Refusal) {
                name = try ApplicantName(application.name).resolved(with: replacements, fonts: fonts)
            } catch {
                problems += error.problems.map { .name($0) }
            }
        }

        // 相片: judged on the issue date by 出生日期, or the number's date when that is missing.
        var photo: ApplicantPhoto?
        let age = (birthDate ?? number?.birthDate).map { $0.age(on: issueDate) }
        if let age, age < photoRules.photoFromAge {
            if application.photoJPEG != nil { notices.append(.photoDropped(age: max(0, age))) }
        } else if let jpeg = application.photoJPEG {
            do throws(ApplicantPhoto.Refusal) {
                photo = try ApplicantPhoto(jpeg: jpeg, rules: photoRules)
            } catch {
                problems += error.problems.map { .photo($0) }
            }
        } else if let age {
            problems.append(.photoMissing(age: age))
        }

        // 一人一卡.
        if number != nil {
            do throws(CardManagementError) {
                // The number as the system holds it, so it finds its own record (x and X alike).
                let others = try cardManagement.conflictingCards(socialSecurityNumber: application.socialSecurityNumber, applicationID: application.id)
                if !others.isEmpty { problems.append(.otherCards(others)) }
            } catch {
                problems.append(.conflictCheckFailed(error))
            }
        }

        guard problems.isEmpty, let number, let name else {
            throw ApplicationValidationError(applicationID: application.id, problems: problems, notices: notices)
        }
        var normalised = application
        normalised.socialSecurityNumber = number.value
        normalised.photoJPEG = photo?.jpeg
        return ValidatedApplication(application: normalised, socialSecurityNumber: number, name: name, photo: photo,
                                    notices: notices, issueDate: issueDate)
    }

    /// 6 ASCII digits (a GB/T 2260 行政区划代码's form).
    static func isRegionCode(_ text: String) -> Bool {
        text.utf8.count == 6 && text.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }
}
