import XCTest
@testable import SSCardDriver
@testable import SSCardPrinter

/// Panel data for `Db`: sizes, dot order, 1-bit and dye round trips, print-job payloads.
final class EscapePanelTests: XCTestCase {
    /// A reproducible scatter of dots.
    private func scatter(seed: UInt64, density: Int = 7) -> MonochromeBitmap {
        var state = seed
        var panel = MonochromeBitmap()
        for y in 0..<648 {
            for x in 0..<1016 {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                if Int(state >> 33) % density == 0 { panel.set(x: x, y: y) }
            }
        }
        return panel
    }

    func testPanelSizes() {
        // 1016 × 648 dots at 1 bit: 82,296 bytes; the Programming Guide's figure is 84,624.
        XCTAssertEqual(EscapePanelFormat.bitmapDotCount, 1016 * 648)
        XCTAssertEqual(EscapePanelFormat.exact.byteCount(levels: .two), 1016 * 648 / 8)
        XCTAssertEqual(EscapePanelFormat.exact.byteCount(levels: .two), 82_296)
        XCTAssertEqual(EscapePanelFormat.guide.byteCount(levels: .two), 84_624)
        XCTAssertEqual(EscapePanelFormat.guide.byteCount(levels: .thirtyTwo), 423_120)
        XCTAssertEqual(EscapePanelFormat.guide.byteCount(levels: .sixtyFour), 507_744)
        XCTAssertEqual(EscapePanelFormat.guide.byteCount(levels: .oneHundredTwentyEight), 592_368)
        XCTAssertEqual(EscapePanelFormat.exact.byteCount(levels: .thirtyTwo), 411_480)
        XCTAssertEqual(MonochromeBitmap().escapeWireData().count, 82_296)
        XCTAssertEqual(MonochromeBitmap().escapeWireData(format: .guide).count, 84_624)
        let k = EscapeCommand.downloadPanel(.init(panel: .black, levels: .two, data: MonochromeBitmap().escapeWireData(format: .guide)))
        XCTAssertEqual(k.bytes.count, 84_624 + 9)  // ESC "Db;k;2;" … CR
    }

    func testDotOrderIsTheFaceTurnedClockwise() {
        var panel = MonochromeBitmap()
        panel.set(x: 0, y: 647)  // bottom-left → first dot of the first line
        panel.set(x: 0, y: 0)  // top-left → last dot of the first line
        panel.set(x: 1015, y: 0)  // top-right → last dot of the last line
        let wire = panel.escapeWireData()
        XCTAssertEqual(wire[0], 0x80)
        XCTAssertEqual(wire[80], 0x01)
        XCTAssertEqual(wire[82_295], 0x01)
        XCTAssertEqual(wire.reduce(0) { $0 + $1.nonzeroBitCount }, 3)

        let ccw = EscapePanelFormat(paddedDotCount: EscapePanelFormat.bitmapDotCount, dotOrder: .faceRotatedCounterClockwise)
        var one = MonochromeBitmap()
        one.set(x: 1015, y: 0)  // top-right → first dot of the first line
        XCTAssertEqual(one.escapeWireData(format: ccw)[0], 0x80)
    }

    func testOneBitRoundTripInEveryFormat() throws {
        let panel = scatter(seed: 42)
        for order in EscapeDotOrder.allCases {
            for padded in [EscapePanelFormat.bitmapDotCount, 84_624 * 8] {
                let format = EscapePanelFormat(paddedDotCount: padded, dotOrder: order)
                let wire = panel.escapeWireData(format: format)
                XCTAssertEqual(wire.count, padded / 8)
                XCTAssertTrue(wire[82_296...].allSatisfy { $0 == 0 }, "padding is zero")
                XCTAssertEqual(try MonochromeBitmap(escapeWireData: wire, format: format), panel)
            }
        }
        XCTAssertThrowsError(try MonochromeBitmap(escapeWireData: [UInt8](repeating: 0, count: 82_295)))
    }

    func testDyeRoundTripAtEachLevelCount() throws {
        var densities = [UInt8](repeating: 0, count: 1016 * 648)
        for i in densities.indices { densities[i] = UInt8(truncatingIfNeeded: i * 7 + i / 1016) }
        for levels in [EscapePanelLevels.thirtyTwo, .sixtyFour, .oneHundredTwentyEight] {
            let panel = DyePanel(levels: levels, densities: densities)
            let wire = panel.wireData()
            XCTAssertEqual(wire.count, 1016 * 648 * levels.bitsPerDot / 8)
            XCTAssertEqual(try DyePanel(wireData: wire, levels: levels), panel)
            XCTAssertEqual(panel[5, 0], densities[5] >> UInt8(8 - levels.bitsPerDot))
        }
        // Full dye reads back as 255, none as 0.
        let full = DyePanel(levels: .thirtyTwo, densities: [UInt8](repeating: 255, count: 1016 * 648))
        XCTAssertEqual(full.densities.first, 255)
    }

    func testPanelSetPayloadRoundTripAndRibbon() throws {
        let k = scatter(seed: 1), o = MonochromeBitmap(width: 1016, height: 648, filled: true)
        let mono = PanelSet(black: k)
        XCTAssertEqual(mono.ribbon, .k)
        XCTAssertEqual(mono.ribbonPanelCount, 1)
        XCTAssertEqual(try PanelSet(printJobPayload: mono.payload()), mono)
        XCTAssertEqual(PanelSet(black: k, overlay: o).ribbon, .ko)

        let job = PrintJob(name: "K only", panels: mono)
        XCTAssertEqual(job.ribbonPanels, 1)
        XCTAssertEqual(job.payload, [0x1B] + Array("Db;k;2;".utf8) + k.escapeWireData() + [0x0D])
        XCTAssertEqual(try PanelSet(printJobPayload: []), PanelSet())

        // A payload holding anything but panel downloads is refused.
        XCTAssertThrowsError(try PanelSet(printJobPayload: mono.payload() + EscapeCommand.endSequence.bytes))
        XCTAssertThrowsError(try PanelSet(printJobPayload: mono.payload() + mono.payload()))
    }

    func testRendererPayloadBecomesFivePanels() throws {
        var rgb = RGBImage(width: 1016, height: 648)
        for x in 100..<200 { rgb.pixels[(10 * 1016 + x) * 3] = 0 }  // a cyan line: R = 0
        var black = MonochromeBitmap()
        for x in 300..<400 { black.set(x: x, y: 50) }
        let overlay = MonochromeBitmap(width: 1016, height: 648, filled: true)
        let face = RenderedFace(rgb: rgb, blackPanel: black, overlayPanel: overlay)
        let set = try PanelSet(printJobPayload: face.printJobPayload)
        XCTAssertEqual(set.black, black)
        XCTAssertEqual(set.overlay, overlay)
        XCTAssertEqual(set.ribbon, .ymcko)
        XCTAssertEqual(set.ribbonPanelCount, 5)
        XCTAssertEqual(set.dyes?.cyan[150, 10], 31)
        XCTAssertEqual(set.dyes?.yellow[150, 10], 0)
        XCTAssertEqual(set, PanelSet(face: face))
        XCTAssertEqual(set.commands().map(\.parameters), [["y", "32"], ["m", "32"], ["c", "32"], ["k", "2"], ["o", "2"]])
        // Through the wire and back.
        XCTAssertEqual(try PanelSet(printJobPayload: set.payload()), set)
        let picture = set.printedPicture
        XCTAssertEqual(picture[350, 50].r, 0)
        XCTAssertEqual(picture[150, 10].g, 255)
    }
}
