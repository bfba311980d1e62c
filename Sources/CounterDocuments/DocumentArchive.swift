import Foundation

/// Where the outlet keeps the counter's papers when several desks share its books (the
/// PostgreSQL `outlet_document` table, docs/outlet.md): a receipt issued at one window can be
/// found at another. The desk's own books have none; their papers stay in the desk's folder.
public protocol DocumentArchive: Sendable {
    /// Keeps `pdf` under its file `name` (`DocumentDesk.fileName`). Keeping the same name twice
    /// keeps the first copy and throws nothing: a repeated call after a lost answer is harmless.
    func keep(kind: DocumentKind, name: String, pdf: [UInt8], at date: Date) throws
    /// The papers kept for the outlet, newest first, `kind` only when given.
    func list(kind: DocumentKind?) throws -> [ArchivedDocument]
}

/// One paper in the outlet's archive: which desk issued it, what and when (not its content).
public struct ArchivedDocument: Hashable, Sendable {
    public var desk: String
    public var kind: String
    public var name: String
    public var createdAt: String
    public var byteCount: Int

    public init(desk: String, kind: String, name: String, createdAt: String, byteCount: Int) {
        self.desk = desk; self.kind = kind; self.name = name; self.createdAt = createdAt; self.byteCount = byteCount
    }
}
