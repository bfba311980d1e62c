import SSCardDriver
import SSCardPrinter

/// 姓名 as the card-management system holds it, with its rare-character placeholders.
///
/// A character outside GB 18030 (生僻字) is written as its pinyin in half-width upper case
/// between half-width brackets, `张[CHUI]` for 张䄲; a name with several rare characters has
/// one bracket group each (《广东省社会保障卡经办规程》第三十四条一（二）, 二). At the desk the
/// clerk types the real characters (`resolved(with:fonts:)`), and only a resolved name goes on the
/// card.
public struct ApplicantName: Hashable, Sendable {
    /// A run of the name: ordinary text, or one rare character's placeholder.
    public enum Part: Hashable, Sendable {
        case text(String)
        /// The pinyin between the brackets, e.g. "CHUI".
        case placeholder(String)
    }

    /// The name as the system sent it.
    public let text: String
    public let parts: [Part]

    /// Splits `text` into text and placeholders. Refused (every problem found, not the first):
    /// an empty name, white space at either end, a private-use code point, an unbalanced or
    /// nested bracket, an empty group, lower-case or other non-A–Z text inside a group,
    /// full-width brackets.
    public init(_ text: String) throws(Refusal) {
        self.text = text
        var problems: [Problem] = []
        var parts: [Part] = []
        if text.unicodeScalars.allSatisfy({ $0.properties.isWhitespace }) {
            throw Refusal([.empty])
        }
        if let first = text.unicodeScalars.first, let last = text.unicodeScalars.last,
           first.properties.isWhitespace || last.properties.isWhitespace {
            problems.append(.surroundingWhiteSpace(text))
        }
        for scalar in text.unicodeScalars where scalar.properties.generalCategory == .privateUse {
            problems.append(.privateUse(text, scalar))
        }
        var run = ""
        var group: String? = nil
        for character in text {
            switch character {
            case "[":
                if let open = group {
                    problems.append(.nestedBracket(text, "[" + open + "["))
                }
                if !run.isEmpty { parts.append(.text(run)); run = "" }
                group = ""
            case "]":
                guard let pinyin = group else {
                    problems.append(.unbalancedBracket(text, "]"))
                    continue
                }
                group = nil
                if pinyin.isEmpty {
                    problems.append(.emptyPlaceholder(text))
                } else if pinyin.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) }) {
                    parts.append(.placeholder(pinyin))
                } else if pinyin.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("a"..."z").contains($0) }) {
                    problems.append(.lowerCasePlaceholder(text, "[" + pinyin + "]"))
                } else {
                    problems.append(.invalidPlaceholder(text, "[" + pinyin + "]"))
                }
            case "［", "］":
                problems.append(.fullWidthBracket(text, character))
                if group != nil { group!.append(character) } else { run.append(character) }
            default:
                if group != nil { group!.append(character) } else { run.append(character) }
            }
        }
        if let open = group {
            problems.append(.unbalancedBracket(text, "[" + open))
        }
        if !run.isEmpty { parts.append(.text(run)) }
        guard problems.isEmpty else { throw Refusal(problems) }
        self.parts = parts
    }

    /// The pinyin of each placeholder, in order: what the clerk is asked to type.
    public var placeholders: [String] {
        parts.compactMap { if case .placeholder(let pinyin) = $0 { pinyin } else { nil } }
    }

    /// The name with each placeholder replaced by the character the clerk typed, checked for
    /// the card: `replacements` has one entry per placeholder, each a single CJK unified
    /// ideograph (any block, Ext B–I included); no private-use code point anywhere (fallback
    /// fonts draw their own glyphs there: measured in BabelStone Han and HanaMinA); every
    /// character printable with `fonts` (the checks of `GlyphCoverage`, as the renderer makes
    /// them); and the name fits 姓名 + 姓名扩展 (30 + 20 bytes GB 18030, split as `NameSplit`
    /// does). Every problem is reported.
    public func resolved(with replacements: [String], fonts: FontChain) throws(Refusal) -> ResolvedName {
        let expected = placeholders
        guard replacements.count == expected.count else {
            throw Refusal([expected.count > 0 && replacements.isEmpty
                           ? .unresolved(text, expected)
                           : .replacementCount(text, expected: expected.count, given: replacements.count)])
        }
        var problems: [Problem] = []
        for (pinyin, typed) in zip(expected, replacements) {
            if let problem = Self.problem(replacing: pinyin, with: typed) { problems.append(problem) }
        }
        var resolved = ""
        var next = replacements.makeIterator()
        for part in parts {
            switch part {
            case .text(let run): resolved += run
            case .placeholder: resolved += next.next()!
            }
        }
        // Each character alone, so that every unprintable one is named (a variation
        // selector stays with its character, as the renderer draws it).
        var seen = Set<Character>()
        for character in resolved where seen.insert(character).inserted {
            let item = PrintTextItem(itemName: "姓名", text: String(character), fontName: "宋体-18030", sizePoints: 8.5, left: 0, top: 0)
            do throws(CardFaceError) {
                try GlyphCoverage.check(item, chain: fonts)
            } catch {
                problems.append(Self.problem(error, name: resolved))
            }
        }
        guard problems.isEmpty else { throw Refusal(problems) }
        guard let bytes = GB18030.encode(resolved)?.count else { throw Refusal([.notGB18030(resolved)]) }
        let capacity = CardElement.name.length + CardElement.nameExtension.length
        guard bytes <= capacity else { throw Refusal([.tooLongForChip(resolved, bytes: bytes, capacity: capacity)]) }
        do throws(InterfaceError) {
            return ResolvedName(text: resolved, split: try NameSplit(fullName: resolved), hasRareCharacters: !expected.isEmpty)
        } catch let error where error.code == .dataLength {
            // Within 50 bytes in all, but 姓名 ends at a character boundary: a 4-byte
            // character that does not fit its last bytes moves whole into 姓名扩展.
            throw Refusal([.doesNotSplitForChip(resolved, bytes: bytes)])
        } catch {
            throw Refusal([.notForChip(resolved, error.message, error.englishMessage)])
        }
    }

    /// Why `typed` cannot stand for `[pinyin]`, nil when it can.
    static func problem(replacing pinyin: String, with typed: String) -> Problem? {
        let scalars = Array(typed.unicodeScalars)
        guard scalars.count == 1, let scalar = scalars.first else {
            return .notOneCharacter(pinyin: pinyin, typed: typed)
        }
        if scalar.properties.generalCategory == .privateUse { return nil }  // named by the coverage check
        if isCompatibilityIdeograph(scalar) { return .compatibilityIdeograph(pinyin: pinyin, scalar) }
        guard isUnifiedIdeograph(scalar) else { return .notIdeograph(pinyin: pinyin, scalar) }
        return nil
    }

    /// CJK unified ideographs: URO and Ext A–I, by block, so a block newer than the
    /// standard library's Unicode tables still counts (the font chain then decides).
    static func isUnifiedIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3400...0x4DBF,    // Ext A
             0x4E00...0x9FFF,    // URO
             0x20000...0x2A6DF,  // Ext B
             0x2A700...0x2EBEF,  // Ext C–F
             0x2EBF0...0x2EE5F,  // Ext I
             0x30000...0x323AF:  // Ext G–H
            return true
        case 0xFA0E, 0xFA0F, 0xFA11, 0xFA13, 0xFA14, 0xFA1F, 0xFA21, 0xFA23, 0xFA24, 0xFA27...0xFA29:
            return true  // the twelve unified ideographs inside the compatibility block
        default:
            return false
        }
    }

    /// CJK compatibility ideographs: normalisation (NFC) turns them into another code
    /// point, so the chip and the system would disagree with what was typed.
    static func isCompatibilityIdeograph(_ scalar: Unicode.Scalar) -> Bool {
        ((0xF900...0xFAFF).contains(scalar.value) || (0x2F800...0x2FA1F).contains(scalar.value)) && !isUnifiedIdeograph(scalar)
    }

    static func problem(_ error: CardFaceError, name: String) -> Problem {
        switch error {
        case .missingGlyph(_, _, let scalar): .noGlyph(name, scalar)
        case .privateUse(_, _, let scalar): .privateUse(name, scalar)
        case .illegalCharacter(_, _, let scalar, let chinese, let english): .illegalCharacter(name, scalar, chinese, english)
        default: .unprintable(name, error.chineseMessage, error.englishMessage)
        }
    }
}

/// The name the card gets: placeholders replaced, every character checked.
public struct ResolvedName: Hashable, Sendable {
    /// The full name, e.g. 张䄲.
    public let text: String
    /// 姓名 and 姓名扩展 as the chip stores them.
    public let split: NameSplit
    /// True when the clerk typed rare characters: the card-management system then asks
    /// for the font 宋体-18030 (《广东省社会保障卡经办规程》附件9 "支持生僻字").
    public let hasRareCharacters: Bool
}

extension ApplicantName {
    /// What is wrong with a name; each says what the clerk should do.
    public enum Problem: Hashable, Sendable, CustomStringConvertible {
        case empty
        case surroundingWhiteSpace(String)
        /// A `[` without `]`, or a `]` without `[`; the second value is the text around it.
        case unbalancedBracket(String, String)
        case nestedBracket(String, String)
        case emptyPlaceholder(String)
        case lowerCasePlaceholder(String, String)
        /// Something other than A–Z inside brackets (digits, hanzi, spaces, full-width letters).
        case invalidPlaceholder(String, String)
        case fullWidthBracket(String, Character)
        /// Placeholders present and nothing typed.
        case unresolved(String, [String])
        case replacementCount(String, expected: Int, given: Int)
        case notOneCharacter(pinyin: String, typed: String)
        case notIdeograph(pinyin: String, Unicode.Scalar)
        case compatibilityIdeograph(pinyin: String, Unicode.Scalar)
        case privateUse(String, Unicode.Scalar)
        /// No font of the chain has a glyph (e.g. CJK Ext I).
        case noGlyph(String, Unicode.Scalar)
        case illegalCharacter(String, Unicode.Scalar, String, String)
        case unprintable(String, String, String)
        case notGB18030(String)
        case tooLongForChip(String, bytes: Int, capacity: Int)
        /// Fits 50 bytes in all, but not split at a character between 姓名 (30) and 姓名扩展 (20).
        case doesNotSplitForChip(String, bytes: Int)
        case notForChip(String, String, String)

        public var chinese: String {
            switch self {
            case .empty: "姓名为空。请在卡管系统中补全姓名"
            case .surroundingWhiteSpace(let n): "姓名“\(n)”首尾有空格。请在卡管系统中更正姓名"
            case .unbalancedBracket(let n, let at): "姓名“\(n)”中的中括号不成对（\(at)）。生僻字应写作半角“[”+大写拼音+“]”，请在卡管系统中更正"
            case .nestedBracket(let n, let at): "姓名“\(n)”中括号嵌套（\(at)）。每个生僻字单独一对中括号，请在卡管系统中更正"
            case .emptyPlaceholder(let n): "姓名“\(n)”含空的中括号“[]”。中括号内应为生僻字的大写拼音，请在卡管系统中更正"
            case .lowerCasePlaceholder(let n, let p): "姓名“\(n)”中的\(p)含小写字母。生僻字拼音须为半角大写（第三十四条），请在卡管系统中更正"
            case .invalidPlaceholder(let n, let p): "姓名“\(n)”中的\(p)不是半角大写拼音。请在卡管系统中更正"
            case .fullWidthBracket(let n, let c): "姓名“\(n)”含全角括号“\(c)”。生僻字须用半角中括号“[]”（第三十四条），请在卡管系统中更正"
            case .unresolved(let n, let p): "姓名“\(n)”含\(p.count)个生僻字（\(p.map { "[\($0)]" }.joined(separator: "、"))）。请录入实际汉字"
            case .replacementCount(let n, let e, let g): "姓名“\(n)”有\(e)个生僻字，录入了\(g)个字。请为每个生僻字录入一个汉字"
            case .notOneCharacter(let p, let t): "为[\(p)]录入的“\(t)”不是一个字。请只录入一个汉字"
            case .notIdeograph(let p, let s): "为[\(p)]录入的 \(Self.named(s)) 不是汉字。请录入实际汉字"
            case .compatibilityIdeograph(let p, let s): "为[\(p)]录入的 \(Self.named(s)) 是兼容汉字，规范化后会变成另一个码位。请改用统一汉字（可换输入法）"
            case .privateUse(let n, let s): "姓名“\(n)”含私用区字符 \(Self.named(s))，打印会变成别的字。请用输入法录入标准汉字"
            case .noGlyph(let n, let s): "姓名“\(n)”中的 \(Self.named(s)) 在本机字库中没有字形，不能打印。请核对所录汉字；确属此字的，请转普通制卡"
            case .illegalCharacter(let n, let s, let reason, _): "姓名“\(n)”含\(reason) \(Self.named(s))，不能制卡。请删除后重新录入"
            case .unprintable(let n, let message, _): "姓名“\(n)”不能打印：\(message)"
            case .notGB18030(let n): "姓名“\(n)”无法以GB18030编码写入芯片。请核对所录汉字"
            case .tooLongForChip(let n, let b, let c): "姓名“\(n)”占\(b)字节（GB18030），超过芯片姓名与姓名扩展合计\(c)字节。请核对姓名"
            case .doesNotSplitForChip(let n, let b): "姓名“\(n)”共\(b)字节（GB18030），但按字切分后姓名（30字节）与姓名扩展（20字节）放不下。请核对姓名"
            case .notForChip(let n, let message, _): "姓名“\(n)”不能写入芯片：\(message)"
            }
        }

        public var english: String {
            switch self {
            case .empty: "the name is empty; complete it in the card-management system"
            case .surroundingWhiteSpace(let n): "the name \"\(n)\" begins or ends with white space; correct it in the card-management system"
            case .unbalancedBracket(let n, let at): "the name \"\(n)\" has an unpaired bracket (\(at)); a rare character is written as half-width [ + upper-case pinyin + ]; correct it in the card-management system"
            case .nestedBracket(let n, let at): "the name \"\(n)\" has nested brackets (\(at)); each rare character gets its own pair; correct it in the card-management system"
            case .emptyPlaceholder(let n): "the name \"\(n)\" has empty brackets []; they must hold the rare character's upper-case pinyin; correct it in the card-management system"
            case .lowerCasePlaceholder(let n, let p): "the name \"\(n)\": \(p) has lower-case letters; the pinyin must be half-width upper case (article 34); correct it in the card-management system"
            case .invalidPlaceholder(let n, let p): "the name \"\(n)\": \(p) is not half-width upper-case pinyin; correct it in the card-management system"
            case .fullWidthBracket(let n, let c): "the name \"\(n)\" has the full-width bracket \"\(c)\"; rare characters take half-width brackets [] (article 34); correct it in the card-management system"
            case .unresolved(let n, let p): "the name \"\(n)\" has \(p.count) rare character(s) (\(p.map { "[\($0)]" }.joined(separator: ", "))); type the real characters"
            case .replacementCount(let n, let e, let g): "the name \"\(n)\" has \(e) rare character(s) and \(g) were typed; type one character for each"
            case .notOneCharacter(let p, let t): "\"\(t)\" typed for [\(p)] is not one character; type exactly one ideograph"
            case .notIdeograph(let p, let s): "\(Self.named(s)) typed for [\(p)] is not a Chinese character; type the real character"
            case .compatibilityIdeograph(let p, let s): "\(Self.named(s)) typed for [\(p)] is a compatibility ideograph that normalisation turns into another code point; type the unified ideograph (try another input method)"
            case .privateUse(let n, let s): "the name \"\(n)\" holds the private-use code point \(Self.named(s)), which would print as some other character; type the standard character with an input method"
            case .noGlyph(let n, let s): "the name \"\(n)\": no font on this station has a glyph for \(Self.named(s)), so it cannot be printed; check the character typed, and if it is right, send the application to ordinary card production"
            case .illegalCharacter(let n, let s, _, let reason): "the name \"\(n)\" holds \(reason) \(Self.named(s)) and cannot go on a card; delete it and type the name again"
            case .unprintable(let n, _, let message): "the name \"\(n)\" cannot be printed: \(message)"
            case .notGB18030(let n): "the name \"\(n)\" cannot be encoded in GB 18030 for the chip; check the characters typed"
            case .tooLongForChip(let n, let b, let c): "the name \"\(n)\" takes \(b) bytes in GB 18030, more than the \(c) of the chip's 姓名 and 姓名扩展; check the name"
            case .doesNotSplitForChip(let n, let b): "the name \"\(n)\" takes \(b) bytes in GB 18030, but split between characters it does not fit the chip's 姓名 (30 bytes) and 姓名扩展 (20 bytes); check the name"
            case .notForChip(let n, _, let message): "the name \"\(n)\" cannot be written to the chip: \(message)"
            }
        }

        public var description: String { chinese + " / " + english }

        /// "U+4132 䄲"; control and private-use code points without the character.
        static func named(_ scalar: Unicode.Scalar) -> String {
            let hex = String(scalar.value, radix: 16, uppercase: true)
            let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            switch scalar.properties.generalCategory {
            case .control, .format, .surrogate, .unassigned, .lineSeparator, .paragraphSeparator, .privateUse: return code
            default: return "\(code) \(Character(scalar))"
            }
        }
    }

    /// The name's problems, all of them.
    public struct Refusal: Error, Hashable, Sendable, CustomStringConvertible {
        public let problems: [Problem]
        init(_ problems: [Problem]) { self.problems = problems }
        public var description: String { problems.map(\.description).joined(separator: "\n") }
    }
}
