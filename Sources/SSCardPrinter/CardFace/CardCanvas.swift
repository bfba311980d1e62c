import SSCardDriver
/// The print canvas of one card side and where the card and its chip lie on it (ID-1 card per
/// ISO/IEC 7810, the Evolis 1016 × 648-dot panel at 300 dpi, the contact plate per ISO/IEC 7816-2).
///
/// The canvas is the printer's panel: 1016 × 648 dots at 300 dpi, row-major, origin at the
/// top-left, as the layout's left/top read it. The card (ID-1, 85.60 × 53.98 mm = 1011.0 ×
/// 637.6 dots) lies with its top-left corner at the canvas origin ([design]: the printer
/// centres within its 0.4 mm of bleed; a fraction of a millimetre does not change any check).
public enum CardCanvas {
    /// Panel width in dots (Evolis panels are always 1016 × 648).
    public static let width = 1016
    /// Panel height in dots.
    public static let height = 648
    public static let dotsPerInch = 300
    /// Bytes of one 1-bit panel (K, O): 1016 × 648 / 8 = 82,296, rows of 127 bytes.
    public static let monochromePanelBytes = width * height / 8
    /// Bytes of one row of a 1-bit panel.
    public static let monochromeRowBytes = width / 8

    /// ID-1 card size (ISO/IEC 7810), in millimetres.
    public static let cardWidthMillimetres = 85.60
    public static let cardHeightMillimetres = 53.98

    /// The card in canvas dots: (0, 0) – (1011.0, 637.6).
    public static let card = DotRect(left: 0, top: 0,
                                     right: dots(millimetres: cardWidthMillimetres),
                                     bottom: dots(millimetres: cardHeightMillimetres))

    /// Where the baseline lies below the top of a text item's em box, in em: the ideographic
    /// em box of Noto Serif CJK (880 above the baseline, 120 below, per 1000 units).
    public static let baselineInEm = 0.88

    /// `millimetres` as 300-dpi dots.
    public static func dots(millimetres: Double) -> Double { millimetres / 25.4 * Double(dotsPerInch) }

    /// `dots` as millimetres.
    public static func millimetres(dots: Double) -> Double { dots / Double(dotsPerInch) * 25.4 }
}

/// The chip's contact plate (芯片触点) on the printed side, which must stay free of print and
/// of overlay varnish.
///
/// ISO/IEC 7816-2 places the contact areas C1–C8 10.25–19.87 mm from the left edge and
/// 19.23–28.55 mm from the top edge of the card, seen from the contact side with the card
/// upright. The province layout (photo 3.9–23.7 mm × 10.8–36.2 mm from the canvas's
/// top-left, 《广东省社会保障卡经办规程》附件9 read in 300-dpi dots) covers exactly that spot, so
/// the canvas is printed turned 180° against the ISO view, as printers are commonly driven: on the
/// canvas the contacts lie at
/// x = 85.60 − 19.87 … 85.60 − 10.25 = 65.73 … 75.35 mm and
/// y = 53.98 − 28.55 … 53.98 − 19.23 = 25.43 … 34.75 mm (776.3–889.9 × 300.4–410.4 dots).
///
/// The ISO numbers bound the contact areas only; the metal module around them is larger
/// (about 11.4 × 12.6 mm for 8 contacts), so the kept-clear plate adds `margin` (1.5 mm by
/// default) on each side: 64.23–76.85 × 23.93–36.25 mm.
public struct ChipPlate: Hashable, Sendable {
    /// The ISO 7816-2 contact area on the canvas, in millimetres from the canvas's top-left.
    public var contactArea: (left: Double, top: Double, right: Double, bottom: Double) {
        (CardCanvas.cardWidthMillimetres - 19.87, CardCanvas.cardHeightMillimetres - 28.55,
         CardCanvas.cardWidthMillimetres - 10.25, CardCanvas.cardHeightMillimetres - 19.23)
    }
    /// Added around the contact area on every side, in millimetres.
    public var margin: Double

    public init(margin: Double = 1.5) {
        precondition(margin >= 0, "a chip plate margin cannot be negative")
        self.margin = margin
    }

    /// The default plate: ISO contact area + 1.5 mm.
    public static let standard = ChipPlate()

    /// The plate in canvas dots (contact area + margin).
    public var rect: DotRect {
        let a = contactArea
        return DotRect(left: CardCanvas.dots(millimetres: a.left - margin), top: CardCanvas.dots(millimetres: a.top - margin),
                       right: CardCanvas.dots(millimetres: a.right + margin), bottom: CardCanvas.dots(millimetres: a.bottom + margin))
    }
}

/// A rectangle in canvas dots; `right` and `bottom` are exclusive edges.
public struct DotRect: Hashable, Sendable, CustomStringConvertible {
    public var left: Double
    public var top: Double
    public var right: Double
    public var bottom: Double

    public init(left: Double, top: Double, right: Double, bottom: Double) {
        self.left = left
        self.top = top
        self.right = right
        self.bottom = bottom
    }

    public var width: Double { right - left }
    public var height: Double { bottom - top }
    public var isEmpty: Bool { right <= left || bottom <= top }

    public func intersects(_ other: DotRect) -> Bool {
        !isEmpty && !other.isEmpty && left < other.right && other.left < right && top < other.bottom && other.top < bottom
    }

    public func contains(_ other: DotRect) -> Bool {
        other.left >= left && other.right <= right && other.top >= top && other.bottom <= bottom
    }

    /// The smallest rectangle holding both (an empty one is ignored).
    public func union(_ other: DotRect) -> DotRect {
        if isEmpty { return other }
        if other.isEmpty { return self }
        return DotRect(left: min(left, other.left), top: min(top, other.top),
                       right: max(right, other.right), bottom: max(bottom, other.bottom))
    }

    /// The same rectangle in millimetres, for messages: "27.1–62.0 × 15.2–18.2 mm".
    public var millimetreText: String {
        func mm(_ d: Double) -> String {
            let v = (CardCanvas.millimetres(dots: d) * 10).rounded() / 10
            return String(v)
        }
        return "\(mm(left))–\(mm(right)) × \(mm(top))–\(mm(bottom)) mm"
    }

    public var description: String { "(\(left), \(top))–(\(right), \(bottom)) dots" }
}
