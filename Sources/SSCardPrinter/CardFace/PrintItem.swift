import Foundation
import SSCardDriver

/// The unit of left/top/width/height in iPrint items. No document states it (not even
/// 《广东省社会保障卡经办规程》附件9, which defines iPrint); 300-dpi dots fits every other
/// province layout found, so it is the default, and the driver configuration's `printUnits`
/// chooses another ([design]).
public enum PrintUnits: String, Hashable, Sendable, CaseIterable {
    /// Printer dots at 300 dpi, the panel's own unit (1 dot = 0.0847 mm).
    case dot300
    /// Tenths of a millimetre.
    case tenthMillimetre = "0.1mm"
    /// Millimetres.
    case millimetre = "mm"

    /// The setting of the driver configuration.
    public init(_ setting: DriverConfiguration.PrintUnitSetting) {
        switch setting {
        case .dot300: self = .dot300
        case .tenthMillimetre: self = .tenthMillimetre
        case .millimetre: self = .millimetre
        }
    }

    /// `value` in this unit as 300-dpi dots (not rounded).
    public func dots(_ value: Double) -> Double {
        switch self {
        case .dot300: return value
        case .tenthMillimetre: return value / 254 * 300
        case .millimetre: return value / 25.4 * 300
        }
    }

    /// `dots` (300 dpi) in this unit.
    public func value(dots: Double) -> Double {
        switch self {
        case .dot300: return dots
        case .tenthMillimetre: return dots / 300 * 254
        case .millimetre: return dots / 300 * 25.4
        }
    }

    /// The card's width and height in this unit, to two decimals, for messages: "1011.02 × 637.56 dot300".
    var cardSizeText: String {
        func text(_ dots: Double) -> String { String((value(dots: dots) * 100).rounded() / 100) }
        return "\(text(CardCanvas.card.right)) × \(text(CardCanvas.card.bottom)) \(rawValue)"
    }
}

/// One text item of iPrint, `data|font|size|left|top` (sData1–sData6), with its geometry in
/// 300-dpi dots.
///
/// **Origin**: (`left`, `top`) is the top-left corner of the em box of the first character —
/// the square of side `size` points in which a CJK ideograph is designed. The baseline lies
/// `CardCanvas.baselineInEm` (0.88) em below `top`, the ideographic em box of Noto Serif CJK
/// (typo ascender 880, descender −120 per 1000 units), shared by every face of the chain.
public struct PrintTextItem: Hashable, Sendable {
    /// "sData1" … "sData6", for messages.
    public var itemName: String
    /// What to print, e.g. "姓名  张三".
    public var text: String
    /// The font the caller asked for (宋体, 宋体-18030, …). Every name draws with the font
    /// chain (`FontChain`); it is kept for logs.
    public var fontName: String
    /// Point size; at 300 dpi one em is `size × 300 / 72` dots (8.5 pt = 35.42 dots).
    public var sizePoints: Double
    /// Left edge of the first em box, in dots.
    public var left: Double
    /// Top of the em boxes, in dots.
    public var top: Double

    public init(itemName: String, text: String, fontName: String, sizePoints: Double, left: Double, top: Double) {
        self.itemName = itemName
        self.text = text
        self.fontName = fontName
        self.sizePoints = sizePoints
        self.left = left
        self.top = top
    }

    /// The em size in dots.
    public var emDots: Double { sizePoints * Double(CardCanvas.dotsPerInch) / 72 }
}

/// One photo item of iPrint, `base64|left|top|width|height` (sPhoto1, sPhoto2), with its box
/// in 300-dpi dots. The photo is not decoded here (`PhotoDecoder` does that).
public struct PrintPhotoItem: Hashable, Sendable {
    /// "sPhoto1" or "sPhoto2", for messages.
    public var itemName: String
    /// The JPEG, base64 as the caller sent it.
    public var base64: String
    public var left: Double
    public var top: Double
    public var width: Double
    public var height: Double

    public init(itemName: String, base64: String, left: Double, top: Double, width: Double, height: Double) {
        self.itemName = itemName
        self.base64 = base64
        self.left = left
        self.top = top
        self.width = width
        self.height = height
    }
}

/// The eight items of iPrint (sData1–6, sPhoto1–2) parsed (《广东省社会保障卡经办规程》附件9). An
/// empty item, or an item whose data field is empty, is not printed (a child under 7 gets
/// `|46|127|234|300`: the photo box stays blank). A malformed item is −14 (命令参数错) naming it.
///
/// Checked here, in the item's unit: 5 fields separated by `|`; numbers finite; size 1–72 pt;
/// left/top on the card (0 to its width and height: 1011.02 × 637.56 dots, 85.6 × 53.98 mm);
/// width/height above 0 and at most the card's. Checked when rendering: characters
/// (`GlyphCoverage`), the photo (`PhotoDecoder`), the whole boxes against the card and the chip
/// (`CardFaceRenderer`).
public struct PrintItems: Hashable, Sendable {
    /// The text items that print, in item order.
    public var texts: [PrintTextItem]
    /// The photo items that print, in item order.
    public var photos: [PrintPhotoItem]

    /// Parses the eight items, geometry in `units`.
    public init(_ items: [String], units: PrintUnits = .dot300) throws(InterfaceError) {
        guard items.count == 8 else {
            throw .badParameter("iPrint 需要8项，实为\(items.count)项", "iPrint takes 8 items, got \(items.count)")
        }
        texts = []
        photos = []
        for (index, item) in items.enumerated() where !item.isEmpty {
            let isPhoto = index >= 6
            let name = isPhoto ? "sPhoto\(index - 5)" : "sData\(index + 1)"
            let fields = Self.fields(of: item)
            guard fields.count == 5 else {
                throw .badParameter("\(name) 应有5个以“|”分隔的字段，实为\(fields.count)个",
                                    "\(name) must have 5 fields separated by |, it has \(fields.count)")
            }
            var numbers: [Double] = []
            for field in fields[(isPhoto ? 1 : 2)...] {
                let trimmed = field.trimmingCharacters(in: .whitespaces)
                guard let value = Double(trimmed), value.isFinite else {
                    throw .badParameter("\(name) 的数值字段“\(field)”无效", "\(name): \"\(field)\" is not a number")
                }
                numbers.append(value)
            }
            if isPhoto {
                let (left, top, width, height) = (numbers[0], numbers[1], numbers[2], numbers[3])
                try Self.checkPhoto(name, left: left, top: top, width: width, height: height, sizeText: (fields[3], fields[4]),
                                    units: units)
                guard !fields[0].isEmpty else { continue }
                photos.append(PrintPhotoItem(itemName: name, base64: fields[0], left: units.dots(left), top: units.dots(top),
                                             width: units.dots(width), height: units.dots(height)))
            } else {
                let (size, left, top) = (numbers[0], numbers[1], numbers[2])
                try Self.checkText(name, size: size, left: left, top: top, sizeText: fields[2], units: units)
                guard !fields[0].isEmpty else { continue }
                texts.append(PrintTextItem(itemName: name, text: fields[0], fontName: fields[1], sizePoints: size,
                                           left: units.dots(left), top: units.dots(top)))
            }
        }
    }

    /// The `|`-separated fields of an item. An all-ASCII item (a photo's base64, 40 KB) is cut
    /// on its bytes: in ASCII `|` is always a character of its own, so the fields are those
    /// of the character split, found without walking 40,000 grapheme clusters.
    static func fields(of item: String) -> [String] {
        var item = item
        let ascii = item.withUTF8 { bytes -> [String]? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else { return nil }
            return bytes.split(separator: 0x7C, omittingEmptySubsequences: false).map { String(decoding: UnsafeBufferPointer(rebasing: $0), as: UTF8.self) }
        }
        return ascii ?? item.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
    }

    public init(texts: [PrintTextItem], photos: [PrintPhotoItem]) {
        self.texts = texts
        self.photos = photos
    }

    /// True when nothing prints: iPrint then only ejects.
    public var isEmpty: Bool { texts.isEmpty && photos.isEmpty }

    /// A text item's numbers as written in the item's unit (−14 naming the item): size 1–72
    /// points, left/top on the card. `sizeText` is the size as the caller wrote it, for the message.
    static func checkText(_ name: String, size: Double, left: Double, top: Double, sizeText: String,
                          units: PrintUnits) throws(InterfaceError) {
        guard (1...72).contains(size) else {
            throw .badParameter("\(name) 的字号\(sizeText)不在1至72磅之间", "\(name): size \(sizeText) is not 1–72 points")
        }
        try checkPosition(name, left, top, units)
    }

    /// A photo item's box as written in the item's unit (−14 naming the item): left/top on the
    /// card, width/height above 0 and at most the card's. `sizeText` is the width and height as
    /// the caller wrote them.
    static func checkPhoto(_ name: String, left: Double, top: Double, width: Double, height: Double,
                           sizeText: (String, String), units: PrintUnits) throws(InterfaceError) {
        try checkPosition(name, left, top, units)
        guard width > 0, height > 0 else {
            throw .badParameter("\(name) 的宽高须大于0（\(sizeText.0)×\(sizeText.1)）",
                                "\(name): width and height must be above 0 (\(sizeText.0)×\(sizeText.1))")
        }
        guard units.dots(width) <= CardCanvas.card.width, units.dots(height) <= CardCanvas.card.height else {
            throw .badParameter("\(name) 的宽高（\(sizeText.0)×\(sizeText.1)）大于卡面（\(units.cardSizeText)）",
                                "\(name): width and height (\(sizeText.0)×\(sizeText.1)) exceed the card (\(units.cardSizeText))")
        }
    }

    private static func checkPosition(_ name: String, _ left: Double, _ top: Double, _ units: PrintUnits) throws(InterfaceError) {
        guard left >= 0, top >= 0 else {
            throw .badParameter("\(name) 的位置不能为负（\(left), \(top)）", "\(name): the position cannot be negative (\(left), \(top))")
        }
        guard units.dots(left) <= CardCanvas.card.right, units.dots(top) <= CardCanvas.card.bottom else {
            throw .badParameter("\(name) 的位置（\(left), \(top)）不在卡面上（\(units.cardSizeText)）",
                                "\(name): the position (\(left), \(top)) is not on the card (\(units.cardSizeText))")
        }
    }
}
