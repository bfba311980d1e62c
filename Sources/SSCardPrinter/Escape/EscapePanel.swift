import SSCardDriver
/// How panel bitmaps go on the wire in `Db;panel;levels;data` (docs/escape-protocol.md).
///
/// Evolis panels are always 1016 × 648 dots at 300 dpi. The printer takes them line by line
/// along the card's long side: 1016 lines of 648 dots, the first dot of a line first, each dot
/// `bitsPerDot` bits, most significant bit first, packed without gaps (1 bit: 81 bytes a line).
///
/// A 1-bit panel is 1016 × 648 / 8 = 82,296 bytes: what Evolis's own SDK sample allocates for
/// `Db;k;2` and what the open-source Perl driver pads to. The 2003 Programming Guide prints
/// 84,624 bytes (and 423,120 / 507,744 / 592,368 for 5 / 6 / 7 bits), which is 676,992 dots
/// (1032 × 656), not 1016 × 648. `.exact` (the default) sends 82,296 bytes; `.guide` sends the
/// guide's sizes, the bitmap followed by zero bytes, for a firmware that turns out to read
/// that many. Both ends of a link must use the same format.
///
/// The packing of the 5/6/7-bit dye panels is not public: this driver packs the bits without
/// gaps in the same dot order ([design], docs/escape-protocol.md).
public struct EscapePanelFormat: Hashable, Sendable {
    /// Dots per transmitted line (the card's short side): 648.
    public static let dotsPerLine = 648
    /// Transmitted lines (the card's long side): 1016.
    public static let lineCount = 1016
    /// Dots in a panel's bitmap: 658,368.
    public static let bitmapDotCount = dotsPerLine * lineCount

    /// Dots the wire size is computed from (the bitmap plus zero padding): 658,368 for
    /// `.exact`, 676,992 for `.guide`.
    public var paddedDotCount: Int
    /// How the card face's dots map to wire lines.
    public var dotOrder: EscapeDotOrder

    public init(paddedDotCount: Int, dotOrder: EscapeDotOrder = .faceRotatedClockwise) {
        precondition(paddedDotCount >= Self.bitmapDotCount && paddedDotCount % 8 == 0,
                     "a panel holds at least 1016 × 648 dots, a whole number of bytes")
        self.paddedDotCount = paddedDotCount
        self.dotOrder = dotOrder
    }

    /// The Programming Guide's sizes: 84,624 bytes for a 1-bit panel.
    public static let guide = EscapePanelFormat(paddedDotCount: 84_624 * 8)
    /// 1016 × 648 bits exactly: 82,296 bytes for a 1-bit panel.
    public static let exact = EscapePanelFormat(paddedDotCount: bitmapDotCount)

    /// Bytes of panel data that follow `Db;panel;levels;`.
    public func byteCount(levels: EscapePanelLevels) -> Int {
        (paddedDotCount * levels.bitsPerDot + 7) / 8
    }

    /// The wire position (line, dot in line) of the face dot at `x` (0–1015, left to right) and
    /// `y` (0–647, top to bottom).
    @inline(__always)
    func wireIndex(x: Int, y: Int) -> Int {
        switch dotOrder {
        case .faceRotatedClockwise: return x * Self.dotsPerLine + (Self.dotsPerLine - 1 - y)
        case .faceRotatedCounterClockwise: return (Self.lineCount - 1 - x) * Self.dotsPerLine + y
        }
    }
}

/// Which way the landscape card face (1016 wide, 648 high, as the renderer draws it) is turned
/// into 1016 lines of 648 dots.
public enum EscapeDotOrder: String, Hashable, Sendable, CaseIterable {
    /// The face turned 90° clockwise (what `pnmflip -rotate270` gives, as the open-source Perl
    /// driver does): line i is face column i, left to right; dot j of a line is face row 647 − j,
    /// bottom to top. The default.
    case faceRotatedClockwise
    /// The face turned 90° counter-clockwise: line i is face column 1015 − i; dot j is face row j.
    case faceRotatedCounterClockwise
}

extension MonochromeBitmap {
    /// The `Db;…;2;` data of a 1016 × 648 K or O panel: `format.byteCount(levels: .two)` bytes
    /// (82,296 for `.exact`, 84,624 for `.guide`), the face turned into 1016 lines of 648 dots
    /// by `format.dotOrder`. A bitmap of another size is a programmer error (traps).
    public func escapeWireData(format: EscapePanelFormat = .exact) -> [UInt8] {
        precondition(width == CardCanvas.width && height == CardCanvas.height, "an Escape panel is 1016 × 648 dots")
        var out = [UInt8](repeating: 0, count: format.byteCount(levels: .two))
        bytes.withUnsafeBufferPointer { face in
            out.withUnsafeMutableBufferPointer { EscapePanelPacking.faceToWire(face, $0, order: format.dotOrder) }
        }
        return out
    }

    /// The 1016 × 648 panel of `Db;…;2;` data: at least 82,296 bytes; what follows the bitmap
    /// is padding and ignored. Fewer bytes throw.
    public init(escapeWireData data: [UInt8], format: EscapePanelFormat = .exact) throws(EscapeDecodingError) {
        guard data.count >= EscapePanelFormat.bitmapDotCount / 8 else {
            throw .badPanelHeader("a 1-bit panel needs \(EscapePanelFormat.bitmapDotCount / 8) bytes, got \(data.count)")
        }
        self.init(width: CardCanvas.width, height: CardCanvas.height)
        data.withUnsafeBufferPointer { wire in
            bytes.withUnsafeMutableBufferPointer { EscapePanelPacking.wireToFace(wire, $0, order: format.dotOrder) }
        }
    }
}

/// A dye panel (Y, M or C) as a card face: 1016 × 648 dots, each a level 0…levels−1 (0 = no
/// dye, levels−1 = full dye), stored row by row.
public struct DyePanel: Hashable, Sendable {
    public var levels: EscapePanelLevels
    /// Dot levels, row by row, 1016 a row.
    public private(set) var dots: [UInt8]

    /// A panel from dot levels (1016 × 648 of them, each below `levels`); anything else traps.
    public init(levels: EscapePanelLevels = .thirtyTwo, dots: [UInt8]) {
        precondition(levels != .two, "a dye panel has 32, 64 or 128 levels")
        precondition(dots.count == CardCanvas.width * CardCanvas.height, "a panel has 1016 × 648 dots")
        precondition(dots.allSatisfy { Int($0) < levels.rawValue }, "a dot level is below \(levels.rawValue)")
        self.levels = levels
        self.dots = dots
    }

    /// A panel from 8-bit densities (0 = none, 255 = full), scaled to `levels`.
    public init(levels: EscapePanelLevels = .thirtyTwo, densities: [UInt8]) {
        precondition(levels != .two, "a dye panel has 32, 64 or 128 levels")
        precondition(densities.count == CardCanvas.width * CardCanvas.height, "a panel has 1016 × 648 dots")
        self = densities.withUnsafeBufferPointer { DyePanel(levels: levels, densities: $0) }
    }

    /// A panel from 8-bit densities read in place (an "SSCF" payload's plane): no copy of them.
    init(levels: EscapePanelLevels, densities: UnsafeBufferPointer<UInt8>) {
        precondition(levels != .two, "a dye panel has 32, 64 or 128 levels")
        precondition(densities.count == CardCanvas.width * CardCanvas.height, "a panel has 1016 × 648 dots")
        let shift = UInt8(8 - levels.bitsPerDot)
        self.levels = levels
        // Below `levels` by construction: no need to look at each dot again.
        dots = [UInt8](unsafeUninitializedCapacity: densities.count) { out, initialised in
            for i in densities.indices { out[i] = densities[i] &>> shift }
            initialised = densities.count
        }
    }

    public subscript(x: Int, y: Int) -> UInt8 { dots[y * CardCanvas.width + x] }

    /// The `Db;…;levels;` data: `format.byteCount(levels:)` bytes.
    public func wireData(format: EscapePanelFormat = .exact) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: format.byteCount(levels: levels))
        dots.withUnsafeBufferPointer { dots in
            out.withUnsafeMutableBufferPointer { EscapePanelPacking.dotsToWire(dots, bits: levels.bitsPerDot, $0, order: format.dotOrder) }
        }
        return out
    }

    /// The panel of `Db;…;levels;` data (at least the bitmap's bytes; padding ignored).
    public init(wireData: [UInt8], levels: EscapePanelLevels, format: EscapePanelFormat = .exact) throws(EscapeDecodingError) {
        let bits = levels.bitsPerDot
        guard levels != .two, wireData.count >= (EscapePanelFormat.bitmapDotCount * bits + 7) / 8 else {
            throw .badPanelHeader("a \(levels.rawValue)-level panel of \(wireData.count) bytes")
        }
        // wireToDots writes every dot (1016 lines, eight at a time): no need to zero them first.
        let dots = [UInt8](unsafeUninitializedCapacity: CardCanvas.width * CardCanvas.height) { out, initialised in
            wireData.withUnsafeBufferPointer { wire in EscapePanelPacking.wireToDots(wire, bits: bits, out, order: format.dotOrder) }
            initialised = CardCanvas.width * CardCanvas.height
        }
        self.levels = levels
        self.dots = dots
    }

    /// 8-bit densities (0 none … 255 full), row by row.
    public var densities: [UInt8] {
        let top = levels.rawValue - 1
        return dots.map { UInt8(Int($0) * 255 / top) }
    }
}

/// The three dye panels of a colour side.
public struct DyePanels: Hashable, Sendable {
    public var yellow: DyePanel
    public var magenta: DyePanel
    public var cyan: DyePanel

    public init(yellow: DyePanel, magenta: DyePanel, cyan: DyePanel) {
        precondition(yellow.levels == magenta.levels && magenta.levels == cyan.levels, "Y, M and C have the same levels")
        self.yellow = yellow
        self.magenta = magenta
        self.cyan = cyan
    }

    /// The colour the dyes give on a white card.
    public var picture: RGBImage {
        let y = yellow.densities, m = magenta.densities, c = cyan.densities
        var out = [UInt8](repeating: 0, count: y.count * 3)
        for i in 0..<y.count {
            out[3 * i] = 255 - c[i]
            out[3 * i + 1] = 255 - m[i]
            out[3 * i + 2] = 255 - y[i]
        }
        return RGBImage(width: CardCanvas.width, height: CardCanvas.height, pixels: out)!
    }
}

/// What one side of a card gets: optional dye panels (Y, M, C), a resin-black K panel and an
/// overlay O panel, each 1016 × 648 dots. 面板组.
///
/// `EscapePrinter.printPanels` reads it from a `PrintJob` payload in either of two forms
/// (docs/escape-protocol.md): the renderer's "SSCF" payload (`RenderedFace.printJobPayload`,
/// docs/card-face.md), or the `Db` commands themselves, Y, M, C, K, O, each
/// `ESC Db;panel;levels;data CR` (`payload(format:)`, `PrintJob(name:panels:format:)`), which
/// also carries a K-only or KO job. An empty payload is an empty set: nothing is printed.
public struct PanelSet: Hashable, Sendable {
    public var dyes: DyePanels?
    public var black: MonochromeBitmap?
    public var overlay: MonochromeBitmap?

    /// Panels of 1016 × 648 dots; another size is a programmer error (traps).
    public init(dyes: DyePanels? = nil, black: MonochromeBitmap? = nil, overlay: MonochromeBitmap? = nil) {
        for p in [black, overlay].compactMap({ $0 }) {
            precondition(p.width == CardCanvas.width && p.height == CardCanvas.height, "an Escape panel is 1016 × 648 dots")
        }
        self.dyes = dyes
        self.black = black
        self.overlay = overlay
    }

    /// The five panels of a rendered face; the dyes at `dyeLevels` (32 = 5 bits by default).
    public init(face: RenderedFace, dyeLevels: EscapePanelLevels = .thirtyTwo) {
        self.init(
            dyes: DyePanels(yellow: DyePanel(levels: dyeLevels, densities: face.colourPanel(.yellow)),
                            magenta: DyePanel(levels: dyeLevels, densities: face.colourPanel(.magenta)),
                            cyan: DyePanel(levels: dyeLevels, densities: face.colourPanel(.cyan))),
            black: face.blackPanel, overlay: face.overlayPanel)
    }

    /// Ribbon panels the set uses: 3 for the dyes, 1 each for K and O.
    public var ribbonPanelCount: Int { (dyes == nil ? 0 : 3) + (black == nil ? 0 : 1) + (overlay == nil ? 0 : 1) }

    public var isEmpty: Bool { ribbonPanelCount == 0 }

    /// The ribbon the set needs: YMCKO with dyes, KO with an overlay, else K.
    public var ribbon: EscapeRibbon {
        if dyes != nil { return .ymcko }
        return overlay != nil ? .ko : .k
    }

    /// The `Db` commands in ribbon order Y, M, C, K, O.
    public func commands(format: EscapePanelFormat = .exact) -> [EscapeCommand] {
        var out: [EscapeCommand] = []
        if let d = dyes {
            for (kind, panel) in [(EscapePanelKind.yellow, d.yellow), (.magenta, d.magenta), (.cyan, d.cyan)] {
                out.append(.downloadPanel(.init(panel: kind, levels: panel.levels, data: panel.wireData(format: format))))
            }
        }
        if let k = black { out.append(.downloadPanel(.init(panel: .black, levels: .two, data: k.escapeWireData(format: format)))) }
        if let o = overlay { out.append(.downloadPanel(.init(panel: .overlay, levels: .two, data: o.escapeWireData(format: format)))) }
        return out
    }

    /// The `Db` commands' bytes, one after the other: a `PrintJob` payload.
    public func payload(format: EscapePanelFormat = .exact) -> [UInt8] {
        commands(format: format).flatMap(\.bytes)
    }

    /// The set of a `PrintJob` payload: empty, "SSCF" version 1 (its 8-bit dyes taken to
    /// `dyeLevels`), or `Db` commands of `format` (see `init(downloads:format:)` for what throws).
    public init(printJobPayload payload: [UInt8], format: EscapePanelFormat = .exact,
                dyeLevels: EscapePanelLevels = .thirtyTwo) throws(EscapeDecodingError) {
        if payload.isEmpty {
            self.init()
        } else if payload.starts(with: Array("SSCF".utf8)) {
            try self.init(sscf: payload, dyeLevels: dyeLevels)
        } else {
            let commands = try EscapeCommandDecoder.decodeAll(payload, format: format)
            var downloads: [EscapePanelDownload] = []
            for c in commands {
                guard case .downloadPanel(let d) = c else { throw .malformedCommand("\(c) in a panel payload") }
                downloads.append(d)
            }
            try self.init(downloads: downloads, format: format)
        }
    }

    /// The set of an "SSCF" payload (`RenderedFace.printJobPayload`): the panels read where they
    /// lie in the payload, each dye plane taken to `dyeLevels` in one pass (a card's payload is
    /// 2 MB: copying its planes out first cost as much as reading them).
    private init(sscf payload: [UInt8], dyeLevels: EscapePanelLevels) throws(EscapeDecodingError) {
        let w = CardCanvas.width, h = CardCanvas.height
        let colour = w * h, mono = (w + 7) / 8 * h
        guard payload.count == 10 + 3 * colour + 2 * mono, payload[4] == 1,
              Int(payload[6]) << 8 | Int(payload[7]) == w, Int(payload[8]) << 8 | Int(payload[9]) == h
        else { throw .malformedCommand("an SSCF payload that is not version 1 of 1016 × 648 dots") }
        guard dyeLevels != .two else { throw .badPanelHeader("dye panels at 2 levels") }
        let (dyes, black, overlay) = payload.withUnsafeBufferPointer { p in
            func plane(_ n: Int) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: p[(10 + n * colour)..<(10 + (n + 1) * colour)]) }
            let monoStart = 10 + 3 * colour
            return (DyePanels(yellow: DyePanel(levels: dyeLevels, densities: plane(0)),
                              magenta: DyePanel(levels: dyeLevels, densities: plane(1)),
                              cyan: DyePanel(levels: dyeLevels, densities: plane(2))),
                    MonochromeBitmap(width: w, height: h, bytes: Array(p[monoStart..<(monoStart + mono)]))!,
                    MonochromeBitmap(width: w, height: h, bytes: Array(p[(monoStart + mono)...]))!)
        }
        self.init(dyes: dyes, black: black, overlay: overlay)
    }

    /// The set of downloaded panels. Throws for the same panel twice, K or O not at 2 levels,
    /// dyes at 2 levels, Y, M, C not all three at one level count, or data too short.
    public init(downloads: [EscapePanelDownload], format: EscapePanelFormat = .exact) throws(EscapeDecodingError) {
        var byKind: [EscapePanelKind: EscapePanelDownload] = [:]
        for d in downloads {
            guard byKind[d.panel] == nil else { throw .badPanelHeader("panel \(d.panel.rawValue) downloaded twice") }
            byKind[d.panel] = d
        }
        func mono(_ kind: EscapePanelKind) throws(EscapeDecodingError) -> MonochromeBitmap? {
            guard let d = byKind[kind] else { return nil }
            guard d.levels == .two else { throw .badPanelHeader("panel \(kind.rawValue) at \(d.levels.rawValue) levels") }
            return try MonochromeBitmap(escapeWireData: d.data, format: format)
        }
        black = try mono(.black)
        overlay = try mono(.overlay)
        let dyeDownloads = [byKind[.yellow], byKind[.magenta], byKind[.cyan]].compactMap { $0 }
        if dyeDownloads.isEmpty {
            dyes = nil
        } else {
            guard dyeDownloads.count == 3, dyeDownloads.allSatisfy({ $0.levels != .two && $0.levels == dyeDownloads[0].levels })
            else { throw .badPanelHeader("dye panels must be Y, M and C at the same 32, 64 or 128 levels") }
            var p: [DyePanel] = []
            for d in dyeDownloads { p.append(try DyePanel(wireData: d.data, levels: d.levels, format: format)) }
            dyes = DyePanels(yellow: p[0], magenta: p[1], cyan: p[2])
        }
    }

    /// What the set prints on a white card: the dyes, then K in black on top (O is clear).
    public var printedPicture: RGBImage {
        var picture = dyes?.picture ?? RGBImage(width: CardCanvas.width, height: CardCanvas.height)
        if let k = black {
            for y in 0..<k.height {
                for x in 0..<k.width where k[x, y] {
                    let i = (y * k.width + x) * 3
                    picture.pixels[i] = 0; picture.pixels[i + 1] = 0; picture.pixels[i + 2] = 0
                }
            }
        }
        return picture
    }
}

extension PrintJob {
    /// A job that prints `panels` through an Escape printer: the payload is the panels' `Db`
    /// commands in `format`, the ribbon panels their number.
    public init(name: String, panels: PanelSet, format: EscapePanelFormat = .exact) {
        self.init(name: name, payload: panels.payload(format: format), ribbonPanels: panels.ribbonPanelCount)
    }
}
