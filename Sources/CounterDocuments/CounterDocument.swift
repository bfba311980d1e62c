import Foundation

/// A paper the counter prints for a person to read or sign: the handover receipt (领卡签收),
/// the 受理回执 (《广东省社会保障卡经办规程》附件2), the daily report. It says what it shows, in
/// order, and nothing about fonts or pages: `DocumentRenderer` lays it out as a PDF with the
/// card face's font chain, `DocumentDesk` prints or files it.
public struct CounterDocument: Hashable, Sendable {
    /// What the paper is; names its file and its print job.
    public var kind: DocumentKind
    /// The heading on top of the first page (e.g. "社会保障卡领卡签收单").
    public var title: String
    /// What the paper is about, for its file name: an application id, a date. Letters, digits,
    /// `-` and `_` only, 1–64 (`DocumentError.badReference` otherwise).
    public var reference: String
    /// The content, top to bottom.
    public var blocks: [DocumentBlock]

    public init(kind: DocumentKind, title: String, reference: String, blocks: [DocumentBlock]) {
        self.kind = kind
        self.title = title
        self.reference = reference
        self.blocks = blocks
    }

    /// Every piece of text the paper shows, in order: what a reader of the PDF finds in it.
    public var texts: [String] {
        [title] + blocks.flatMap(\.texts)
    }
}

/// One piece of a document's content.
public enum DocumentBlock: Hashable, Sendable {
    /// A section heading.
    case heading(String)
    /// A paragraph, wrapped to the page width.
    case paragraph(String)
    /// "label：value" on one row (the value wraps beside the label).
    case field(String, String)
    /// A table: a header row, then rows of as many cells; columns share the width equally.
    case table(header: [String], rows: [[String]])
    /// A line to sign on, with its label (签名) and, once known, who signs.
    case signature(String)
    /// Vertical space.
    case gap

    var texts: [String] {
        switch self {
        case .heading(let t), .paragraph(let t), .signature(let t): [t]
        case .field(let label, let value): [label, value]
        case .table(let header, let rows): header + rows.flatMap { $0 }
        case .gap: []
        }
    }
}

/// What a document is: an open set of names, so a new paper needs no change here.
public struct DocumentKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String

    /// `rawValue`: lower-case letters, digits and `-`, 1–32 (it becomes part of a file name).
    public init?(rawValue: String) {
        guard (1...32).contains(rawValue.count),
              rawValue.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }) else { return nil }
        self.rawValue = rawValue
    }

    private init(_ known: String) { rawValue = known }

    /// 领卡签收单: the holder (or agent, or guardian) signs for the card (第十二条（三）、第十四条).
    public static let handoverReceipt = DocumentKind("handover-receipt")
    /// 《广东省社会保障卡业务受理回执》(附件2).
    public static let acceptanceReceipt = DocumentKind("acceptance-receipt")
    /// The day's report of the desk.
    public static let dailyReport = DocumentKind("daily-report")

    public var description: String { rawValue }
}
