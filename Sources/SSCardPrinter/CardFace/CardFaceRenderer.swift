import SSCardDriver
/// Draws a card face from a typed `CardFaceJob`, or from iPrint items (docs/card-face.md).
///
/// Everything that can refuse is checked before the face is returned, and a caller prints
/// nothing until it has the face: unprintable characters (`GlyphCoverage`), photos
/// (`PhotoDecoder`), and the layout — every text item's box (em box ∪ ink) and every photo
/// box must lie within the card (85.60 × 53.98 mm from the canvas origin) and clear of the
/// chip plate (`ChipPlate`). Refusals are `CardFaceError`s naming the item.
///
/// Drawing: the canvas starts white; photos are decoded, scaled to fit their box (aspect
/// kept, centred; the province's 358 × 441 photo fills 234 × 288 of a 234 × 300 box) and
/// copied in colour; text is rasterised 1-bit into the K panel and shown black in `rgb`. The
/// overlay covers the canvas except the chip plate.
public struct CardFaceRenderer: Sendable {
    public let chain: FontChain
    public let chipPlate: ChipPlate

    /// The overlay of `chipPlate`, made once.
    private let overlay: MonochromeBitmap

    public init(chain: FontChain, chipPlate: ChipPlate = .standard) {
        self.chain = chain
        self.chipPlate = chipPlate
        overlay = chipPlate == .standard ? Self.standardOverlay : Self.overlayMask(chipPlate)
    }

    /// The overlay of the standard plate, made once per process: iPrint makes a renderer a card.
    private static let standardOverlay = overlayMask(.standard)

    /// The renderer of the configuration's `fontChain` (opened once per process).
    public init(configuration: DriverConfiguration) throws(CardFaceError) {
        self.init(chain: try FontChain.shared(configuration.fontChain))
    }

    /// Renders `job`, or throws why it cannot print: characters first, then each text item's
    /// size and origin (`geometryProblem`), then the photo boxes, then the text boxes.
    public func render(_ job: CardFaceJob) throws(CardFaceError) -> RenderedFace {
        for text in job.texts { try GlyphCoverage.check(text, chain: chain) }
        for text in job.texts {
            if let problem = Self.geometryProblem(text) { throw problem }
        }
        for photo in job.photos { try checkBox(photo.box, item: photo.itemName) }
        return try draw(texts: job.texts, photos: job.photos)
    }

    /// Renders iPrint items: `render(job(for: items, exit: .good))`.
    public func render(_ items: PrintItems) throws(CardFaceError) -> RenderedFace {
        try render(job(for: items, exit: .good))
    }

    /// The typed job of parsed iPrint items: each photo decoded. Refused as the items have
    /// always been refused, in the same order: every character first (`GlyphCoverage`), then
    /// each photo's box and picture; the text boxes are checked when the job is rendered.
    public func job(for items: PrintItems, exit: CardExit) throws(CardFaceError) -> CardFaceJob {
        for text in items.texts { try GlyphCoverage.check(text, chain: chain) }
        var photos: [CardFacePhoto] = []
        for photo in items.photos {
            let placed = DotRect(left: photo.left, top: photo.top, right: photo.left + photo.width, bottom: photo.top + photo.height)
            try checkBox(placed, item: photo.itemName)
            let picture: RGBImage
            do throws(PhotoError) {
                picture = try PhotoDecoder.decode(base64: photo.base64)
            } catch {
                throw .photo(item: photo.itemName, error)
            }
            photos.append(CardFacePhoto(itemName: photo.itemName, picture: picture, left: photo.left, top: photo.top,
                                        width: photo.width, height: photo.height))
        }
        return CardFaceJob(texts: items.texts, photos: photos, exit: exit)
    }

    /// Draws checked items; a text box off the card or over the chip is still refused here,
    /// since only drawing tells where the ink goes.
    private func draw(texts: [PrintTextItem], photos: [CardFacePhoto]) throws(CardFaceError) -> RenderedFace {
        var black = MonochromeBitmap()
        var layouts: [TextLayout] = []
        for text in texts {
            let layout = chain.draw(text, into: &black)
            try checkBox(layout.box, item: text.itemName)
            layouts.append(layout)
        }

        var rgb = RGBImage(width: CardCanvas.width, height: CardCanvas.height)
        var placed: [PlacedPhoto] = []
        for photo in photos {
            placed.append(Self.place(photo, on: &rgb))
        }
        // Text over everything, in black. K has ink only inside the glyphs' ink boxes, so only
        // their union is read; most of its bytes are 0 too and skipped eight at a time.
        let ink = layouts.reduce(DotRect(left: 0, top: 0, right: 0, bottom: 0)) { $0.union($1.inkBox) }
        let firstRow = max(0, Int(ink.top)), endRow = min(black.height, Int(ink.bottom))
        let firstByte = max(0, Int(ink.left) >> 3), endByte = min(black.rowBytes, (Int(ink.right) + 7) >> 3)
        if !ink.isEmpty, firstRow < endRow, firstByte < endByte {
            rgb.pixels.withUnsafeMutableBufferPointer { pixels in
                black.bytes.withUnsafeBufferPointer { k in
                    let rowBytes = black.rowBytes, width = black.width
                    for y in firstRow..<endRow {
                        let row = k.baseAddress! + y &* rowBytes
                        var xb = firstByte
                        while xb < endByte {
                            if xb &+ 8 <= endByte && UnsafeRawPointer(row + xb).loadUnaligned(as: UInt64.self) == 0 {
                                xb &+= 8
                                continue
                            }
                            let byte = row[xb]
                            for bit in 0..<8 where byte & (0x80 >> UInt8(bit)) != 0 && xb &* 8 &+ bit < width {
                                let i = (y &* width &+ xb &* 8 &+ bit) &* 3
                                pixels[i] = 0; pixels[i &+ 1] = 0; pixels[i &+ 2] = 0
                            }
                            xb &+= 1
                        }
                    }
                }
            }
        }
        return RenderedFace(rgb: rgb, blackPanel: black, overlayPanel: overlayMask(), texts: layouts, photos: placed)
    }

    /// The overlay: 1 everywhere but the chip plate (every dot whose centre lies in it).
    public func overlayMask() -> MonochromeBitmap { overlay }

    private static func overlayMask(_ chipPlate: ChipPlate) -> MonochromeBitmap {
        var mask = MonochromeBitmap(filled: true)
        let plate = chipPlate.rect
        for y in Int(plate.top.rounded())..<Int(plate.bottom.rounded()) {
            for x in Int(plate.left.rounded())..<Int(plate.right.rounded()) { mask.clear(x: x, y: y) }
        }
        return mask
    }

    /// Why a text item cannot be drawn, nil when it can: a size that is not 1–72 points, or
    /// an origin (left, top in dots) that is not on the card. The whole box is checked once
    /// drawn (`outsideCard`, `overlapsChip`).
    static func geometryProblem(_ item: PrintTextItem) -> CardFaceError? {
        guard (1...72).contains(item.sizePoints) else {
            return .badGeometry(item: item.itemName, reasonChinese: "的字号\(item.sizePoints)不在1至72磅之间",
                                reasonEnglish: "size \(item.sizePoints) is not 1–72 points")
        }
        let card = CardCanvas.card
        guard (card.left...card.right).contains(item.left), (card.top...card.bottom).contains(item.top) else {
            return .badGeometry(item: item.itemName, reasonChinese: "的位置（\(item.left), \(item.top)）不在卡面上",
                                reasonEnglish: "the position (\(item.left), \(item.top)) dots is not on the card")
        }
        return nil
    }

    /// Refuses a box outside the card or over the chip plate.
    private func checkBox(_ box: DotRect, item: String) throws(CardFaceError) {
        guard CardCanvas.card.contains(box) else { throw .outsideCard(item: item, box: box) }
        guard !box.intersects(chipPlate.rect) else { throw .overlapsChip(item: item, box: box) }
    }

    /// Scales the photo's picture to fit its box (aspect kept, centred) and copies it into `rgb`.
    private static func place(_ item: CardFacePhoto, on rgb: inout RGBImage) -> PlacedPhoto {
        let picture = item.picture
        let x0 = Int(item.left.rounded()), y0 = Int(item.top.rounded())
        let boxWidth = Int((item.left + item.width).rounded()) - x0
        let boxHeight = Int((item.top + item.height).rounded()) - y0
        let scale = min(Double(boxWidth) / Double(picture.width), Double(boxHeight) / Double(picture.height))
        let w = max(1, min(boxWidth, Int((Double(picture.width) * scale).rounded())))
        let h = max(1, min(boxHeight, Int((Double(picture.height) * scale).rounded())))
        let px = x0 + (boxWidth - w) / 2, py = y0 + (boxHeight - h) / 2
        let scaled = picture.resampled(width: w, height: h)
        let canvasWidth = rgb.width
        rgb.pixels.withUnsafeMutableBufferPointer { pixels in
            scaled.pixels.withUnsafeBufferPointer { source in
                for row in 0..<h {
                    let to = ((py + row) * canvasWidth + px) * 3
                    (pixels.baseAddress! + to).update(from: source.baseAddress! + row * w * 3, count: w * 3)
                }
            }
        }
        return PlacedPhoto(itemName: item.itemName,
                           box: DotRect(left: item.left, top: item.top, right: item.left + item.width, bottom: item.top + item.height),
                           picture: DotRect(left: Double(px), top: Double(py), right: Double(px + w), bottom: Double(py + h)),
                           sourceWidth: picture.width, sourceHeight: picture.height)
    }
}
