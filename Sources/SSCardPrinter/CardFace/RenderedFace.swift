import SSCardDriver
/// One card side rendered for a YMCKO ribbon (dye Y, M, C, resin black K, clear overlay O: the
/// panels of a standard card-printer colour ribbon, Evolis's `EVOLIS_RT_YMCKO`), all on the
/// 1016 × 648-dot canvas at 300 dpi, origin top-left (`CardCanvas`):
/// - `rgb`: what the card looks like — white, photos in colour, text in black (the preview);
/// - `blackPanel` (K, resin black): exactly the text pixels, 1 bit per dot;
/// - `overlayPanel` (O, clear varnish): the whole canvas except the chip plate;
/// - the colour panels Y, M, C (dye-sub) are derived: 255 − B, 255 − G, 255 − R of `rgb`,
///   0 where K prints, so text is resin only.
///
/// 1-bit panels are `MonochromeBitmap`s: 1 = ink, MSB first, row-major, rows of 127 bytes,
/// 82,296 bytes per panel (1016 × 648 / 8). They are in canvas orientation; a transport whose
/// printer takes lines along the short side (Evolis panels are sent as 1016 lines of 648 dots)
/// transposes them.
public struct RenderedFace: Hashable, Sendable {
    public var rgb: RGBImage
    public var blackPanel: MonochromeBitmap
    public var overlayPanel: MonochromeBitmap
    /// The text items as drawn, in item order.
    public var texts: [TextLayout]
    /// The photo items as placed, in item order.
    public var photos: [PlacedPhoto]

    public init(rgb: RGBImage, blackPanel: MonochromeBitmap, overlayPanel: MonochromeBitmap,
                texts: [TextLayout] = [], photos: [PlacedPhoto] = []) {
        precondition(rgb.width == blackPanel.width && rgb.height == blackPanel.height
                     && rgb.width == overlayPanel.width && rgb.height == overlayPanel.height,
                     "the panels of a face must have one size")
        self.rgb = rgb
        self.blackPanel = blackPanel
        self.overlayPanel = overlayPanel
        self.texts = texts
        self.photos = photos
    }

    /// A colour panel: 0 = no dye, 255 = full, one byte per dot, row-major.
    public func colourPanel(_ panel: ColourPanel) -> [UInt8] {
        let channel = panel.rawValue, dots = rgb.width * rgb.height
        return [UInt8](unsafeUninitializedCapacity: dots) { out, initialised in
            rgb.pixels.withUnsafeBufferPointer { pixels in
                for i in 0..<dots { out[i] = 255 &- pixels[i &* 3 &+ channel] }
            }
            Self.clearResin(blackPanel, in: out.baseAddress!, panels: 1, panelSize: dots)
            initialised = dots
        }
    }

    /// Sets the dots K prints to 0 in `panels` consecutive dye panels at `dye`: few dots (the
    /// text), so K is read a byte at a time and empty bytes are skipped.
    private static func clearResin(_ black: MonochromeBitmap, in dye: UnsafeMutablePointer<UInt8>, panels: Int, panelSize: Int) {
        let width = black.width, rowBytes = black.rowBytes
        black.bytes.withUnsafeBufferPointer { k in
            for y in 0..<black.height {
                for xb in 0..<rowBytes where k[y &* rowBytes &+ xb] != 0 {
                    let byte = k[y &* rowBytes &+ xb]
                    for bit in 0..<8 where byte & (0x80 >> UInt8(bit)) != 0 && xb &* 8 &+ bit < width {
                        for panel in 0..<panels { dye[panel &* panelSize &+ y &* width &+ xb &* 8 &+ bit] = 0 }
                    }
                }
            }
        }
    }

    public enum ColourPanel: Int, CaseIterable, Sendable {
        /// Cyan absorbs red: 255 − R.
        case cyan = 0
        /// Magenta absorbs green: 255 − G.
        case magenta = 1
        /// Yellow absorbs blue: 255 − B.
        case yellow = 2
    }

    /// The `PrintJob` payload (format "SSCF" version 1, big-endian, docs/card-face.md):
    ///
    ///     offset 0   "SSCF"          magic
    ///            4   0x01            version
    ///            5   0x00            reserved
    ///            6   width  (UInt16) 1016
    ///            8   height (UInt16) 648
    ///           10   Y  width × height bytes (8-bit, 0 = no dye)
    ///                M  width × height bytes
    ///                C  width × height bytes
    ///                K  ⌈width/8⌉ × height bytes (1-bit, MSB first, 1 = resin)
    ///                O  ⌈width/8⌉ × height bytes (1-bit, 1 = varnish)
    public var printJobPayload: [UInt8] {
        let w = rgb.width, h = rgb.height
        let dots = w * h, mono = blackPanel.bytes.count
        let total = 10 + 3 * dots + 2 * mono
        precondition(mono == (w + 7) / 8 * h && overlayPanel.bytes.count == mono, "a 1-bit panel has ⌈width/8⌉ × height bytes")
        // One buffer of the final size, each panel written once where it belongs: a card's
        // payload is 2 MB, and growing it panel by panel copied it and faulted fresh pages in.
        return [UInt8](unsafeUninitializedCapacity: total) { out, initialised in
            let base = out.baseAddress!
            for (i, byte) in ([0x53, 0x53, 0x43, 0x46, 1, 0, UInt8(w >> 8), UInt8(w & 0xFF), UInt8(h >> 8), UInt8(h & 0xFF)] as [UInt8]).enumerated() {
                base[i] = byte
            }
            // Y, M, C in one pass over the picture (as `colourPanel` makes each), then K and O.
            let dye = base + 10
            rgb.pixels.withUnsafeBufferPointer { pixels in
                let p = pixels.baseAddress!
                for i in 0..<dots {
                    let at = i &* 3
                    dye[i] = 255 &- p[at &+ 2]               // yellow: 255 − B
                    dye[dots &+ i] = 255 &- p[at &+ 1]       // magenta: 255 − G
                    dye[2 &* dots &+ i] = 255 &- p[at]       // cyan: 255 − R
                }
            }
            Self.clearResin(blackPanel, in: dye, panels: 3, panelSize: dots)
            blackPanel.bytes.withUnsafeBufferPointer { (dye + 3 * dots).update(from: $0.baseAddress!, count: mono) }
            overlayPanel.bytes.withUnsafeBufferPointer { (dye + 3 * dots + mono).update(from: $0.baseAddress!, count: mono) }
            initialised = total
        }
    }

    /// Reads a payload back (a transport or the virtual printer): Y, M, C, K, O panels; nil
    /// when it is not an "SSCF" version 1 payload of consistent size.
    public static func panels(ofPayload payload: [UInt8]) -> (width: Int, height: Int, yellow: [UInt8], magenta: [UInt8], cyan: [UInt8], black: MonochromeBitmap, overlay: MonochromeBitmap)? {
        guard payload.count >= 10, Array(payload[0..<4]) == Array("SSCF".utf8), payload[4] == 1 else { return nil }
        let w = Int(payload[6]) << 8 | Int(payload[7]), h = Int(payload[8]) << 8 | Int(payload[9])
        guard w > 0, h > 0 else { return nil }
        let colour = w * h, mono = (w + 7) / 8 * h
        guard payload.count == 10 + 3 * colour + 2 * mono else { return nil }
        var at = 10
        func take(_ n: Int) -> [UInt8] {
            defer { at += n }
            return Array(payload[at..<(at + n)])
        }
        let y = take(colour), m = take(colour), c = take(colour)
        guard let k = MonochromeBitmap(width: w, height: h, bytes: take(mono)),
              let o = MonochromeBitmap(width: w, height: h, bytes: take(mono)) else { return nil }
        return (w, h, y, m, c, k, o)
    }
}

/// A photo item as placed: its box from the item and the pixels the picture fills inside it
/// (scaled to fit, centred, aspect kept; the rest of the box stays white).
public struct PlacedPhoto: Hashable, Sendable {
    public var itemName: String
    /// The box of the item, in dots.
    public var box: DotRect
    /// The pixels the picture covers (integer edges).
    public var picture: DotRect
    /// The decoded photo's own size.
    public var sourceWidth: Int
    public var sourceHeight: Int
}
