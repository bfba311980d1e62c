import XCTest
@testable import SSCardDriver
@testable import SSCardPrinter

/// The font chain: which face draws the GB18030 rare-name test characters, unhinted advances,
/// and the refusals of GlyphCoverage.
final class FontChainTests: XCTestCase {
    var chain: FontChain { CardFaceFixtures.renderer.chain }

    func testEveryTestCharacterHasAGlyphInTheExpectedFace() {
        // 0 Noto Serif CJK SC, 1 BabelStone Han (measured with fontTools on Debian 12).
        let expected: [(Unicode.Scalar, Int)] = [
            ("张", 0), ("\u{4132}", 0), ("\u{4DAE}", 0), ("\u{9FED}", 1), ("\u{20000}", 1), ("\u{29F7E}", 0),
            ("\u{2A6D6}", 1), ("\u{2B127}", 0), ("\u{2B4E7}", 0), ("\u{2B806}", 0), ("\u{2BC21}", 1),
            ("\u{2C386}", 1), ("\u{2CD02}", 0), ("\u{2E9F5}", 1), ("\u{30302}", 1), ("\u{3158E}", 1), ("A", 0), ("0", 0),
        ]
        for (scalar, face) in expected {
            XCTAssertEqual(chain.faceIndex(for: scalar), face, CardFaceError.named(scalar))
        }
    }

    func testNoFaceHasAnyExtIGlyph() {
        // CJK Ext I: U+2EBF0–U+2EE5D (622 code points, Unicode 15.1).
        for value in UInt32(0x2EBF0)...0x2EE5D {
            XCTAssertNil(chain.faceIndex(for: Unicode.Scalar(value)!), String(value, radix: 16))
        }
    }

    func testAdvancesAreUnhintedSoLinesDoNotDrift() {
        var ink = MonochromeBitmap()
        let item = PrintTextItem(itemName: "sData1", text: String(repeating: "张", count: 20), fontName: "宋体",
                                 sizePoints: 8.5, left: 10, top: 10)
        let layout = chain.draw(item, into: &ink)
        XCTAssertEqual(layout.glyphs.count, 20)
        // FreeType keeps the ppem in 1/64 dot: 35.42 for 8.5 pt at 300 dpi, not the hinted 35.
        for glyph in layout.glyphs { XCTAssertEqual(glyph.advance, item.emDots, accuracy: 0.01) }
        XCTAssertEqual(layout.emBox.width, 20 * item.emDots, accuracy: 0.2, "≤ 0.02 mm over 20 characters")
        XCTAssertGreaterThan(ink.count, 20 * 50)
    }

    func testFontNamesAllDrawWithTheChain() throws {
        func kPanel(_ font: String) throws -> [UInt8] {
            let items = try PrintItems(["姓名  张䄲|\(font)|8.5|320|180", "", "", "", "", "", "", ""])
            return try CardFaceFixtures.renderer.render(items).blackPanel.bytes
        }
        let songti = try kPanel("宋体")
        XCTAssertEqual(try kPanel("宋体-18030"), songti)
        XCTAssertEqual(try kPanel("黑体"), songti)
    }

    func testVariationSelectorFoldsIntoItsCharacter() throws {
        let item = PrintTextItem(itemName: "sData1", text: "葛\u{E0100}", fontName: "宋体", sizePoints: 8.5, left: 10, top: 10)
        try GlyphCoverage.check(item, chain: chain)
        var ink = MonochromeBitmap()
        XCTAssertEqual(chain.draw(item, into: &ink).glyphs.count, 1)
    }

    func testCoverageRefusalsNameTheCharacter() {
        func refusal(_ text: String) -> CardFaceError? {
            let item = PrintTextItem(itemName: "sData1", text: text, fontName: "宋体", sizePoints: 8.5, left: 0, top: 0)
            do { try GlyphCoverage.check(item, chain: chain) } catch { return error }
            return nil
        }
        XCTAssertNil(refusal("姓名  张䄲𠀀𫓧𬎆𰌂 HKG012345678 $"))
        let extI = refusal("姓名  张\u{2EBF0}")
        XCTAssertEqual(extI, .missingGlyph(item: "sData1", text: "姓名  张\u{2EBF0}", scalar: "\u{2EBF0}"))
        XCTAssertTrue(extI?.chineseMessage.contains("U+2EBF0 \u{2EBF0}") == true, extI?.chineseMessage ?? "")
        XCTAssertTrue(extI?.englishMessage.contains("U+2EBF0 \u{2EBF0}") == true)
        XCTAssertEqual(extI?.interfaceCode, .illegalCharacters)

        for pua in ["\u{E000}", "\u{E816}", "\u{F0000}"] {
            let error = refusal("张" + pua)
            guard case .privateUse(_, _, let scalar) = error else { return XCTFail("\(pua): \(String(describing: error))") }
            XCTAssertEqual(String(scalar), pua)
            XCTAssertTrue(error!.englishMessage.contains(CardFaceError.named(scalar)))
        }
        XCTAssertEqual(refusal("张[CHUI]"), .unresolvedPlaceholder(item: "sData1", text: "张[CHUI]", placeholder: "[CHUI]"))
        XCTAssertTrue(refusal("张[CHUI]")!.chineseMessage.contains("[CHUI]"))
        XCTAssertEqual(refusal("张［ＣＨＵＩ］李"), .unresolvedPlaceholder(item: "sData1", text: "张［ＣＨＵＩ］李", placeholder: "［ＣＨＵＩ］"))
        XCTAssertNil(GlyphCoverage.placeholder(in: "张[]三 [12]"))
        guard case .illegalCharacter(_, _, let tab, _, _) = refusal("张\t三") else { return XCTFail("tab") }
        XCTAssertEqual(tab, "\t")
        guard case .illegalCharacter(_, _, let zwsp, _, _) = refusal("张\u{200B}三") else { return XCTFail("ZWSP") }
        XCTAssertEqual(zwsp, "\u{200B}")
    }

    func testKeptGlyphsDrawWhatFreeTypeDrawsAtEveryPenOffset() throws {
        // A face drawn with every glyph loaded afresh equals the same face drawn from kept
        // glyphs; and the same characters shifted by fractions of a dot (other pen offsets,
        // other keys) equal a fresh drawing too.
        let holder = CardFaceFixtures.holder(name: "张䄲𠀀")
        chain.emptyGlyphCache()
        let fresh = try CardFaceFixtures.render(holder)
        XCTAssertEqual(try CardFaceFixtures.render(holder), fresh)
        for shift in [0.25, 0.5, 0.984375, 3.1] {
            let item = PrintTextItem(itemName: "sData1", text: "姓名  张䄲𠀀 0123456789", fontName: "宋体", sizePoints: 8.5,
                                     left: 320 + shift, top: 180 + shift)
            let job = CardFaceJob(texts: [item], photos: [], exit: .good)
            let kept = try CardFaceFixtures.renderer.render(job)
            chain.emptyGlyphCache()
            XCTAssertEqual(try CardFaceFixtures.renderer.render(job), kept, "shift \(shift)")
        }
    }

    func testACharacterAtAnotherPenOffsetIsDrawnFromItsKeptOutline() throws {
        // 18 digits of ten kinds, each at its own fraction of a dot: one outline loaded per
        // character, one bitmap per pen offset; both emptied together.
        chain.emptyGlyphCache()
        XCTAssertEqual(chain.keptCounts.rendered, 0)
        XCTAssertEqual(chain.keptCounts.outlines, 0)
        let item = PrintTextItem(itemName: "sData2", text: "110101199003071234", fontName: "宋体", sizePoints: 8.5, left: 320.3, top: 230)
        let job = CardFaceJob(texts: [item], photos: [], exit: .good)
        let face = try CardFaceFixtures.renderer.render(job)
        let distinctPlacements = Set(face.texts[0].glyphs.map { "\($0.scalar) \((($0.x - $0.x.rounded(.down)) * 64).rounded())" })
        XCTAssertEqual(chain.keptCounts.outlines, Set("110101199003071234").count, "one outline per character")
        XCTAssertEqual(chain.keptCounts.rendered, distinctPlacements.count, "one bitmap per character and pen offset")
        XCTAssertGreaterThan(chain.keptCounts.rendered, chain.keptCounts.outlines)
        // The bitmaps drawn from kept outlines are those of outlines loaded afresh.
        let moved = CardFaceJob(texts: [PrintTextItem(itemName: "sData2", text: item.text, fontName: "宋体", sizePoints: 8.5,
                                                      left: 321.17, top: 230.4)], photos: [], exit: .good)
        let fromKept = try CardFaceFixtures.renderer.render(moved)
        chain.emptyGlyphCache()
        XCTAssertEqual(chain.keptCounts.outlines, 0)
        XCTAssertEqual(try CardFaceFixtures.renderer.render(moved), fromKept)
    }

    /// Glyphs are ORed into K a byte at a time, shifted onto the canvas bytes they straddle:
    /// the same text moved by whole dots (every shift 0–7 within a byte) sets the same bits
    /// moved by as many dots, and past the right and bottom edges exactly the bits that stay
    /// on the canvas; the ink box still reports the whole glyph.
    func testGlyphsLandOnEveryBitOffsetAndClipAtTheEdges() {
        func draw(_ left: Double, _ top: Double) -> (MonochromeBitmap, TextLayout) {
            var ink = MonochromeBitmap()
            let item = PrintTextItem(itemName: "sData1", text: "姓名䄲𠀀09", fontName: "宋体", sizePoints: 12, left: left, top: top)
            let layout = chain.draw(item, into: &ink)
            return (ink, layout)
        }
        let (reference, referenceLayout) = draw(100.3, 100.6)
        XCTAssertGreaterThan(reference.count, 500)
        for (dx, dy) in [(1, 0), (2, 3), (3, 1), (4, 0), (5, 7), (6, 2), (7, 5), (8, 0), (13, 9), (863, 0), (900, 0), (0, 520), (880, 530)] {
            let (moved, layout) = draw(100.3 + Double(dx), 100.6 + Double(dy))
            var expected = 0
            for y in 0..<CardCanvas.height {
                for x in 0..<CardCanvas.width {
                    let source = reference[x - dx, y - dy]
                    if source { expected += 1 }
                    if moved[x, y] != source { XCTFail("(\(dx), \(dy)): dot (\(x), \(y))"); return }
                }
            }
            XCTAssertEqual(moved.count, expected, "(\(dx), \(dy))")
            // Drawing stops once the pen leaves the canvas: the glyphs drawn are a prefix.
            let drawn = layout.glyphs.count
            XCTAssertEqual(layout.glyphs.map(\.glyphIndex), referenceLayout.glyphs.prefix(drawn).map(\.glyphIndex))
            let box = referenceLayout.glyphs.prefix(drawn).reduce(DotRect(left: 0, top: 0, right: 0, bottom: 0)) { $0.union($1.ink) }
            XCTAssertEqual(layout.inkBox, DotRect(left: box.left + Double(dx), top: box.top + Double(dy),
                                                  right: box.right + Double(dx), bottom: box.bottom + Double(dy)), "(\(dx), \(dy))")
        }
        // A glyph wholly below the canvas (54 pt at the card's bottom edge, the fuzzer's case)
        // sets nothing and still reports its ink.
        var below = MonochromeBitmap()
        let low = chain.draw(PrintTextItem(itemName: "sData1", text: "x", fontName: "宋体", sizePoints: 53.98, left: 53.98, top: 637),
                             into: &below)
        XCTAssertEqual(below.count, 0)
        XCTAssertGreaterThan(low.inkBox.top, Double(CardCanvas.height))
    }

    func testAnUnopenableFontFailsWithFreeTypesReason() {
        XCTAssertThrowsError(try FontChain(faces: [.init(path: "/nonexistent/font.ttf")])) { error in
            guard case .fontUnavailable(let path, _, let reason, let code) = error as? CardFaceError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "/nonexistent/font.ttf")
            XCTAssertTrue(reason.contains("cannot open resource"), reason)
            XCTAssertEqual(code, 0x01, "FT_Err_Cannot_Open_Resource, kept as FreeType's code")
            XCTAssertEqual((error as? CardFaceError)?.interfaceCode, .libraryLoadError)
        }
        XCTAssertTrue(try FontChain.shared() === FontChain.shared(), "opened once per process")
    }
}
