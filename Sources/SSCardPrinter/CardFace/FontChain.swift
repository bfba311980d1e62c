import CFreeType
import Foundation
import SSCardDriver

/// The fonts that draw iPrint text, tried in order for each character: the first face with a
/// glyph draws it (coverage measured on Debian 12 with fontTools). The default chain, Noto Serif
/// CJK SC (face 2 of the TTC) → BabelStone Han → HanaMinB → HanaMinA, covers URO and CJK Ext A–F
/// completely, Ext G–H in part and Ext I not at all; `GlyphCoverage` refuses what it cannot draw.
///
/// **Font names in items.** No free font is 宋体 or 宋体-18030 (SimSun-18030), and fontconfig
/// maps both to DejaVu Serif, so names are never looked up: `宋体`, `宋体-18030` and any other
/// name draw with this chain. 宋体-18030 — what the card-management system asks for when a
/// name holds a rare character — needs nothing more, since the chain covers GB18030-2022 in
/// full. A site with a licensed SimSun-18030 puts its path first in `fontChain`.
///
/// **Metrics.** Sizes are points at 300 dpi (`FT_Set_Char_Size(face, 0, size × 64, 300, 300)`,
/// 8.5 pt = 35.42 dots per em). Glyphs load unhinted (`FT_LOAD_NO_HINTING`) and the pen moves
/// by the unhinted advance (`linearHoriAdvance`): hinted advances round 35.42 to 35 and the
/// line drifts ~0.7 mm over 20 characters. Each glyph's outline is shifted by the pen's
/// fraction of a dot before rasterising, so glyphs sit where the unrounded layout puts them.
/// Glyphs are rasterised 1-bit (`FT_RENDER_MODE_MONO`, with the rasteriser's dropout control
/// keeping thin serif strokes) because resin black prints 1-bit. No kerning or shaping: none
/// of the chain's faces has a `kern` table and CJK text needs none.
///
/// **Threads.** `@unchecked Sendable`: the `FT_Library`, the `FT_Face`s and the glyph cache
/// are touched only while `lock` is held (every method below takes it for its whole body),
/// and FreeType objects are never handed out; `deinit` runs when no reference is left, so no
/// other thread can hold the lock then. FreeType allows one thread per `FT_Face` at a time,
/// which the lock guarantees.
public final class FontChain: @unchecked Sendable {
    /// The chain's faces, in order.
    public let faces: [DriverConfiguration.FontFace]

    private let lock = NSLock()
    private var library: FT_Library?
    private var handles: [FT_Face] = []
    /// The char size each face is set to (26.6 points), to skip FT_Set_Char_Size.
    private var sizes: [FT_F26Dot6]
    /// scalar → (face, glyph); (−1, 0) when no face has it.
    private var lookups: [UInt32: (face: Int, glyph: UInt32)] = [:]
    /// Glyphs as FreeType rendered them, by face, glyph, size and the pen's offset within its
    /// dot: a card's labels, digits and date characters come back on every card, and loading
    /// and rasterising a CFF glyph is most of a face's drawing time. Emptied when it holds
    /// `renderedLimit` glyphs.
    private var rendered: [RenderedGlyph.Key: RenderedGlyph] = [:]
    private static let renderedLimit = 4_096
    /// Outlines as FreeType loaded them (FT_Get_Glyph), by face, glyph and size: a character
    /// that comes back at another pen offset — the digits of a number, 社会保障 in two labels —
    /// is rasterised from its kept outline instead of loaded again (loading an unhinted CFF
    /// glyph costs about half what rasterising it 1-bit does, docs/performance.md). Freed
    /// (FT_Done_Glyph) when `outlineLimit` are kept.
    private var outlines: [KeptOutline.Key: KeptOutline] = [:]
    private static let outlineLimit = 1_024

    /// Opens every face of `faces` (by path and face index) and selects its Unicode cmap.
    /// A face that cannot be opened fails the whole chain (`.fontUnavailable`); no face at all
    /// is `.emptyFontChain`.
    public init(faces: [DriverConfiguration.FontFace] = DriverConfiguration.defaultFontChain) throws(CardFaceError) {
        guard !faces.isEmpty else { throw .emptyFontChain }
        self.faces = faces
        sizes = Array(repeating: 0, count: faces.count)
        var lib: FT_Library?
        let error = FT_Init_FreeType(&lib)
        guard error == 0, let lib else {
            throw .fontUnavailable(path: "FreeType", faceIndex: 0, reason: Self.text(of: error), freeTypeError: error)
        }
        library = lib
        for font in faces {
            // A negative index only asks FreeType how many faces the file has; its face draws nothing.
            guard (0...0xFFFF).contains(font.faceIndex) else {
                throw .fontUnavailable(path: font.path, faceIndex: font.faceIndex, reason: "the face index is not 0–65535")
            }
            var face: FT_Face?
            let opened = FT_New_Face(lib, font.path, FT_Long(font.faceIndex), &face)
            guard opened == 0, let face else {
                throw .fontUnavailable(path: font.path, faceIndex: font.faceIndex, reason: Self.text(of: opened), freeTypeError: opened)
            }
            handles.append(face)
            let selected = FT_Select_Charmap(face, FT_ENCODING_UNICODE)
            guard selected == 0 else {
                throw .fontUnavailable(path: font.path, faceIndex: font.faceIndex, reason: "no Unicode cmap (\(Self.text(of: selected)))",
                                       freeTypeError: selected)
            }
        }
    }

    deinit {
        freeOutlines()
        for face in handles { FT_Done_Face(face) }
        if let library { FT_Done_FreeType(library) }
    }

    /// The chain for `faces`, opened once per process and kept: opening the four default
    /// faces costs 1–25 ms, a card's text 0.1 ms.
    public static func shared(_ faces: [DriverConfiguration.FontFace] = DriverConfiguration.defaultFontChain) throws(CardFaceError) -> FontChain {
        try cache.chain(for: faces)
    }

    /// The position in `faces` of the first face with a glyph for `scalar`; nil when none
    /// has one. (FT_Get_Char_Index.)
    public func faceIndex(for scalar: Unicode.Scalar) -> Int? {
        lock.lock()
        defer { lock.unlock() }
        let found = lookup(scalar)
        return found.face >= 0 ? found.face : nil
    }

    /// Lays out `item` and draws its glyphs into `ink` (1 = ink), at the item's position.
    /// Characters without a glyph are skipped: call `GlyphCoverage.check` first. An item that
    /// cannot be drawn (`CardFaceRenderer.checkGeometry`) gets no glyphs; drawing stops once
    /// the pen has left the canvas, so the layout still shows the line running off the card.
    func draw(_ item: PrintTextItem, into ink: inout MonochromeBitmap) -> TextLayout {
        lock.lock()
        defer { lock.unlock() }
        let em = item.emDots
        var layout = TextLayout(itemName: item.itemName, text: item.text, emDots: em, left: item.left, top: item.top)
        guard CardFaceRenderer.geometryProblem(item) == nil, let charSize = FT_F26Dot6(exactly: (item.sizePoints * 64).rounded()) else {
            return layout
        }
        let baseline = item.top + CardCanvas.baselineInEm * em
        var pen = item.left
        let scalars = Array(item.text.unicodeScalars)
        var index = 0
        while index < scalars.count, pen <= Double(CardCanvas.width) {
            let scalar = scalars[index]
            index += 1
            let found = lookup(scalar)
            guard found.face >= 0 else { continue }
            var glyph = found.glyph
            // A variation selector right after the character picks its variant glyph when the
            // face has one (FT_Face_GetCharVariantIndex); otherwise the base glyph prints.
            if index < scalars.count, Self.isVariationSelector(scalars[index]) {
                let variant = FT_Face_GetCharVariantIndex(handles[found.face], FT_ULong(scalar.value), FT_ULong(scalars[index].value))
                if variant != 0 { glyph = variant }
                index += 1
            }
            let face = handles[found.face]
            if sizes[found.face] != charSize {
                FT_Set_Char_Size(face, 0, charSize, FT_UInt(CardCanvas.dotsPerInch), FT_UInt(CardCanvas.dotsPerInch))
                sizes[found.face] = charSize
            }
            var placed = PlacedGlyph(scalar: scalar, faceIndex: found.face, glyphIndex: glyph, x: pen, advance: 0,
                                     ink: DotRect(left: pen, top: baseline, right: pen, bottom: baseline))
            if let drawn = self.glyph(found.face, glyph, size: charSize, penX: pen, baseline: baseline) {
                placed.advance = drawn.advance
                placed.ink = drawn.draw(penX: pen, baseline: baseline, into: &ink)
            }
            layout.glyphs.append(placed)
            pen += placed.advance
        }
        return layout
    }

    /// Glyph `glyph` of face `face` at `size`, rendered for a pen at (`penX`, `baseline`):
    /// from `rendered`, or from its outline (`outline`) shifted by the pen's fraction of a dot
    /// and rendered 1-bit (FT_Glyph_To_Bitmap, which renders as FT_Render_Glyph does), then
    /// kept. Nil when FreeType cannot load it. Caller holds `lock`, and has set the face to `size`.
    private func glyph(_ face: Int, _ glyph: UInt32, size: FT_F26Dot6, penX: Double, baseline: Double) -> RenderedGlyph? {
        let x0 = penX.rounded(.down), y0 = baseline.rounded(.down)
        let reach = -(1 << 20)...(1 << 20)
        let onCanvas = Int(exactly: x0).map(reach.contains) == true && Int(exactly: y0).map(reach.contains) == true
        // FreeType's y axis points up: a baseline lower on the canvas is a negative shift.
        let dx = onCanvas ? FT_Pos(((penX - x0) * 64).rounded()) : 0, dy = onCanvas ? -FT_Pos(((baseline - y0) * 64).rounded()) : 0
        let key = RenderedGlyph.Key(face: face, glyph: glyph, size: size, dx: dx, dy: dy, drawn: onCanvas)
        if let known = rendered[key] { return known }
        guard let kept = outline(face, glyph, size: size) else { return nil }
        var made = RenderedGlyph(advance: kept.advance)
        if onCanvas, let outline = kept.glyph {
            var origin = FT_Vector(x: dx, y: dy)
            var image: FT_Glyph? = outline
            // Not destroyed (0): `outline` is shifted back and stays kept; `image` is a new bitmap glyph.
            if FT_Glyph_To_Bitmap(&image, FT_RENDER_MODE_MONO, &origin, 0) == 0, let image, image != outline {
                defer { FT_Done_Glyph(image) }
                let drawn = UnsafeMutableRawPointer(image).assumingMemoryBound(to: FT_BitmapGlyphRec.self)
                let bitmap = drawn.pointee.bitmap
                if bitmap.rows > 0, bitmap.width > 0, let buffer = bitmap.buffer, bitmap.pixel_mode == UInt8(FT_PIXEL_MODE_MONO.rawValue) {
                    made.take(bitmap: buffer, width: Int(bitmap.width), rows: Int(bitmap.rows), pitch: Int(bitmap.pitch),
                              left: Int(drawn.pointee.left), top: Int(drawn.pointee.top))
                }
            }
        } else if onCanvas {
            // Not an outline (a bitmap-only face): drawn from the slot, as FreeType loaded it.
            let handle = handles[face]
            if FT_Load_Glyph(handle, FT_UInt(glyph), FT_Int32(FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP)) == 0, let slot = handle.pointee.glyph,
               FT_Render_Glyph(slot, FT_RENDER_MODE_MONO) == 0, slot.pointee.bitmap.rows > 0, slot.pointee.bitmap.width > 0,
               let buffer = slot.pointee.bitmap.buffer, slot.pointee.bitmap.pixel_mode == UInt8(FT_PIXEL_MODE_MONO.rawValue) {
                let bitmap = slot.pointee.bitmap
                made.take(bitmap: buffer, width: Int(bitmap.width), rows: Int(bitmap.rows), pitch: Int(bitmap.pitch),
                          left: Int(slot.pointee.bitmap_left), top: Int(slot.pointee.bitmap_top))
            }
        }
        if rendered.count >= Self.renderedLimit { rendered.removeAll(keepingCapacity: true) }
        rendered[key] = made
        return made
    }

    /// Glyph `glyph` of face `face` at `size`, unhinted (FT_Load_Glyph): its advance and, for an
    /// outline, a copy of the outline (FT_Get_Glyph), from `outlines` or loaded and kept. Nil
    /// when FreeType cannot load it. Caller holds `lock`, and has set the face to `size`.
    private func outline(_ face: Int, _ glyph: UInt32, size: FT_F26Dot6) -> KeptOutline? {
        let key = KeptOutline.Key(face: face, glyph: glyph, size: size)
        if let known = outlines[key] { return known }
        let handle = handles[face]
        guard FT_Load_Glyph(handle, FT_UInt(glyph), FT_Int32(FT_LOAD_NO_HINTING | FT_LOAD_NO_BITMAP)) == 0,
              let slot = handle.pointee.glyph else { return nil }
        var kept = KeptOutline(advance: Double(slot.pointee.linearHoriAdvance) / 65536, glyph: nil)
        if slot.pointee.format == FT_GLYPH_FORMAT_OUTLINE {
            var copy: FT_Glyph?
            guard FT_Get_Glyph(slot, &copy) == 0, let copy else { return nil }
            kept.glyph = copy
        }
        if outlines.count >= Self.outlineLimit { freeOutlines() }
        outlines[key] = kept
        return kept
    }

    /// Frees every kept outline. Caller holds `lock` (or is `deinit`).
    private func freeOutlines() {
        for kept in outlines.values { if let glyph = kept.glyph { FT_Done_Glyph(glyph) } }
        outlines.removeAll()
    }

    /// Empties the rendered glyphs and the kept outlines, so the next face loads and
    /// rasterises every glyph again (what the first card of a process costs; the render
    /// benchmark shows both).
    public func emptyGlyphCache() {
        lock.lock()
        defer { lock.unlock() }
        rendered.removeAll()
        freeOutlines()
    }

    /// How many glyphs and outlines are kept (for tests of the bounds).
    var keptCounts: (rendered: Int, outlines: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (rendered.count, outlines.count)
    }

    /// Caller holds `lock`.
    private func lookup(_ scalar: Unicode.Scalar) -> (face: Int, glyph: UInt32) {
        if let known = lookups[scalar.value] { return known }
        var found: (face: Int, glyph: UInt32) = (-1, 0)
        for (position, face) in handles.enumerated() {
            let glyph = FT_Get_Char_Index(face, FT_ULong(scalar.value))
            if glyph != 0 {
                found = (position, UInt32(glyph))
                break
            }
        }
        lookups[scalar.value] = found
        return found
    }

    /// U+FE00–FE0F and U+E0100–E01EF: they choose a glyph variant of the character before.
    static func isVariationSelector(_ scalar: Unicode.Scalar) -> Bool {
        (0xFE00...0xFE0F).contains(scalar.value) || (0xE0100...0xE01EF).contains(scalar.value)
    }

    static func text(of error: FT_Error) -> String {
        "FreeType error \(error): " + String(cString: CFreeType_errorString(error))
    }

    private static let cache = FontChainCache()
}

/// The process's open font chains, one per distinct face list.
/// `@unchecked Sendable`: `chains` is read and written only while `lock` is held.
private final class FontChainCache: @unchecked Sendable {
    private let lock = NSLock()
    private var chains: [[DriverConfiguration.FontFace]: FontChain] = [:]

    func chain(for faces: [DriverConfiguration.FontFace]) throws(CardFaceError) -> FontChain {
        lock.lock()
        defer { lock.unlock() }
        if let open = chains[faces] { return open }
        let opened = try FontChain(faces: faces)
        chains[faces] = opened
        return opened
    }
}

/// One character of a laid-out text item.
public struct PlacedGlyph: Hashable, Sendable {
    /// The character (a variation selector after it is folded in).
    public var scalar: Unicode.Scalar
    /// Which face of the chain draws it (0 = the first).
    public var faceIndex: Int
    public var glyphIndex: UInt32
    /// The pen position (left edge of the advance cell), in canvas dots.
    public var x: Double
    /// The unhinted advance, in dots.
    public var advance: Double
    /// The pixels it inked on the canvas (integer edges); empty for a blank glyph.
    public var ink: DotRect

    /// The advance cell: from the pen position over the advance, the height of the em box.
    public func cell(top: Double, em: Double) -> DotRect {
        DotRect(left: x, top: top, right: x + advance, bottom: top + em)
    }
}

/// A text item as drawn: its glyphs, em box and ink box, in canvas dots.
public struct TextLayout: Hashable, Sendable {
    public var itemName: String
    public var text: String
    public var emDots: Double
    public var left: Double
    public var top: Double
    public var glyphs: [PlacedGlyph] = []

    /// Pen start to pen end, em box height.
    public var emBox: DotRect {
        DotRect(left: left, top: top, right: left + glyphs.reduce(0) { $0 + $1.advance }, bottom: top + emDots)
    }

    /// Every inked pixel of the item.
    public var inkBox: DotRect {
        glyphs.reduce(DotRect(left: 0, top: 0, right: 0, bottom: 0)) { $0.union($1.ink) }
    }

    /// The box the layout check holds against the card and the chip: em box ∪ ink.
    public var box: DotRect { emBox.union(inkBox) }
}

/// A glyph's unhinted advance and outline as FreeType loaded them, for any pen offset.
private struct KeptOutline {
    struct Key: Hashable {
        var face: Int
        var glyph: UInt32
        var size: FT_F26Dot6
    }

    /// The unhinted advance, in dots.
    var advance: Double
    /// The outline (FT_Get_Glyph's copy, owned by the chain); nil when the glyph is not an outline.
    var glyph: FT_Glyph?
}

/// A glyph as FreeType rendered it 1-bit for one pen offset: its advance and its bitmap, placed
/// relative to the pen's dot.
private struct RenderedGlyph {
    struct Key: Hashable {
        var face: Int
        var glyph: UInt32
        var size: FT_F26Dot6
        /// The outline's shift, in 1/64 dot.
        var dx: FT_Pos
        var dy: FT_Pos
        /// False for a pen too far off the canvas to draw: advance only.
        var drawn: Bool
    }

    /// The unhinted advance, in dots.
    var advance: Double
    /// The bitmap's left edge from the pen's dot, and its top above the baseline's dot.
    var left = 0
    var top = 0
    var width = 0
    var rows = 0
    var rowBytes = 0
    /// 1 = ink, MSB first, `rowBytes` a row; empty for a blank glyph.
    var bits: [UInt8] = []

    /// The ink's extent in the bitmap (columns and rows, `inkRight`/`inkBottom` exclusive);
    /// empty (right ≤ left) when no bit is set.
    var inkLeft = 0, inkTop = 0, inkRight = 0, inkBottom = 0

    /// Copies FreeType's 1-bit bitmap (`pitch` bytes a row, MSB first) and finds its ink.
    mutating func take(bitmap buffer: UnsafeMutablePointer<UInt8>, width: Int, rows: Int, pitch: Int, left: Int, top: Int) {
        self.left = left
        self.top = top
        self.width = width
        self.rows = rows
        rowBytes = (width + 7) / 8
        let rowBytes = rowBytes
        bits = [UInt8](unsafeUninitializedCapacity: rows * rowBytes) { copy, initialised in
            for row in 0..<rows {
                (copy.baseAddress! + row * rowBytes).update(from: buffer + row * pitch, count: rowBytes)
            }
            initialised = rows * rowBytes
        }
        findInk()
    }

    /// Finds the ink; bits past `width` in a row's last byte are cleared first: they are not
    /// the glyph's. A byte at a time: the first and last non-zero byte of a row give its leftmost and
    /// rightmost ink (their leading and trailing zero bits).
    mutating func findInk() {
        if width % 8 != 0 {
            let keep = UInt8(truncatingIfNeeded: 0xFF << (8 - width % 8))
            for row in 0..<rows { bits[row * rowBytes + rowBytes - 1] &= keep }
        }
        var minX = Int.max, minY = Int.max, maxX = Int.min, maxY = Int.min
        for row in 0..<rows {
            let start = row * rowBytes
            guard let first = (0..<rowBytes).first(where: { bits[start + $0] != 0 }),
                  let last = (0..<rowBytes).last(where: { bits[start + $0] != 0 }) else { continue }
            minX = min(minX, first * 8 + bits[start + first].leadingZeroBitCount)
            maxX = max(maxX, last * 8 + 7 - bits[start + last].trailingZeroBitCount)
            minY = min(minY, row); maxY = max(maxY, row)
        }
        if minX <= maxX { (inkLeft, inkTop, inkRight, inkBottom) = (minX, minY, maxX + 1, maxY + 1) }
    }

    /// ORs the glyph into `ink` for a pen at (`penX`, `baseline`) and returns its ink box (at
    /// the pen, empty, for a blank glyph or a pen too far off the canvas). The box is the
    /// glyph's whole ink, on the canvas or not; only the bits on the canvas are set. A byte of
    /// the glyph at a time, shifted onto the two canvas bytes it straddles.
    func draw(penX: Double, baseline: Double, into ink: inout MonochromeBitmap) -> DotRect {
        guard rows > 0, inkLeft < inkRight, let xDot = Int(exactly: penX.rounded(.down)), let yDot = Int(exactly: baseline.rounded(.down)) else {
            return DotRect(left: penX, top: baseline, right: penX, bottom: baseline)
        }
        let x0 = xDot + left, y0 = yDot - top
        let canvasWidth = ink.width, canvasHeight = ink.height, canvasRowBytes = ink.rowBytes
        // The canvas's last byte may hold padding bits past its width: they stay 0.
        let lastKeep = canvasWidth % 8 == 0 ? UInt8(0xFF) : UInt8(truncatingIfNeeded: 0xFF << (8 - canvasWidth % 8))
        let shift = x0 & 7, firstByte = x0 >> 3   // floored for a glyph hanging off the left edge
        // The rows on the canvas: none for a glyph wholly above or below it.
        let firstRow = max(0, -y0), endRow = max(firstRow, min(rows, canvasHeight - y0))
        ink.bytes.withUnsafeMutableBufferPointer { canvas in
            bits.withUnsafeBufferPointer { glyph in
                for row in firstRow..<endRow {
                    let to = (y0 + row) * canvasRowBytes
                    func put(_ byte: UInt8, at column: Int) {
                        guard byte != 0, column >= 0, column < canvasRowBytes else { return }
                        canvas[to + column] |= column == canvasRowBytes - 1 ? byte & lastKeep : byte
                    }
                    for b in 0..<rowBytes {
                        let byte = glyph[row * rowBytes + b]
                        guard byte != 0 else { continue }
                        put(byte >> UInt8(shift), at: firstByte + b)
                        if shift != 0 { put(byte << UInt8(8 - shift), at: firstByte + b + 1) }
                    }
                }
            }
        }
        return DotRect(left: Double(x0 + inkLeft), top: Double(y0 + inkTop), right: Double(x0 + inkRight), bottom: Double(y0 + inkBottom))
    }
}
