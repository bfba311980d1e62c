import Foundation
import InstantIssue
import Synchronization

/// Where an upload of a return file (YZKCG) stands, for the progress bar the stock page polls
/// while the server receives, checks and imports it.
struct UploadProgress: Sendable, Hashable, Encodable {
    enum Phase: String, Sendable, Encodable { case receiving, checking, importing, done, failed }
    var phase: Phase = .receiving
    /// Bytes received so far, and the whole body's size when the browser said it (Content-Length).
    var received: Int = 0
    var total: Int?
    /// The outcome, once done or failed: one sentence each, in both languages.
    var zh: String?
    var en: String?
    var nextZh: String?
    var nextEn: String?
    /// Each problem of a refused file (line, field, what), at most `ReturnFileUploads.shownProblems`.
    var problems: [String] = []

    /// 0…100 for the progress bar; receiving takes the first 90, checking and importing the rest.
    var percent: Int {
        switch phase {
        case .receiving:
            guard let total, total > 0 else { return 0 }
            return min(90, received * 90 / total)
        case .checking: return 92
        case .importing: return 96
        case .done, .failed: return 100
        }
    }

    enum CodingKeys: String, CodingKey { case phase, received, total, zh, en, nextZh, nextEn, problems, percent }
    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(phase, forKey: .phase); try c.encode(received, forKey: .received)
        try c.encodeIfPresent(total, forKey: .total); try c.encodeIfPresent(zh, forKey: .zh)
        try c.encodeIfPresent(en, forKey: .en); try c.encodeIfPresent(nextZh, forKey: .nextZh)
        try c.encodeIfPresent(nextEn, forKey: .nextEn); try c.encode(problems, forKey: .problems)
        try c.encode(percent, forKey: .percent)
    }
}

/// The uploads of return files in progress and just finished, by the id the page chose, each
/// visible only to the clerk who started it. The last `kept` are remembered, so the page that
/// reloads after an import can still show its outcome.
final class ReturnFileUploads: Sendable {
    /// The largest return file accepted: a batch of 100,000 cards is about 20 MB.
    static let sizeLimit = 64 << 20
    static let shownProblems = 50
    static let kept = 32

    private struct Entry { var clerk: String; var progress: UploadProgress }
    private let entries = Mutex<[(id: String, entry: Entry)]>([])

    /// An id a page may choose: 16 to 64 letters, digits, `-` or `_`.
    static func isValidID(_ id: String) -> Bool {
        (16...64).contains(id.utf8.count) && id.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x5F
        }
    }

    /// Starts tracking `id` for `clerk`; false when the id is taken (a second POST of one upload).
    func start(_ id: String, clerk: String, total: Int?) -> Bool {
        entries.withLock { list in
            guard !list.contains(where: { $0.id == id }) else { return false }
            list.append((id, Entry(clerk: clerk, progress: UploadProgress(total: total))))
            if list.count > Self.kept { list.removeFirst(list.count - Self.kept) }
            return true
        }
    }

    func update(_ id: String, _ change: (inout UploadProgress) -> Void) {
        entries.withLock { list in
            if let i = list.firstIndex(where: { $0.id == id }) { change(&list[i].entry.progress) }
        }
    }

    /// The progress of `id`, if `clerk` started it.
    func progress(_ id: String, clerk: String) -> UploadProgress? {
        entries.withLock { list in list.first(where: { $0.id == id && $0.entry.clerk == clerk })?.entry.progress }
    }
}

/// The file name a browser sent, made safe: the last path component only, no control
/// characters, at most 255 bytes. Nil when nothing is left.
func uploadedFileName(_ raw: String) -> String? {
    let last = raw.split(whereSeparator: { $0 == "/" || $0 == "\\" }).last.map(String.init) ?? ""
    let clean = String(String.UnicodeScalarView(last.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }))
    guard !clean.isEmpty, clean != ".", clean != "..", clean.utf8.count <= 255 else { return nil }
    return clean
}
