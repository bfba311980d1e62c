/// The language of the desk's pages: Chinese unless the clerk (or `--lang en`) chose English.
public enum DeskLanguage: String, Sendable, Hashable, CaseIterable {
    case zh, en
}

/// One text of the desk in both languages; a page shows the one its clerk reads.
struct Text: Sendable, Hashable {
    var zh: String
    var en: String
    init(_ zh: String, _ en: String) { self.zh = zh; self.en = en }
    init(verbatim text: String) { zh = text; en = text }
    func `in`(_ language: DeskLanguage) -> String { language == .zh ? zh : en }
    static func + (a: Text, b: Text) -> Text { Text(a.zh + b.zh, a.en + b.en) }
}
