/// A holder's name as the card stores it: 姓名 (tag 09, 30 bytes GB18030) and, for a name too
/// long for it, the rest in 姓名扩展 (tag 4E, 20 bytes). Reading joins the two
/// (人社信息函〔2016〕38号, iReadCardBas).
/// Splits fall between characters (grapheme clusters), never inside a GB18030 sequence.
public struct NameSplit: Hashable, Sendable {
    /// What goes into 姓名: the longest leading run of characters that fits 30 bytes.
    public let name: String
    /// What goes into 姓名扩展; empty for names of up to 30 bytes.
    public let nameExtension: String

    /// Splits `fullName`. An empty name, or one longer than 30 + 20 bytes → −42; a character
    /// GB18030 cannot carry, a private-use code point (U+E000–U+F8FF, planes 15 and 16), a
    /// control or format character, or `|`/`$` → −41.
    public init(fullName: String) throws(InterfaceError) {
        guard !fullName.isEmpty else {
            throw InterfaceError(.dataLength, detail: "姓名为空", englishDetail: "the name is empty")
        }
        try NameSplit.validate(fullName, element: "姓名")
        let nameCapacity = CardElement.name.length
        let extensionCapacity = CardElement.nameExtension.length
        var name = "", rest = ""
        var used = 0
        var full = false
        // Most names fit 姓名 whole: one conversion, no walk.
        if let size = GB18030.encode(fullName)?.count, size <= nameCapacity {
            self.name = fullName
            nameExtension = ""
            return
        }
        for character in fullName {
            let size = GB18030.encode(String(character))?.count ?? 0
            if !full && used + size <= nameCapacity {
                name.append(character)
                used += size
            } else {
                full = true
                rest.append(character)
            }
        }
        let restSize = GB18030.encode(rest)?.count ?? 0
        guard restSize <= extensionCapacity else {
            let total = used + restSize
            throw InterfaceError(.dataLength,
                                 detail: "姓名 \(InterfaceFields.quoted(fullName)) 占\(total)字节，超过姓名与姓名扩展合计\(nameCapacity + extensionCapacity)字节",
                                 englishDetail: "name \(InterfaceFields.quoted(fullName)) takes \(total) bytes, more than the \(nameCapacity + extensionCapacity) of 姓名 and 姓名扩展")
        }
        self.name = name
        nameExtension = rest
    }

    /// 姓名 + 姓名扩展.
    public var fullName: String { name + nameExtension }

    /// Refuses what may not stand in a name on the card (−41); `element` names the item in the
    /// message. Length is checked by the caller.
    static func validate(_ text: String, element: String) throws(InterfaceError) {
        for scalar in text.unicodeScalars {
            if let reason = refusal(of: scalar) {
                throw InterfaceError(.illegalCharacters,
                                     detail: "\(element) \(InterfaceFields.quoted(text)) 含\(reason.chinese) U+\(String(scalar.value, radix: 16, uppercase: true))",
                                     englishDetail: "\(element) \(InterfaceFields.quoted(text)) holds \(reason.english) U+\(String(scalar.value, radix: 16, uppercase: true))")
            }
        }
        guard GB18030.encode(text) != nil else {
            throw InterfaceError(.illegalCharacters,
                                 detail: "\(element) \(InterfaceFields.quoted(text)) 无法以GB18030编码",
                                 englishDetail: "\(element) \(InterfaceFields.quoted(text)) cannot be encoded in GB18030")
        }
    }

    /// Why `scalar` may not stand in a name, nil when it may. Private-use code points would
    /// print with whatever glyph a fallback font put there (measured in BabelStone Han and HanaMinA).
    package static func refusal(of scalar: Unicode.Scalar) -> (chinese: String, english: String)? {
        if scalar == "|" || scalar == "$" { return ("分隔符", "the separator") }
        switch scalar.properties.generalCategory {
        case .privateUse: return ("私用区字符", "the private-use code point")
        case .control: return ("控制字符", "the control character")
        case .format, .lineSeparator, .paragraphSeparator: return ("格式字符", "the format character")
        case .unassigned: return ("未分配的码位", "the unassigned code point")
        case .surrogate: return ("代理码位", "the surrogate")
        default: return nil
        }
    }
}
