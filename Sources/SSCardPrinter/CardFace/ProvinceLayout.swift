import Foundation
import SSCardDriver

/// The data printed on one holder's card face.
public struct CardFaceHolder: Hashable, Sendable {
    /// 姓名, as typed by the clerk (rare characters as real characters, not `[PINYIN]`).
    public var name: String
    /// 社会保障号码: 18 characters, or e.g. `HKG012345678` for a Hong Kong pass holder.
    public var socialSecurityNumber: String
    /// 卡号: 9 alphanumerics.
    public var cardNumber: String
    /// 发卡日期 as on the card: `YYYYMMDD`.
    public var issueDate: String
    /// The photo, JPEG bytes; nil for a child under 7 (the photo box stays blank).
    public var photoJPEG: Data?

    public init(name: String, socialSecurityNumber: String, cardNumber: String, issueDate: String, photoJPEG: Data?) {
        self.name = name
        self.socialSecurityNumber = socialSecurityNumber
        self.cardNumber = cardNumber
        self.issueDate = issueDate
        self.photoJPEG = photoJPEG
    }
}

/// A card-face layout of the iPrint kind: four labelled text lines and a photo box, in the
/// unit of the items (`PrintUnits`, dot300 by default).
public struct ProvinceLayout: Hashable, Sendable {
    /// One labelled line: `label` + two spaces + the value.
    public struct TextLine: Hashable, Sendable {
        public var label: String
        public var sizePoints: Double
        public var left: Double
        public var top: Double

        public init(label: String, sizePoints: Double, left: Double, top: Double) {
            self.label = label
            self.sizePoints = sizePoints
            self.left = left
            self.top = top
        }
    }

    public struct PhotoBox: Hashable, Sendable {
        public var left: Double
        public var top: Double
        public var width: Double
        public var height: Double

        public init(left: Double, top: Double, width: Double, height: Double) {
            self.left = left
            self.top = top
            self.width = width
            self.height = height
        }
    }

    public var name: TextLine
    public var socialSecurityNumber: TextLine
    public var cardNumber: TextLine
    public var issueDate: TextLine
    public var photo: PhotoBox
    /// The font named in items: 宋体, and 宋体-18030 for a name with a rare character.
    public var fontName = "宋体"
    public var rareCharacterFontName = "宋体-18030"

    public init(name: TextLine, socialSecurityNumber: TextLine, cardNumber: TextLine, issueDate: TextLine, photo: PhotoBox) {
        self.name = name
        self.socialSecurityNumber = socialSecurityNumber
        self.cardNumber = cardNumber
        self.issueDate = issueDate
        self.photo = photo
    }

    /// The province-wide 3.0 layout (《广东省社会保障卡经办规程》附件9), in 300-dpi dots: 宋体 8.5
    /// pt at left 320, tops 180/230/280/330; photo 234 × 300 at (46, 127).
    public static let reference = ProvinceLayout(
        name: TextLine(label: "姓名", sizePoints: 8.5, left: 320, top: 180),
        socialSecurityNumber: TextLine(label: "社会保障号码", sizePoints: 8.5, left: 320, top: 230),
        cardNumber: TextLine(label: "卡号", sizePoints: 8.5, left: 320, top: 280),
        issueDate: TextLine(label: "发卡日期", sizePoints: 8.5, left: 320, top: 330),
        photo: PhotoBox(left: 46, top: 127, width: 234, height: 300))

    /// The typed job for `holder`, what `printItems(for:)` gives parsed with `units` (the
    /// driver configuration's `printUnits`) and its photo decoded: sData1 name, sData2 SSN,
    /// sData3 card number, sData4 issue date (`XXXX年XX月XX日`), sPhoto1 the photo (none
    /// without one). The name's font is 宋体-18030 when the name holds a rare character.
    ///
    /// Refused (−14) as `printItems(for:)` and the iPrint parser refuse the items: a value
    /// holding `|`, an issue date that is not `YYYYMMDD`, a size or box out of range, and a
    /// photo that does not decode. Characters and boxes are checked when rendering.
    public func job(for holder: CardFaceHolder, units: PrintUnits = .dot300, exit: CardExit = .good) throws(InterfaceError) -> CardFaceJob {
        var texts: [PrintTextItem] = []
        for (index, line) in try lines(for: holder).enumerated() {
            let name = "sData\(index + 1)"
            let (size, left, top) = (line.layout.sizePoints, line.layout.left, line.layout.top)
            try PrintItems.checkText(name, size: size, left: left, top: top, sizeText: Self.number(size), units: units)
            texts.append(PrintTextItem(itemName: name, text: line.text, fontName: line.font, sizePoints: size,
                                       left: units.dots(left), top: units.dots(top)))
        }
        try PrintItems.checkPhoto("sPhoto1", left: photo.left, top: photo.top, width: photo.width, height: photo.height,
                                  sizeText: (Self.number(photo.width), Self.number(photo.height)), units: units)
        var photos: [CardFacePhoto] = []
        if let jpeg = holder.photoJPEG {
            let picture: RGBImage
            do throws(PhotoError) {
                picture = try PhotoDecoder.decode(jpeg: [UInt8](jpeg))
            } catch {
                throw CardFaceError.photo(item: "sPhoto1", error).interfaceError
            }
            photos.append(CardFacePhoto(itemName: "sPhoto1", picture: picture, left: units.dots(photo.left), top: units.dots(photo.top),
                                        width: units.dots(photo.width), height: units.dots(photo.height)))
        }
        return CardFaceJob(texts: texts, photos: photos, exit: exit)
    }

    /// The eight iPrint items for `holder`, for callers of the C form: sData1 name, sData2
    /// SSN, sData3 card number, sData4 issue date (`XXXX年XX月XX日`), sData5–6 empty, sPhoto1
    /// the photo as base64 (empty data without one), sPhoto2 empty. The name item's font is
    /// 宋体-18030 when the name holds a rare character — one GB18030 encodes in four bytes
    /// (outside the two-byte GBK area: CJK Ext A–I and the like) — as the card-management
    /// system does. The station prints with `job(for:units:exit:)` instead.
    ///
    /// Refused (−14): a value holding `|` (the item separator), an issue date that is not
    /// `YYYYMMDD`. Characters are checked when rendering.
    public func printItems(for holder: CardFaceHolder) throws(InterfaceError) -> [String] {
        let items = try lines(for: holder).map { line in
            "\(line.text)|\(line.font)|\(Self.number(line.layout.sizePoints))|\(Self.number(line.layout.left))|\(Self.number(line.layout.top))"
        }
        let base64 = holder.photoJPEG?.base64EncodedString() ?? ""
        let photoItem = "\(base64)|\(Self.number(photo.left))|\(Self.number(photo.top))|\(Self.number(photo.width))|\(Self.number(photo.height))"
        return items + ["", "", photoItem, ""]
    }

    /// The four text lines of `holder`: each line of the layout with its text and font.
    private func lines(for holder: CardFaceHolder) throws(InterfaceError) -> [(layout: TextLine, text: String, font: String)] {
        for (field, value) in [("姓名", holder.name), ("社会保障号码", holder.socialSecurityNumber),
                               ("卡号", holder.cardNumber)] where value.contains("|") {
            throw .badParameter("\(field)含分隔符“|”", "\(field) holds the separator |")
        }
        let d = Array(holder.issueDate.utf8)
        guard d.count == 8, d.allSatisfy({ (0x30...0x39).contains($0) }),
              let month = Int(String(decoding: d[4..<6], as: UTF8.self)), (1...12).contains(month),
              let day = Int(String(decoding: d[6..<8], as: UTF8.self)), (1...31).contains(day) else {
            throw .badParameter("发卡日期“\(holder.issueDate)”不是YYYYMMDD", "issue date \"\(holder.issueDate)\" is not YYYYMMDD")
        }
        let date = "\(String(decoding: d[0..<4], as: UTF8.self))年\(String(decoding: d[4..<6], as: UTF8.self))月\(String(decoding: d[6..<8], as: UTF8.self))日"
        let nameFont = Self.holdsRareCharacter(holder.name) ? rareCharacterFontName : fontName
        return [
            (name, "\(name.label)  \(holder.name)", nameFont),
            (socialSecurityNumber, "\(socialSecurityNumber.label)  \(holder.socialSecurityNumber)", fontName),
            (cardNumber, "\(cardNumber.label)  \(holder.cardNumber)", fontName),
            (issueDate, "\(issueDate.label)  \(date)", fontName),
        ]
    }

    /// True when some character of `name` takes four bytes in GB18030 (or none at all).
    public static func holdsRareCharacter(_ name: String) -> Bool {
        name.unicodeScalars.contains { scalar in
            guard scalar.value >= 0x80 else { return false }
            return (GB18030.encode(String(Character(scalar)))?.count ?? 4) >= 4
        }
    }

    /// 8.5 → "8.5", 320 → "320".
    private static func number(_ value: Double) -> String {
        Int(exactly: value).map(String.init) ?? String(value)
    }
}
