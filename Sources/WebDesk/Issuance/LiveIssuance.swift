import Foundation
import InstantIssue
import Synchronization

/// What the issuance page shows, one event at a time (the Server-Sent Events of
/// `/issue/<id>/events`, and the page itself when it is reopened).
struct IssuanceEvent: Sendable, Hashable, Encodable {
    enum Kind: String, Sendable, Encodable { case started, finished, retrying, preview, done, failed, readBack }
    var kind: Kind
    /// The step's journal name (`print`), for started/finished/retrying.
    var step: String?
    var zh: String
    var en: String
    /// For `failed`: the next step.
    var nextZh: String?
    var nextEn: String?
    var cardNumber: String?

    /// One line of `text/event-stream`.
    var serverSentEvent: String {
        let data = (try? JSONEncoder().encode(self)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return "data: \(data)\n\n"
    }
}

/// One issuance the server runs for a clerk. It lives in the server, not the page: closing the
/// browser loses nothing, and whoever opens the page again sees every event so far and then
/// the rest as they come.
final class LiveIssuance: Sendable {
    let applicationID: String
    let clerk: String
    let name: String
    private struct State {
        var events: [IssuanceEvent] = []
        var finished = false
        var facePath: String?
        var listeners: [Int: AsyncStream<IssuanceEvent>.Continuation] = [:]
        var nextListener = 0
    }
    private let state = Mutex(State())

    init(applicationID: String, clerk: String, name: String) {
        self.applicationID = applicationID; self.clerk = clerk; self.name = name
    }

    var events: [IssuanceEvent] { state.withLock { $0.events } }
    var isFinished: Bool { state.withLock { $0.finished } }
    var facePath: String? { state.withLock { $0.facePath } }

    func post(_ event: IssuanceEvent, facePath: String? = nil) {
        let ending = event.kind == .done || event.kind == .failed
        let listeners = state.withLock { s -> [AsyncStream<IssuanceEvent>.Continuation] in
            s.events.append(event)
            if let facePath { s.facePath = facePath }
            if ending { s.finished = true }
            return Array(s.listeners.values)
        }
        for l in listeners {
            l.yield(event)
            if ending { l.finish() }
        }
    }

    /// Every event so far, then the live ones until the issuance ends.
    func stream() -> AsyncStream<IssuanceEvent> {
        AsyncStream { continuation in
            let id = state.withLock { s -> Int? in
                for e in s.events { continuation.yield(e) }
                if s.finished { return nil }
                let id = s.nextListener
                s.nextListener += 1
                s.listeners[id] = continuation
                return id
            }
            guard let id else { continuation.finish(); return }
            continuation.onTermination = { [weak self] _ in
                _ = self?.state.withLock { $0.listeners.removeValue(forKey: id) }
            }
        }
    }

    /// The events of the workflow's progress.
    static func event(_ progress: IssuanceProgress) -> IssuanceEvent {
        switch progress {
        case .started(let step): IssuanceEvent(kind: .started, step: step.rawValue, zh: step.chinese, en: step.english)
        case .finished(let step): IssuanceEvent(kind: .finished, step: step.rawValue, zh: step.chinese, en: step.english)
        case .preview: IssuanceEvent(kind: .preview, zh: "卡面已生成", en: "the card face is rendered")
        case .retrying(let step, let attempt, let reason):
            IssuanceEvent(kind: .retrying, step: step.rawValue, zh: "\(step.chinese)：第 \(attempt) 次重试（\(reason)）",
                          en: "\(step.english): retry \(attempt) (\(reason))")
        }
    }
}
