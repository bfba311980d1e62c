import SSCardDriver
/// Whether a text item can be printed exactly as typed: checked for every item before
/// anything is drawn, moved or printed. Refused, each with a message naming the item and the
/// character as "U+XXXX 字":
/// 1. an unresolved rare-character placeholder: `[` + Latin letters + `]` (also with
///    full-width brackets), e.g. `张[CHUI]` (《广东省社会保障卡经办规程》第三十四条);
/// 2. a private-use code point (U+E000–F8FF, planes 15–16): fallback fonts carry their own
///    glyphs there (BabelStone Han has 1,266 in GB18030's user-defined area);
/// 3. a control, format, surrogate or line/paragraph-separator character (`NameSplit`'s rules);
/// 4. a character no face of the chain has a glyph for (CJK Ext I, much of Ext G/H …);
/// 5. an unassigned code point that some face nevertheless maps.
/// A variation selector (U+FE00–FE0F, U+E0100–E01EF) after a character is not looked up on
/// its own: it picks the character's variant glyph when the face has one.
public enum GlyphCoverage {
    public static func check(_ item: PrintTextItem, chain: FontChain) throws(CardFaceError) {
        if let placeholder = placeholder(in: item.text) {
            throw .unresolvedPlaceholder(item: item.itemName, text: item.text, placeholder: placeholder)
        }
        for scalar in item.text.unicodeScalars {
            if FontChain.isVariationSelector(scalar) { continue }
            let category = scalar.properties.generalCategory
            if category == .privateUse {
                throw .privateUse(item: item.itemName, text: item.text, scalar: scalar)
            }
            if category != .unassigned, scalar != "$", let reason = NameSplit.refusal(of: scalar) {
                throw .illegalCharacter(item: item.itemName, text: item.text, scalar: scalar,
                                        reasonChinese: reason.chinese, reasonEnglish: reason.english)
            }
            guard chain.faceIndex(for: scalar) != nil else {
                throw .missingGlyph(item: item.itemName, text: item.text, scalar: scalar)
            }
            if category == .unassigned, let reason = NameSplit.refusal(of: scalar) {
                throw .illegalCharacter(item: item.itemName, text: item.text, scalar: scalar,
                                        reasonChinese: reason.chinese, reasonEnglish: reason.english)
            }
        }
    }

    /// The first `[PINYIN]` placeholder in `text` (ASCII or full-width brackets around Latin
    /// letters, ü/v included), nil when there is none.
    public static func placeholder(in text: String) -> String? {
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            let open = characters[index]
            index += 1
            guard open == "[" || open == "［" else { continue }
            var end = index
            while end < characters.count, isPinyinLetter(characters[end]) { end += 1 }
            guard end > index, end < characters.count, characters[end] == "]" || characters[end] == "］" else { continue }
            return String(characters[(index - 1)...end])
        }
        return nil
    }

    private static func isPinyinLetter(_ c: Character) -> Bool {
        guard let scalar = c.unicodeScalars.first, c.unicodeScalars.count == 1 else { return false }
        switch scalar.value {
        case 0x41...0x5A, 0x61...0x7A, 0xFF21...0xFF3A, 0xFF41...0xFF5A, 0xDC, 0xFC: return true
        default: return false
        }
    }
}
