/// The field syntax shared by the interface's strings: items each end with `|`, files each end
/// with `$`. Split on Unicode scalars, not Characters, so a `|` followed by a combining mark is
/// still a separator (a Character would swallow it).
enum InterfaceFields {
    /// The items of `text`, each of which must end with `terminator`: `"a|b|"` → `["a", "b"]`;
    /// nil when the last item lacks its terminator. Empty text gives no items. The terminator
    /// is ASCII, and an ASCII byte of UTF-8 is always a whole scalar, so the split walks bytes.
    static func terminated(_ text: String, by terminator: Unicode.Scalar) -> [String]? {
        let byte = UInt8(ascii: terminator)
        let utf8 = text.utf8
        var items: [String] = []
        var start = utf8.startIndex
        var i = start
        while i != utf8.endIndex {
            if utf8[i] == byte {
                items.append(String(text.unicodeScalars[start..<i]))
                start = utf8.index(after: i)
            }
            i = utf8.index(after: i)
        }
        return start == utf8.endIndex ? items : nil
    }

    /// The text left after the last terminator (what `terminated` refused), for messages.
    static func unterminatedTail(_ text: String, by terminator: Unicode.Scalar) -> String {
        let byte = UInt8(ascii: terminator)
        guard let last = text.utf8.lastIndex(of: byte) else { return text }
        return String(text.unicodeScalars[text.utf8.index(after: last)...])
    }

    /// `value` quoted for an error message, cut to 40 scalars so a huge input stays readable.
    static func quoted(_ value: String) -> String {
        let scalars = value.unicodeScalars
        if scalars.count <= 40 { return "“\(value)”" }
        return "“\(String(String.UnicodeScalarView(scalars.prefix(40))))…”"
    }

    /// Whether every scalar of `text` is an ASCII digit or letter.
    static func isAlphanumeric(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("A"..."Z").contains($0) || ("a"..."z").contains($0) }
    }

    /// Whether every scalar of `text` is an ASCII digit.
    static func isDigits(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) }
    }

    /// Whether every scalar of `text` is a hex digit, either case.
    static func isHex(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || ("A"..."F").contains($0) || ("a"..."f").contains($0) }
    }
}
