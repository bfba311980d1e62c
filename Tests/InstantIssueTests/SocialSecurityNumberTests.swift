import Foundation
import XCTest
@testable import InstantIssue

/// 社会保障号码: GB 11643 check characters, birth dates and address codes inside citizen
/// numbers, the non-resident form (《广东省社会保障卡经办规程》第三十五条; the examples Guangdong
/// service banks give their counters).
final class SocialSecurityNumberTests: XCTestCase {
    func problem(_ text: String) -> SocialSecurityNumber.Problem? {
        do { _ = try SocialSecurityNumber(text) } catch { return error }
        return nil
    }

    func testCheckCharactersComputedByHand() throws {
        // 440106198001010019: 4·7 + 4·9 + 0·10 + 1·5 + 0·8 + 6·4 + 1·2 + 9·1 + 8·6 + 0·3 + 0·7
        // + 1·9 + 0·10 + 1·5 + 0·8 + 0·4 + 1·2 = 168; 168 mod 11 = 3; "10X98765432"[3] = 9.
        XCTAssertEqual(SocialSecurityNumber.checkCharacter(for: "44010619800101001"), "9")
        // GB 11643's own example: sum 167, mod 11 = 2 → X.
        XCTAssertEqual(SocialSecurityNumber.checkCharacter(for: "11010519491231002"), "X")
        // Sum 184, mod 11 = 8 → 4.
        XCTAssertEqual(SocialSecurityNumber.checkCharacter(for: "41160220180601003"), "4")
        XCTAssertNil(SocialSecurityNumber.checkCharacter(for: "4401061980010100"))
        XCTAssertNil(SocialSecurityNumber.checkCharacter(for: "4401061980010100A"))

        let number = try SocialSecurityNumber("440106198001010019")
        XCTAssertEqual(number.form, .citizen)
        XCTAssertEqual(number.value, "440106198001010019")
        XCTAssertEqual(number.birthDate, CalendarDate(year: 1980, month: 1, day: 1))
        XCTAssertEqual(number.sexDigit, 1)
        XCTAssertEqual(number.sex, "1")
        XCTAssertEqual(number.addressCode, "440106")
        XCTAssertNil(number.region)
    }

    func testWrongCheckCharacterIsRefusedNamingTheRightOne() {
        XCTAssertEqual(problem("440106198001010018"), .badCheckCharacter("440106198001010018", expected: "9", found: "8"))
        XCTAssertEqual(problem("110105194912310025"), .badCheckCharacter("110105194912310025", expected: "X", found: "5"))
        // One digit changed in the middle (a typing slip) is caught too.
        XCTAssertEqual(problem("440106198001010109"), .badCheckCharacter("440106198001010109", expected: "7", found: "9"))
    }

    func testLowerCaseXIsAcceptedAndStoredUpperCase() throws {
        let number = try SocialSecurityNumber("11010519491231002x")
        XCTAssertEqual(number.value, "11010519491231002X")
        XCTAssertEqual(number.sex, "2")  // 002: even → woman
        XCTAssertEqual(number.birthDate, CalendarDate(year: 1949, month: 12, day: 31))
        // X is only a check character.
        XCTAssertEqual(problem("1101051949123100X2"), .illegalCharacter("1101051949123100X2", position: 17, "X"))
    }

    func testLengthAndCharacters() {
        XCTAssertEqual(problem(""), .empty)
        XCTAssertEqual(problem("44010619800101001"), .wrongLength("44010619800101001", 17))
        XCTAssertEqual(problem("4401061980010100190"), .wrongLength("4401061980010100190", 19))
        XCTAssertEqual(problem("44010619800101 019"), .illegalCharacter("44010619800101 019", position: 15, " "))
        XCTAssertEqual(problem(" 44010619800101001")?.chinese.contains("第1位“U+20”"), true)
        // Full-width digits are not digits here.
        XCTAssertEqual(problem("４40106198001010019"), .illegalCharacter("４40106198001010019", position: 1, "４"))
    }

    func testBirthDateInsideMustBeARealDay() throws {
        // 29 February 2000 exists (divisible by 400): 440106200002290024.
        XCTAssertEqual(try SocialSecurityNumber("440106200002290024").birthDate, CalendarDate(year: 2000, month: 2, day: 29))
        // 29 February 1900 does not (divisible by 100, not 400); nor 31 April; nor month 13.
        for first17 in ["44010619000229002", "44010619800431002", "44010619801301002"] {
            let text = first17 + String(SocialSecurityNumber.checkCharacter(for: first17)!)
            XCTAssertEqual(problem(text), .badBirthDate(text, String(first17.dropFirst(6).prefix(8))), text)
        }
    }

    func testAddressCodes() throws {
        // Residence permits for Hong Kong, Macau and Taiwan residents.
        for first17 in ["81000019900101001", "82000019900101001", "83000019900101001"] {
            let text = first17 + String(SocialSecurityNumber.checkCharacter(for: first17)!)
            XCTAssertEqual(try SocialSecurityNumber(text).form, .citizen, text)
        }
        XCTAssertEqual(try SocialSecurityNumber("810000199001010019").addressCode, "810000")
        // 81 only as 810000; 99 and 00 are no province.
        for first17 in ["81010119900101001", "99010619800101001", "00000019800101001"] {
            let text = first17 + String(SocialSecurityNumber.checkCharacter(for: first17)!)
            XCTAssertEqual(problem(text), .badAddressCode(text, String(first17.prefix(6))), text)
        }
    }

    func testNonResidentNumbersOfSeed002() throws {
        let hongKong = try SocialSecurityNumber.nonResident(region: "HKG", documentNumber: "H12345678")
        XCTAssertEqual(hongKong.value, "HKG012345678")
        XCTAssertEqual(hongKong.form, .nonResident)
        XCTAssertEqual(hongKong.region, "HKG")
        XCTAssertNil(hongKong.birthDate)
        XCTAssertNil(hongKong.sex)
        XCTAssertEqual(try SocialSecurityNumber.nonResident(region: "MAC", documentNumber: "M12345678").value, "MAC012345678")
        // Another country's passport is used as written.
        XCTAssertEqual(try SocialSecurityNumber.nonResident(region: "USA", documentNumber: "E12345678").value, "USA0E12345678")
        XCTAssertEqual(try SocialSecurityNumber("MAC012345678").value, "MAC012345678")

        XCTAssertEqual(problem("hkg012345678"), .lowerCaseRegion("hkg012345678", "hkg"))
        XCTAssertEqual(problem("HKG12345678"), .noZeroAfterRegion("HKG12345678"))
        XCTAssertEqual(problem("HKG0"), .noZeroAfterRegion("HKG0"))
        XCTAssertEqual(problem("HKG01234-678"), .illegalCharacter("HKG01234-678", position: 9, "-"))
        XCTAssertEqual(problem("HKG0123456789ABCDEF"), .wrongLength("HKG0123456789ABCDEF", 19))
    }

    func testProblemsReadInBothLanguages() {
        let p = problem("440106198001010018")!
        XCTAssertEqual(p.chinese, "社会保障号码“440106198001010018”校验码错误：应为9，实为8")
        XCTAssertTrue(p.english.contains("wrong check character: 8 instead of 9"), p.english)
        XCTAssertEqual(p.description, p.chinese + " / " + p.english)
    }

    func testCodableAsThePlainStringItParsesFrom() throws {
        let number = try SocialSecurityNumber("11010519491231002x")
        XCTAssertEqual(String(decoding: try JSONEncoder().encode(number), as: UTF8.self), #""11010519491231002X""#)
        XCTAssertEqual(try JSONDecoder().decode(SocialSecurityNumber.self, from: Data(#""11010519491231002x""#.utf8)), number)
        XCTAssertEqual(try JSONDecoder().decode(SocialSecurityNumber.self, from: Data(#""HKG012345678""#.utf8)).form, .nonResident)
        XCTAssertThrowsError(try JSONDecoder().decode(SocialSecurityNumber.self, from: Data(#""110105194912310021""#.utf8))) { error in
            guard case DecodingError.dataCorrupted(let context) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(context.debugDescription.contains("校验码"), context.debugDescription)
        }
    }
}
