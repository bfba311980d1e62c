import Foundation
import SSCardDriver
import SSCardPrinter
import XCTest
@testable import InstantIssue
@testable import CardManagement
@testable import ProvinceSimulator

/// The validator: every problem at once, number against birth date and sex, names, photos by
/// age on the issue date, and the one-person-one-card check through the card-management system.
final class ApplicationValidatorTests: XCTestCase {
    typealias F = ApplicationFixtures

    func problems(_ application: Application, replacements: [String] = [],
                  system: CardManagementTestDouble = CardManagementTestDouble(), on day: CalendarDate = F.today) -> [ApplicationProblem] {
        do { _ = try F.validator(system, on: day).validate(application, replacements: replacements) } catch { return error.problems }
        return []
    }

    func testAValidApplicationBecomesAnIssuanceRequest() throws {
        let system = CardManagementTestDouble()
        let validated = try F.validator(system).validate(F.adult())
        XCTAssertEqual(validated.name.text, "张三")
        XCTAssertEqual(validated.photo?.jpeg, F.photoJPEG)
        XCTAssertEqual(validated.notices, [])
        XCTAssertEqual(validated.issueDate, F.today)
        XCTAssertEqual(validated.socialSecurityNumber.value, "440106198001010019")
        XCTAssertEqual(system.askedNumbers, ["440106198001010019"])
        let request = validated.issuanceRequest
        XCTAssertEqual(request.name, "张三")
        XCTAssertEqual(request.photoJPEG, F.photoJPEG)
        XCTAssertEqual(request.application.id, "APP-1")
    }

    func testRareCharacterIsResolvedAndTheNumberNormalised() throws {
        var application = F.adult(name: "张[CHUI]")
        application.socialSecurityNumber = "11010519491231002x"
        application.birthDate = "19491231"
        application.sex = "2"
        XCTAssertEqual(problems(application), [.name(.unresolved("张[CHUI]", ["CHUI"]))])
        let validated = try F.validator().validate(application, replacements: ["䄲"])
        XCTAssertEqual(validated.name.text, "张䄲")
        XCTAssertEqual(validated.application.socialSecurityNumber, "11010519491231002X")
        XCTAssertEqual(validated.application.name, "张[CHUI]", "the system's form is kept for reports")
    }

    func testCollectsEveryProblemAndThrowsOneError() {
        let application = Application(id: "", name: "张[chui]", socialSecurityNumber: "440106198001010018", sex: "3",
                                      ethnicity: "1", nationality: "cn", birthDate: "19800230", birthPlace: "4401",
                                      bank: " ", regionCode: "44010", photoJPEG: Data([0x89, 0x50, 0x4E, 0x47]))
        do {
            _ = try F.validator().validate(application)
            XCTFail("must be refused")
        } catch {
            XCTAssertEqual(Set(error.problems.map(\.field)),
                           [.id, .name, .socialSecurityNumber, .sex, .ethnicity, .nationality, .birthDate, .birthPlace, .bank, .regionCode, .photo])
            XCTAssertTrue(error.problems.contains(.missing(.id)))
            XCTAssertTrue(error.problems.contains(.missing(.bank)))
            XCTAssertTrue(error.problems.contains(.sex("3")))
            XCTAssertTrue(error.problems.contains(.ethnicity("1")))
            XCTAssertTrue(error.problems.contains(.nationality("cn")))
            XCTAssertTrue(error.problems.contains(.birthDate("19800230")))
            XCTAssertTrue(error.problems.contains(.birthPlace("4401")))
            XCTAssertTrue(error.problems.contains(.regionCode("44010")))
            XCTAssertTrue(error.problems.contains(.socialSecurityNumber(.badCheckCharacter("440106198001010018", expected: "9", found: "8"))))
            XCTAssertTrue(error.problems.contains(.name(.lowerCasePlaceholder("张[chui]", "[chui]"))))
            XCTAssertTrue(error.problems.contains(.photo(.notJPEG(start: "89 50 4E 47"))))
            // One error, numbered, in both languages.
            XCTAssertTrue(error.chinese.hasPrefix("申请（无编号）有\(error.problems.count)个问题，不能制卡：\n1. "), error.chinese)
            XCTAssertTrue(error.english.contains("\n\(error.problems.count). "), error.english)
            XCTAssertEqual(error.description, error.chinese + "\n" + error.english)
            for problem in error.problems {
                XCTAssertFalse(problem.chinese.isEmpty)
                XCTAssertFalse(problem.english.isEmpty)
                XCTAssertEqual(problem.description, problem.chinese + " / " + problem.english)
            }
        }
    }

    func testRequiredFieldsMissing() {
        let empty = Application(id: "X", name: "", socialSecurityNumber: "", sex: "", ethnicity: "", nationality: "",
                                birthDate: "", bank: "", regionCode: "", photoJPEG: nil)
        XCTAssertEqual(problems(empty), [.missing(.socialSecurityNumber), .missing(.sex), .missing(.birthDate), .missing(.ethnicity),
                                         .missing(.nationality), .missing(.bank), .missing(.regionCode), .missing(.name)])
        XCTAssertTrue(ApplicationProblem.missing(.bank).chinese.contains("服务银行"))
    }

    func testNumberMustAgreeWithBirthDateAndSex() {
        var application = F.adult()
        application.birthDate = "19800102"
        application.sex = "2"
        XCTAssertEqual(problems(application), [
            .sexDiffers(inNumber: "1", inApplication: "2"),
            .birthDateDiffers(inNumber: CalendarDate(year: 1980, month: 1, day: 1)!, inApplication: CalendarDate(year: 1980, month: 1, day: 2)!),
        ])
        XCTAssertEqual(ApplicationProblem.sexDiffers(inNumber: "1", inApplication: "2").chinese,
                       "性别“女”与社会保障号码中的性别“男”不一致。请核对证件，请在卡管系统中更正申请后重新办理")
        // 9 (unstated) agrees with either.
        application = F.adult()
        application.sex = "9"
        XCTAssertEqual(problems(application), [])
    }

    func testNonResidentNumberHasNothingToAgreeWith() throws {
        var application = F.adult()
        application.socialSecurityNumber = "HKG012345678"
        application.nationality = "CHN"
        application.sex = "2"
        application.birthDate = "19900101"
        let system = CardManagementTestDouble()
        XCTAssertEqual(problems(application, system: system), [])
        XCTAssertEqual(system.askedNumbers, ["HKG012345678"])
    }

    func testBirthDateAfterToday() {
        var application = F.child(photo: nil)
        application.birthDate = "20240502"
        application.socialSecurityNumber = "440304202405020050"
        XCTAssertEqual(problems(application), [.birthDateInFuture(CalendarDate(year: 2024, month: 5, day: 2)!, today: F.today)])
    }

    func testChildUnderSevenWithAPhotoHasItDroppedWithANotice() throws {
        // Born 2017-05-02: 6 on 2024-05-01.
        let validated = try F.validator().validate(F.child(photo: F.photoJPEG))
        XCTAssertNil(validated.photo)
        XCTAssertNil(validated.application.photoJPEG)
        XCTAssertNil(validated.issuanceRequest.photoJPEG)
        XCTAssertEqual(validated.notices, [.photoDropped(age: 6)])
        XCTAssertTrue(validated.notices[0].chinese.contains("未满7周岁"))
        // Even a photo that would be refused is dropped, not refused.
        XCTAssertEqual(try F.validator().validate(F.child(photo: Data([1, 2, 3]))).notices, [.photoDropped(age: 6)])
        // Without a photo: nothing to say.
        XCTAssertEqual(try F.validator().validate(F.child(photo: nil)).notices, [])
    }

    func testFromTheSeventhBirthdayAPhotoIsRequired() throws {
        let birthday = CalendarDate(year: 2024, month: 5, day: 2)!
        XCTAssertEqual(problems(F.child(photo: nil), on: birthday), [.photoMissing(age: 7)])
        let validated = try F.validator(on: birthday).validate(F.child(photo: F.photoJPEG))
        XCTAssertEqual(validated.photo?.jpeg, F.photoJPEG)
        XCTAssertEqual(problems(F.adult(photo: nil)), [.photoMissing(age: 44)])
    }

    func testPhotoProblemsOfAnAdult() {
        let jpeg = F.photoJPEG
        let truncated = problems(F.adult(photo: Data(jpeg.prefix(jpeg.count / 2))))
        XCTAssertTrue(truncated.contains(.photo(.noEndMarker)), "\(truncated)")
        XCTAssertEqual(problems(F.adult(photo: F.jpeg(width: 300, height: 400))),
                       [.photo(.dimensions(width: 300, height: 400, expectedWidth: 358, expectedHeight: 441))])
    }

    func testOnePersonOneCardConflictIsAProblem() {
        let other = ExistingCard(cardNumber: "Y44010001", regionCode: "440300", state: "正常")
        let found = problems(F.adult(), system: CardManagementTestDouble(others: [other]))
        XCTAssertEqual(found, [.otherCards([other])])
        XCTAssertTrue(found[0].chinese.contains("Y44010001"))
        XCTAssertTrue(found[0].chinese.contains("一人一卡"))
        XCTAssertTrue(found[0].english.contains("one-person-one-card"))
    }

    func testConflictCheckThatCannotBeMadeIsAProblem() {
        let found = problems(F.adult(), system: CardManagementTestDouble(failure: .unreachable("connection refused")))
        XCTAssertEqual(found, [.conflictCheckFailed(.unreachable("connection refused"))])
        XCTAssertTrue(found[0].chinese.hasSuffix("请稍后重试"), found[0].chinese)
        // An invalid number is not sent to the system.
        let system = CardManagementTestDouble()
        var application = F.adult()
        application.socialSecurityNumber = "440106198001010018"
        _ = problems(application, system: system)
        XCTAssertEqual(system.askedNumbers, [])
    }

    func testTheSimulatorsSampleApplications() throws {
        // The demo's applications, through the embedded province simulator, on 2024-05-01.
        let system = try SimulatedCardManagementSystem()
        let validator = ApplicationValidator(cardManagement: system, fonts: F.fonts, today: { F.today })
        XCTAssertEqual(try validator.validate(system.application(id: "DEMO-0001")).name.text, "张三")
        XCTAssertEqual(try validator.validate(system.application(id: "DEMO-0002"), replacements: ["䄲"]).name.text, "张䄲")
        XCTAssertNil(try validator.validate(system.application(id: "DEMO-0003")).photo, "王小明 is under 7")
        XCTAssertThrowsError(try validator.validate(system.application(id: "DEMO-0004"))) { error in
            guard case .otherCards(let cards)? = (error as? ApplicationValidationError)?.problems.first else { return XCTFail("\(error)") }
            XCTAssertEqual(cards.map(\.cardNumber), ["Y41160001"])
        }
        // 补卡 and 换卡: the card being replaced is no conflict.
        XCTAssertNoThrow(try validator.validate(system.application(id: "DEMO-0005")))
        XCTAssertNoThrow(try validator.validate(system.application(id: "DEMO-0006")))
    }

    func testConfiguredWithTheDriversFontChain() throws {
        let validator = try ApplicationValidator(cardManagement: CardManagementTestDouble(), configuration: DriverConfiguration(),
                                                 today: { F.today })
        XCTAssertEqual(validator.fonts.faces, DriverConfiguration.defaultFontChain)
        XCTAssertEqual(try validator.validate(F.adult(name: "[YAN]"), replacements: ["䶮"]).name.text, "䶮")
    }

    func testASingleProblemIsOneLineAndSeveralAreNumbered() {
        let one = ApplicationValidationError(applicationID: "A-1", problems: [.sex("3")])
        XCTAssertEqual(one.chinese, "申请 A-1 不能制卡：" + ApplicationProblem.sex("3").chinese)
        XCTAssertEqual(one.english, "Application A-1 cannot be issued: " + ApplicationProblem.sex("3").english)
        XCTAssertFalse(one.chinese.contains("\n") || one.english.contains("\n"))
        let two = ApplicationValidationError(applicationID: "A-1", problems: [.sex("3"), .nationality("cn")])
        XCTAssertEqual(two.chinese.split(separator: "\n").count, 3)
        XCTAssertTrue(two.english.hasPrefix("Application A-1 has 2 problems and cannot be issued:\n1. "), two.english)
    }
}
