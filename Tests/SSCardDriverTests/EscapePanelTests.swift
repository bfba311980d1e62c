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

    // MARK: The block packing against the dot-by-dot definition

    /// `wireIndex` dot by dot: what the block packing (EscapePanelPacking) must give.
    private func referenceWire(_ panel: MonochromeBitmap, format: EscapePanelFormat) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: format.byteCount(levels: .two))
        for y in 0..<648 {
            for x in 0..<1016 where panel[x, y] {
                let w = format.wireIndex(x: x, y: y)
                out[w >> 3] |= 0x80 >> UInt8(w & 7)
            }
        }
        return out
    }

    private func referenceWire(_ panel: DyePanel, format: EscapePanelFormat) -> [UInt8] {
        let bits = panel.levels.bitsPerDot
        var out = [UInt8](repeating: 0, count: format.byteCount(levels: panel.levels))
        for y in 0..<648 {
            for x in 0..<1016 {
                let value = panel[x, y], first = format.wireIndex(x: x, y: y) * bits
                for b in 0..<bits where value & (1 << UInt8(bits - 1 - b)) != 0 {
                    out[(first + b) >> 3] |= 0x80 >> UInt8((first + b) & 7)
                }
            }
        }
        return out
    }

    func testOneBitPackingMatchesTheDotByDotDefinition() throws {
        // Dense and sparse scatters, a full panel and single dots at the corners and block edges.
        var corners = MonochromeBitmap()
        for (x, y) in [(0, 0), (1015, 0), (0, 647), (1015, 647), (7, 8), (8, 7), (511, 323), (1008, 640)] { corners.set(x: x, y: y) }
        let panels = [scatter(seed: 3, density: 2), scatter(seed: 4, density: 97), MonochromeBitmap(filled: true), corners]
        for order in EscapeDotOrder.allCases {
            for padded in [EscapePanelFormat.bitmapDotCount, 84_624 * 8] {
                let format = EscapePanelFormat(paddedDotCount: padded, dotOrder: order)
                for panel in panels {
                    let reference = referenceWire(panel, format: format)
                    XCTAssertEqual(panel.escapeWireData(format: format), reference, "\(order), \(padded / 8) bytes")
                    XCTAssertEqual(try MonochromeBitmap(escapeWireData: reference, format: format), panel, "\(order)")
                }
            }
        }
    }

    func testDyePackingMatchesTheDotByDotDefinition() throws {
        var state: UInt64 = 7
        var densities = [UInt8](repeating: 0, count: 1016 * 648)
        for i in densities.indices {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            densities[i] = UInt8(truncatingIfNeeded: state >> 40)
        }
        for order in EscapeDotOrder.allCases {
            for levels in [EscapePanelLevels.thirtyTwo, .sixtyFour, .oneHundredTwentyEight] {
                let format = EscapePanelFormat(paddedDotCount: 84_624 * 8, dotOrder: order)
                let panel = DyePanel(levels: levels, densities: densities)
                let reference = referenceWire(panel, format: format)
                XCTAssertEqual(panel.wireData(format: format), reference, "\(order), \(levels)")
                XCTAssertEqual(try DyePanel(wireData: reference, levels: levels, format: format), panel, "\(order), \(levels)")
            }
        }
    }

    func testColourPanelsAreTheInverseChannelsWithoutTheResin() {
        var state: UInt64 = 11
        var rgb = RGBImage(width: 1016, height: 648)
        for i in rgb.pixels.indices {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            rgb.pixels[i] = UInt8(truncatingIfNeeded: state >> 40)
        }
        let k = scatter(seed: 9, density: 3)
        let face = RenderedFace(rgb: rgb, blackPanel: k, overlayPanel: MonochromeBitmap(filled: true))
        for panel in RenderedFace.ColourPanel.allCases {
            let dye = face.colourPanel(panel)
            for (x, y) in [(0, 0), (1015, 647), (8, 1), (333, 444)] + (0..<500).map({ ($0 * 7 % 1016, $0 * 13 % 648) }) {
                let p = rgb[x, y]
                let channel = panel == .cyan ? p.r : panel == .magenta ? p.g : p.b
                XCTAssertEqual(dye[y * 1016 + x], k[x, y] ? 0 : 255 - channel,
                               "\(panel) at \(x), \(y)")
            }
        }
        // The payload holds the same panels, Y, M, C, then K and O.
        let payload = face.printJobPayload, n = 1016 * 648
        XCTAssertEqual(Array(payload[10..<(10 + n)]), face.colourPanel(.yellow))
        XCTAssertEqual(Array(payload[(10 + n)..<(10 + 2 * n)]), face.colourPanel(.magenta))
        XCTAssertEqual(Array(payload[(10 + 2 * n)..<(10 + 3 * n)]), face.colourPanel(.cyan))
        XCTAssertEqual(Array(payload[(10 + 3 * n)...]), k.bytes + face.overlayPanel.bytes)
    }
}
