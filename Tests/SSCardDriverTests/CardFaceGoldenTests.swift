import Foundation
import XCTest
@testable import SSCardDriver
@testable import SSCardPrinter

/// Golden cards on the province reference layout, checked on the bitmap: ink only inside each
/// item's box, a glyph in every character's advance cell, the photo's box, size and colours,
/// K = exactly the text, overlay clear over the chip; and the refusals.
final class CardFaceGoldenTests: XCTestCase {
    typealias F = CardFaceFixtures
    static let layout = ProvinceLayout.reference
    static let em = 8.5 * 300 / 72

    // MARK: The four holders

    func testPlainName() throws {
        let holder = F.holder(name: "张三")
        let face = try F.render(holder)
        try assertSound(face, holder: holder)
        // Write the reference card for a person to look at.
        let path = NSTemporaryDirectory() + "cardface-reference.png"
        try PNGWriter.write(face.rgb, to: path)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
    }

    func testRareCharactersOfExtensionsABCEG() throws {
        // 䄲 Ext A, 𠀀 Ext B, 𫓧 Ext C, 𬎆 Ext E, 𰌂 Ext G: Noto draws 䄲 and 𫓧, BabelStone the rest.
        let holder = F.holder(name: "张䄲𠀀𫓧𬎆𰌂")
        let items = try Self.layout.printItems(for: holder)
        XCTAssertTrue(items[0].contains("|宋体-18030|"))
        let face = try F.renderer.render(PrintItems(items))
        try assertSound(face, holder: holder)
        XCTAssertEqual(face.texts[0].glyphs.suffix(6).map(\.faceIndex), [0, 0, 1, 0, 1, 1])
    }

    func testChildUnderSevenHasABlankPhotoBox() throws {
        let holder = F.holder(name: "王小明", photo: false)
        let face = try F.render(holder)
        try assertSound(face, holder: holder)
        XCTAssertTrue(face.photos.isEmpty)
    }

    func testNonResidentNumber() throws {
        let holder = F.holder(name: "陈大文", ssn: "HKG012345678")
        let face = try F.render(holder)
        try assertSound(face, holder: holder)
        XCTAssertEqual(face.texts[1].text, "社会保障号码  HKG012345678")
    }

    /// The station prints a typed job (photo decoded from its JPEG, no base64); a C caller
    /// prints the eight `|` items. Both give the same face, pixel for pixel.
    func testTheTypedJobRendersTheFaceOfTheStringItems() throws {
        let holders = [F.holder(name: "张三"), F.holder(name: "张䄲𠀀𫓧𬎆𰌂"), F.holder(name: "王小明", photo: false),
                       F.holder(name: "陈大文", ssn: "HKG012345678")]
        for holder in holders {
            let typed = try F.render(holder), strings = try F.renderItems(holder)
            XCTAssertEqual(typed.rgb, strings.rgb, holder.name)
            XCTAssertEqual(typed.blackPanel, strings.blackPanel, holder.name)
            XCTAssertEqual(typed.printJobPayload, strings.printJobPayload, holder.name)
            XCTAssertEqual(typed, strings, holder.name)
        }
    }

    // MARK: Panels

    func testPanelsAndPayload() throws {
        let face = try F.render(F.holder())
        XCTAssertEqual(face.blackPanel.bytes.count, 82_296, "1016 × 648 / 8")
        XCTAssertEqual(face.overlayPanel.bytes.count, 82_296)
        XCTAssertEqual(CardCanvas.monochromePanelBytes, 82_296)
        let payload = face.printJobPayload
        XCTAssertEqual(payload.count, 10 + 3 * 1016 * 648 + 2 * 82_296)
        let panels = try XCTUnwrap(RenderedFace.panels(ofPayload: payload))
        XCTAssertEqual(panels.width, 1016)
        XCTAssertEqual(panels.height, 648)
        XCTAssertEqual(panels.black, face.blackPanel)
        XCTAssertEqual(panels.overlay, face.overlayPanel)
        // Text prints in resin only; the photo in dye.
        for y in 0..<648 { for x in 0..<1016 where face.blackPanel[x, y] {
            XCTAssertEqual([panels.yellow[y * 1016 + x], panels.magenta[y * 1016 + x], panels.cyan[y * 1016 + x]], [0, 0, 0])
        } }
        let red = F.quadrantColours[0]
        let i = 200 * 1016 + 100  // in the red quadrant
        XCTAssertEqual(Int(panels.cyan[i]), 255 - Int(red.0), accuracy: 8)
        XCTAssertEqual(Int(panels.magenta[i]), 255 - Int(red.1), accuracy: 8)
        XCTAssertEqual(Int(panels.yellow[i]), 255 - Int(red.2), accuracy: 8)
        XCTAssertNil(RenderedFace.panels(ofPayload: Array(payload.dropLast())))
        XCTAssertNil(RenderedFace.panels(ofPayload: [UInt8]("NOPE".utf8) + payload.dropFirst(4)))
    }

    func testOverlayLeavesTheChipPlateClear() {
        let plate = ChipPlate.standard
        // The ISO 7816-2 contact area turned 180°: 65.73–75.35 × 25.43–34.75 mm.
        let area = plate.contactArea
        XCTAssertEqual(area.left, 65.73, accuracy: 0.001)
        XCTAssertEqual(area.right, 75.35, accuracy: 0.001)
        XCTAssertEqual(area.top, 25.43, accuracy: 0.001)
        XCTAssertEqual(area.bottom, 34.75, accuracy: 0.001)
        let mask = F.renderer.overlayMask()
        let r = plate.rect
        var clear = 0
        for y in 0..<648 {
            for x in 0..<1016 {
                let centreInPlate = Double(x) + 0.5 > r.left && Double(x) + 0.5 < r.right && Double(y) + 0.5 > r.top && Double(y) + 0.5 < r.bottom
                if centreInPlate { XCTAssertFalse(mask[x, y]) } else if !mask[x, y] { XCTFail("overlay missing at \(x),\(y)") }
                if !mask[x, y] { clear += 1 }
            }
        }
        // Every dot of the ISO contact area itself is clear.
        for y in Int(CardCanvas.dots(millimetres: area.top))...Int(CardCanvas.dots(millimetres: area.bottom)) {
            for x in Int(CardCanvas.dots(millimetres: area.left))...Int(CardCanvas.dots(millimetres: area.right)) {
                XCTAssertFalse(mask[x, y])
            }
        }
        XCTAssertEqual(clear, 1016 * 648 - mask.count)
        XCTAssertGreaterThan(clear, 140 * 130, "the plate with its 1.5 mm margin is about 149 × 145 dots")
    }

    // MARK: Refusals

    func testRefusesAnExtensionICharacterNamingIt() throws {
        XCTAssertNil(F.renderer.chain.faceIndex(for: "\u{2EBF0}"), "U+2EBF0 truly has no glyph in the chain")
        let error = renderRefusal(F.holder(name: "张\u{2EBF0}"))
        XCTAssertEqual(error, .missingGlyph(item: "sData1", text: "姓名  张\u{2EBF0}", scalar: "\u{2EBF0}"))
        XCTAssertEqual(error?.interfaceError.code, .illegalCharacters)
        XCTAssertTrue(error?.interfaceError.message.contains("U+2EBF0 \u{2EBF0}") == true)
        XCTAssertTrue(error?.interfaceError.englishMessage.contains("U+2EBF0 \u{2EBF0}") == true)
    }

    func testRefusesAPrivateUseCodePoint() {
        let error = renderRefusal(F.holder(name: "张\u{E816}"))
        XCTAssertEqual(error, .privateUse(item: "sData1", text: "姓名  张\u{E816}", scalar: "\u{E816}"))
        XCTAssertTrue(error?.chineseMessage.contains("U+E816") == true)
    }

    func testRefusesAnUnresolvedPinyinPlaceholder() {
        let error = renderRefusal(F.holder(name: "张[CHUI]"))
        XCTAssertEqual(error, .unresolvedPlaceholder(item: "sData1", text: "姓名  张[CHUI]", placeholder: "[CHUI]"))
        XCTAssertEqual(error?.interfaceError.code, .illegalCharacters)
    }

    func testRefusesBoxesOffTheCardOrOverTheChip() throws {
        func refusal(_ items: [String]) -> CardFaceError? {
            do { _ = try F.renderer.render(PrintItems(items)) } catch let error as CardFaceError { return error } catch { XCTFail("\(error)") }
            return nil
        }
        let none = Array(repeating: "", count: 8)
        var overChip = none
        overChip[0] = "芯片|宋体|8.5|780|320"
        guard case .overlapsChip(let item, _) = refusal(overChip) else { return XCTFail("text over the chip") }
        XCTAssertEqual(item, "sData1")
        var longLine = none
        longLine[3] = "发卡日期  2024年05月01日 补换卡|宋体|8.5|320|330"  // runs into the plate
        guard case .overlapsChip(let long, _) = refusal(longLine) else { return XCTFail("line into the chip") }
        XCTAssertEqual(long, "sData4")
        var offCard = none
        offCard[1] = "社会保障号码  110101199003071234|宋体|8.5|700|100"
        guard case .outsideCard(let off, let box) = refusal(offCard) else { return XCTFail("text off the card") }
        XCTAssertEqual(off, "sData2")
        XCTAssertGreaterThan(box.right, CardCanvas.card.right)
        var photoOverChip = none
        photoOverChip[6] = F.photoBase64 + "|760|280|150|150"
        guard case .overlapsChip(let photo, _) = refusal(photoOverChip) else { return XCTFail("photo over the chip") }
        XCTAssertEqual(photo, "sPhoto1")
        var photoOff = none
        photoOff[7] = F.photoBase64 + "|900|500|234|300"
        XCTAssertEqual(refusal(photoOff), .outsideCard(item: "sPhoto2", box: DotRect(left: 900, top: 500, right: 1134, bottom: 800)))
        var badPhoto = none
        badPhoto[6] = "iVBORw0KGgo=|46|127|234|300"
        let bad = refusal(badPhoto)
        XCTAssertEqual(bad, .photo(item: "sPhoto1", .notJPEG(start: "89 50 4E 47")))
        XCTAssertEqual(bad?.interfaceError.code, .badParameter)
        XCTAssertTrue(bad?.interfaceError.message.contains("sPhoto1") == true)
    }

    // MARK: Helpers

    private func renderRefusal(_ holder: CardFaceHolder) -> CardFaceError? {
        do { _ = try F.render(holder) } catch let error as CardFaceError { return error } catch { XCTFail("\(error)") }
        return nil
    }

    /// The checks every golden card passes.
    private func assertSound(_ face: RenderedFace, holder: CardFaceHolder, file: StaticString = #filePath, line: UInt = #line) throws {
        let lines = [Self.layout.name, Self.layout.socialSecurityNumber, Self.layout.cardNumber, Self.layout.issueDate]
        let values = [holder.name, holder.socialSecurityNumber, holder.cardNumber, "2024年05月01日"]
        XCTAssertEqual(face.texts.count, 4, file: file, line: line)
        XCTAssertEqual(face.rgb.width, 1016)
        XCTAssertEqual(face.rgb.height, 648)

        // Each item's expected box: its left/top from the layout, one em high, as wide as its
        // advances, 2 dots of slack for serifs that overhang the em box.
        var boxes: [DotRect] = []
        for (i, text) in face.texts.enumerated() {
            XCTAssertEqual(text.text, "\(lines[i].label)  \(values[i])", file: file, line: line)
            XCTAssertEqual(text.left, lines[i].left)
            XCTAssertEqual(text.top, lines[i].top)
            XCTAssertEqual(text.glyphs.count, text.text.unicodeScalars.count, "one glyph per character", file: file, line: line)
            let width = text.glyphs.reduce(0) { $0 + $1.advance }
            boxes.append(DotRect(left: lines[i].left - 2, top: lines[i].top - 2, right: lines[i].left + width + 2, bottom: lines[i].top + Self.em + 2))

            // A glyph drawn in every character's advance cell.
            for glyph in text.glyphs {
                let cell = glyph.cell(top: text.top, em: text.emDots)
                let ink = inkCount(face.blackPanel, in: cell)
                if glyph.scalar == " " {
                    XCTAssertEqual(ink, 0, "a space inks nothing", file: file, line: line)
                    continue
                }
                let isIdeograph = glyph.scalar.properties.isIdeographic
                XCTAssertGreaterThan(ink, isIdeograph ? 60 : 25, "\(CardFaceError.named(glyph.scalar)) in \(text.itemName)", file: file, line: line)
                if isIdeograph {
                    XCTAssertEqual(glyph.advance, Self.em, accuracy: 0.01, file: file, line: line)
                    // The ideograph's ink stays within its own cell.
                    XCTAssertTrue(DotRect(left: cell.left - 1, top: cell.top - 1, right: cell.right + 1, bottom: cell.bottom + 1).contains(glyph.ink),
                                  "\(CardFaceError.named(glyph.scalar)) \(glyph.ink) outside \(cell)", file: file, line: line)
                }
            }
        }

        // K holds exactly the text pixels: every K pixel black in the picture, every K pixel in
        // an item's box, and no other non-white pixel outside the photo.
        let photoBox = DotRect(left: Self.layout.photo.left, top: Self.layout.photo.top,
                               right: Self.layout.photo.left + Self.layout.photo.width, bottom: Self.layout.photo.top + Self.layout.photo.height)
        var stray = 0, outsideBoxes = 0, kNotBlack = 0
        for y in 0..<648 {
            for x in 0..<1016 {
                let centre = DotRect(left: Double(x), top: Double(y), right: Double(x) + 1, bottom: Double(y) + 1)
                if face.blackPanel[x, y] {
                    let p = face.rgb[x, y]
                    if p.r != 0 || p.g != 0 || p.b != 0 { kNotBlack += 1 }
                    if !boxes.contains(where: { $0.contains(centre) }) { outsideBoxes += 1 }
                } else if !F.isWhite(face, x, y) && !photoBox.contains(centre) {
                    stray += 1
                }
            }
        }
        XCTAssertEqual(kNotBlack, 0, "K pixels are black in the preview", file: file, line: line)
        XCTAssertEqual(outsideBoxes, 0, "K pixels outside every item box", file: file, line: line)
        XCTAssertEqual(stray, 0, "ink outside the items and the photo", file: file, line: line)
        for (i, box) in boxes.enumerated() {
            XCTAssertGreaterThan(inkCount(face.blackPanel, in: box), 200, "item \(i + 1) has ink", file: file, line: line)
        }
        XCTAssertEqual(face.blackPanel.count, boxes.reduce(0) { $0 + inkCount(face.blackPanel, in: $1) }, "boxes do not overlap; all K is in them")

        // The photo: 358 × 441 fitted into 234 × 300 → 234 × 288 at (46, 133), the rest white.
        let placed = DotRect(left: 46, top: 133, right: 280, bottom: 421)
        for y in 127..<427 {
            for x in 46..<280 {
                let inPicture = placed.contains(DotRect(left: Double(x), top: Double(y), right: Double(x) + 1, bottom: Double(y) + 1))
                if holder.photoJPEG == nil || !inPicture {
                    XCTAssertTrue(F.isWhite(face, x, y), "photo box blank at \(x),\(y)", file: file, line: line)
                    if !F.isWhite(face, x, y) { return }
                } else {
                    XCTAssertFalse(F.isWhite(face, x, y), "picture pixel \(x),\(y)", file: file, line: line)
                    if F.isWhite(face, x, y) { return }
                }
            }
        }
        if holder.photoJPEG != nil {
            XCTAssertEqual(face.photos.first?.picture, placed, file: file, line: line)
            // Quadrant centres keep the photo's colours.
            for (i, (x, y)) in [(104, 205), (221, 205), (104, 349), (221, 349)].enumerated() {
                let p = face.rgb[x, y], c = F.quadrantColours[i]
                for (a, b) in [(p.r, c.0), (p.g, c.1), (p.b, c.2)] {
                    XCTAssertLessThanOrEqual(abs(Int(a) - Int(b)), 8, "quadrant \(i): \(p)", file: file, line: line)
                }
            }
        }

        // The chip plate carries nothing, and the overlay leaves it clear.
        let plate = ChipPlate.standard.rect
        for y in Int(plate.top)..<Int(plate.bottom.rounded(.up)) {
            for x in Int(plate.left)..<Int(plate.right.rounded(.up)) where !F.isWhite(face, x, y) {
                return XCTFail("print on the chip plate at \(x),\(y)", file: file, line: line)
            }
        }
        XCTAssertFalse(face.overlayPanel[Int(plate.left + plate.width / 2), Int(plate.top + plate.height / 2)])
        XCTAssertTrue(face.overlayPanel[500, 100])
    }

    private func inkCount(_ panel: MonochromeBitmap, in rect: DotRect) -> Int {
        var n = 0
        for y in max(0, Int(rect.top.rounded(.up)))..<min(panel.height, Int(rect.bottom.rounded(.down))) {
            for x in max(0, Int(rect.left.rounded(.up)))..<min(panel.width, Int(rect.right.rounded(.down))) where panel[x, y] { n += 1 }
        }
        return n
    }
}
