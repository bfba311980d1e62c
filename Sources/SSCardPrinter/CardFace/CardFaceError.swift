import SSCardDriver
/// Why a card face cannot be rendered. Every one of these is found before anything moves or
/// prints, so the card stays where it is and the caller can correct the items and call again.
///
/// Each case has a Chinese and an English message naming the item and, for characters, the
/// code point and the character ("U+2EBF0 𮯰"); `interfaceError` gives the national code
/// (−41 characters, −14 items and geometry, −5 fonts).
public enum CardFaceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No font of the chain has a glyph for `scalar` (e.g. CJK Ext I): printing it would
    /// leave a blank or a .notdef box on an identity document.
    case missingGlyph(item: String, text: String, scalar: Unicode.Scalar)
    /// A private-use code point: fallback fonts carry their own glyphs there, so it would
    /// print some other character (measured: BabelStone Han and HanaMinA have such glyphs).
    case privateUse(item: String, text: String, scalar: Unicode.Scalar)
    /// A `[PINYIN]` placeholder for a rare character (e.g. `张[CHUI]`,
    /// 《广东省社会保障卡经办规程》第三十四条): the clerk must type the real character before
    /// printing.
    case unresolvedPlaceholder(item: String, text: String, placeholder: String)
    /// A character that may not stand in printed text: control, format, unassigned, surrogate
    /// (the refusals of `NameSplit`).
    case illegalCharacter(item: String, text: String, scalar: Unicode.Scalar, reasonChinese: String, reasonEnglish: String)
    /// The photo cannot be used (`PhotoError` says why).
    case photo(item: String, PhotoError)
    /// The item's box does not lie within the card.
    case outsideCard(item: String, box: DotRect)
    /// A text item's size or position that cannot be drawn (not finite, a size outside 1–72
    /// points, an origin off the card): what is wrong, in Chinese and in English.
    case badGeometry(item: String, reasonChinese: String, reasonEnglish: String)
    /// The item's box covers the chip's contact plate.
    case overlapsChip(item: String, box: DotRect)
    /// A font of the chain cannot be opened (missing file, not a font, no Unicode cmap).
    /// `reason` is FreeType's text; `freeTypeError` its `FT_Error` code (e.g. 0x01
    /// `FT_Err_Cannot_Open_Resource`), nil when FreeType gave none.
    case fontUnavailable(path: String, faceIndex: Int, reason: String, freeTypeError: Int32? = nil)
    /// The font chain names no font (`fontChain` empty in the configuration).
    case emptyFontChain

    /// U+XXXX and the character, e.g. "U+2EBF0 𮯰".
    static func named(_ scalar: Unicode.Scalar) -> String {
        let hex = String(scalar.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        // Control and format characters are not shown raw.
        switch scalar.properties.generalCategory {
        case .control, .format, .surrogate, .unassigned, .lineSeparator, .paragraphSeparator: return code
        default: return "\(code) \(Character(scalar))"
        }
    }

    public var chineseMessage: String {
        switch self {
        case .missingGlyph(let item, let text, let s):
            return "\(item)“\(text)”中的字符 \(Self.named(s)) 在字库中没有字形，不能打印"
        case .privateUse(let item, let text, let s):
            return "\(item)“\(text)”含私用区字符 \(Self.named(s))，不能打印"
        case .unresolvedPlaceholder(let item, let text, let p):
            return "\(item)“\(text)”含生僻字拼音占位符 \(p)，请录入实际汉字"
        case .illegalCharacter(let item, let text, let s, let reason, _):
            return "\(item)“\(text)”含\(reason) \(Self.named(s))，不能打印"
        case .photo(let item, let error):
            return "\(item) 照片无效：\(error.chineseMessage)"
        case .outsideCard(let item, let box):
            return "\(item) 的区域 \(box.millimetreText) 超出卡面"
        case .overlapsChip(let item, let box):
            return "\(item) 的区域 \(box.millimetreText) 与芯片触点重叠"
        case .badGeometry(let item, let reason, _):
            return "\(item) \(reason)"
        case .fontUnavailable(let path, let index, let reason, _):
            return "字体 \(path)（第\(index)个字面）无法打开：\(reason)"
        case .emptyFontChain:
            return "字体链（fontChain）为空，没有可用的字体"
        }
    }

    public var englishMessage: String {
        switch self {
        case .missingGlyph(let item, let text, let s):
            return "\(item) \"\(text)\": no font of the chain has a glyph for \(Self.named(s)); it cannot be printed"
        case .privateUse(let item, let text, let s):
            return "\(item) \"\(text)\" holds the private-use code point \(Self.named(s)); it cannot be printed"
        case .unresolvedPlaceholder(let item, let text, let p):
            return "\(item) \"\(text)\" holds the rare-character placeholder \(p); type the real character"
        case .illegalCharacter(let item, let text, let s, _, let reason):
            return "\(item) \"\(text)\" holds \(reason) \(Self.named(s)); it cannot be printed"
        case .photo(let item, let error):
            return "\(item): the photo cannot be used: \(error.englishMessage)"
        case .outsideCard(let item, let box):
            return "\(item): its box \(box.millimetreText) falls outside the card"
        case .overlapsChip(let item, let box):
            return "\(item): its box \(box.millimetreText) covers the chip contacts"
        case .badGeometry(let item, _, let reason):
            return "\(item): \(reason)"
        case .fontUnavailable(let path, let index, let reason, _):
            return "the font \(path) (face \(index)) cannot be opened: \(reason)"
        case .emptyFontChain:
            return "the font chain (fontChain) is empty: there is no font to print with"
        }
    }

    /// "中文 / English".
    public var description: String { "\(chineseMessage) / \(englishMessage)" }

    /// The national interface's code: −41 (运算数据含非法字符) for characters, −14 (命令参数错)
    /// for photos and boxes, −5 (加载动态库错) for a font that cannot be opened.
    public var interfaceCode: InterfaceCode {
        switch self {
        case .missingGlyph, .privateUse, .unresolvedPlaceholder, .illegalCharacter: return .illegalCharacters
        case .photo, .outsideCard, .overlapsChip, .badGeometry: return .badParameter
        case .fontUnavailable, .emptyFontChain: return .libraryLoadError
        }
    }

    /// The interface error carrying this message.
    public var interfaceError: InterfaceError {
        InterfaceError(interfaceCode, detail: chineseMessage, englishDetail: englishMessage, underlying: self)
    }
}
