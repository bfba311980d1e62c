import SSCardDriver
import SSCardPrinter
import XCTest
@testable import InstantIssue

/// Names with `[PINYIN]` placeholders (《广东省社会保障卡经办规程》第三十四条): parsing, the
/// clerk's characters, private-use code points, glyphs in the station's fonts, the chip's 30 + 20
/// bytes.
final class ApplicantNameTests: XCTestCase {
    let fonts = ApplicationFixtures.fonts

    func problems(_ text: String) -> [ApplicantName.Problem] {
        do { _ = try ApplicantName(text) } catch { return error.problems }
        return []
    }

    func problems(_ text: String, resolving replacements: [String]) -> [ApplicantName.Problem] {
        do { _ = try ApplicantName(text).resolved(with: replacements, fonts: fonts) } catch { return error.problems }
        return []
    }

    func testParsesPlaceholders() throws {
        let name = try ApplicantName("张[CHUI]")
        XCTAssertEqual(name.parts, [.text("张"), .placeholder("CHUI")])
        XCTAssertEqual(name.placeholders, ["CHUI"])
        // Several rare characters each get their own brackets.
        let two = try ApplicantName("[YAN]李[CHUI]华")
        XCTAssertEqual(two.parts, [.placeholder("YAN"), .text("李"), .placeholder("CHUI"), .text("华")])
        XCTAssertEqual(try ApplicantName("张三").placeholders, [])
        // A foreign name with a space inside is a name.
        XCTAssertEqual(try ApplicantName("JOHN SMITH").parts, [.text("JOHN SMITH")])
    }

    func testRefusesMalformedBracketsWithAReason() {
        XCTAssertEqual(problems("张[CHUI"), [.unbalancedBracket("张[CHUI", "[CHUI")])
        XCTAssertEqual(problems("张CHUI]"), [.unbalancedBracket("张CHUI]", "]")])
        XCTAssertEqual(problems("张[]"), [.emptyPlaceholder("张[]")])
        XCTAssertEqual(problems("张[chui]"), [.lowerCasePlaceholder("张[chui]", "[chui]")])
        XCTAssertEqual(problems("张[Chui]"), [.lowerCasePlaceholder("张[Chui]", "[Chui]")])
        XCTAssertEqual(problems("张[CH UI]"), [.invalidPlaceholder("张[CH UI]", "[CH UI]")])
        XCTAssertEqual(problems("张[ＣＨＵＩ]"), [.invalidPlaceholder("张[ＣＨＵＩ]", "[ＣＨＵＩ]")])
        XCTAssertTrue(problems("张[CH[UI]]").contains(.nestedBracket("张[CH[UI]]", "[CH[")))
        XCTAssertEqual(problems("张［CHUI］"), [.fullWidthBracket("张［CHUI］", "［"), .fullWidthBracket("张［CHUI］", "］")])
        XCTAssertEqual(problems(""), [.empty])
        XCTAssertEqual(problems("   "), [.empty])
        XCTAssertEqual(problems(" 张三"), [.surroundingWhiteSpace(" 张三")])
        // Every problem, not the first.
        XCTAssertEqual(problems("[]李[chui]"), [.emptyPlaceholder("[]李[chui]"), .lowerCasePlaceholder("[]李[chui]", "[chui]")])
        let reason = problems("张[chui]")[0]
        XCTAssertTrue(reason.chinese.contains("半角大写"), reason.chinese)
        XCTAssertTrue(reason.english.contains("upper case"), reason.english)
    }

    func testRefusesPrivateUseCodePointsAnywhere() {
        // BMP private-use area and planes 15–16: fallback fonts carry their own glyphs there.
        XCTAssertEqual(problems("张\u{E000}"), [.privateUse("张\u{E000}", "\u{E000}")])
        XCTAssertEqual(problems("\u{F0000}三"), [.privateUse("\u{F0000}三", "\u{F0000}")])
        XCTAssertEqual(problems("张[CHUI]", resolving: ["\u{E4C6}"]), [.privateUse("张\u{E4C6}", "\u{E4C6}")])
        XCTAssertEqual(problems("张[CHUI]", resolving: ["\u{10FFFD}"]), [.privateUse("张\u{10FFFD}", "\u{10FFFD}")])
        XCTAssertEqual(ApplicantName.Problem.privateUse("张\u{E000}", "\u{E000}").chinese.contains("U+E000"), true)
    }

    func testResolvesChuiWithTheRealCharacter() throws {
        // 䄲 (U+4132, Ext A): the example of 第三十四条, drawn by Noto Serif CJK SC.
        let resolved = try ApplicantName("张[CHUI]").resolved(with: ["䄲"], fonts: fonts)
        XCTAssertEqual(resolved.text, "张䄲")
        XCTAssertTrue(resolved.hasRareCharacters)
        XCTAssertEqual(resolved.split.name, "张䄲")
        XCTAssertEqual(resolved.split.nameExtension, "")
        let plain = try ApplicantName("张三").resolved(with: [], fonts: fonts)
        XCTAssertEqual(plain.text, "张三")
        XCTAssertFalse(plain.hasRareCharacters)
    }

    func testPlaneTwoCharacterTheFontsCoverIsAccepted() throws {
        // 𠀀 (U+20000, Ext B) and 𪛖 (U+2A6D6): BabelStone Han has them.
        XCTAssertNotNil(fonts.faceIndex(for: "\u{20000}"))
        let resolved = try ApplicantName("[HE]李[CHUI]").resolved(with: ["\u{20000}", "\u{2A6D6}"], fonts: fonts)
        XCTAssertEqual(resolved.text, "\u{20000}李\u{2A6D6}")
    }

    func testCharacterNoFontCoversIsRefused() throws {
        // 𮯰 (U+2EBF0, Ext I, also plane 2): no face of the chain has it.
        XCTAssertNil(fonts.faceIndex(for: "\u{2EBF0}"))
        let refused = problems("张[CHUI]", resolving: ["\u{2EBF0}"])
        XCTAssertEqual(refused, [.noGlyph("张\u{2EBF0}", "\u{2EBF0}")])
        XCTAssertTrue(refused[0].chinese.contains("U+2EBF0"), refused[0].chinese)
        // An Ext H character (plane 3) the chain lacks, found through the chain itself.
        let missing = try XCTUnwrap((UInt32(0x31350)...0x323AF).lazy.compactMap(Unicode.Scalar.init).first { self.fonts.faceIndex(for: $0) == nil })
        XCTAssertEqual(problems("[A]", resolving: [String(missing)]), [.noGlyph(String(missing), missing)])
    }

    func testReplacementsMustBeOneIdeographEach() {
        XCTAssertEqual(problems("张[CHUI]", resolving: []), [.unresolved("张[CHUI]", ["CHUI"])])
        XCTAssertEqual(problems("张[CHUI]", resolving: ["䄲", "三"]), [.replacementCount("张[CHUI]", expected: 1, given: 2)])
        XCTAssertEqual(problems("张三", resolving: ["䄲"]), [.replacementCount("张三", expected: 0, given: 1)])
        XCTAssertEqual(problems("张[CHUI]", resolving: ["䄲䄲"]), [.notOneCharacter(pinyin: "CHUI", typed: "䄲䄲")])
        XCTAssertEqual(problems("张[CHUI]", resolving: [""]), [.notOneCharacter(pinyin: "CHUI", typed: "")])
        XCTAssertEqual(problems("张[CHUI]", resolving: ["A"]), [.notIdeograph(pinyin: "CHUI", "A")])
        XCTAssertEqual(problems("张[CHUI]", resolving: ["ㄔ"]), [.notIdeograph(pinyin: "CHUI", "ㄔ")])
        // U+F900 豈 is a compatibility ideograph: NFC turns it into U+8C48.
        XCTAssertEqual(problems("张[QI]", resolving: ["\u{F900}"]), [.compatibilityIdeograph(pinyin: "QI", "\u{F900}")])
        // Both placeholders wrong: both reported.
        XCTAssertEqual(problems("[A]李[B]", resolving: ["x", "yy"]),
                       [.notIdeograph(pinyin: "A", "x"), .notOneCharacter(pinyin: "B", typed: "yy")])
    }

    func testLongNamesUseTheNameExtensionAndTooLongIsRefused() throws {
        // 16 hanzi = 32 bytes GB 18030: 15 go to 姓名 (30 bytes), 1 to 姓名扩展.
        let long = String(repeating: "张", count: 16)
        let resolved = try ApplicantName(long).resolved(with: [], fonts: fonts)
        XCTAssertEqual(resolved.split.name, String(repeating: "张", count: 15))
        XCTAssertEqual(resolved.split.nameExtension, "张")
        // 26 hanzi = 52 bytes > 30 + 20.
        let tooLong = String(repeating: "张", count: 26)
        XCTAssertEqual(problems(tooLong, resolving: []), [.tooLongForChip(tooLong, bytes: 52, capacity: 50)])
        // A plane-2 character takes 4 bytes. 7 of them + 张 = 30 bytes of 姓名, 5 more = 20 bytes
        // of 姓名扩展: 50 bytes fit exactly.
        let ext = "\u{20000}"
        let fits = try ApplicantName(String(repeating: "[A]", count: 7) + "张" + String(repeating: "[A]", count: 5))
            .resolved(with: Array(repeating: ext, count: 12), fonts: fonts)
        XCTAssertEqual(fits.split.name, String(repeating: ext, count: 7) + "张")
        XCTAssertEqual(fits.split.nameExtension, String(repeating: ext, count: 5))
        // 12 of them first, then 张: also 50 bytes, but 姓名 can take only 7 (28 bytes) and the
        // other 5 + 张 (22 bytes) overflow 姓名扩展. The split falls between characters.
        let unsplittable = String(repeating: ext, count: 12) + "张"
        XCTAssertEqual(problems(String(repeating: "[A]", count: 12) + "张", resolving: Array(repeating: ext, count: 12)),
                       [.doesNotSplitForChip(unsplittable, bytes: 50)])
    }
}
