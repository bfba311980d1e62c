import Synchronization

/// The one accept loop: accepts connections on listeners and serves each on a thread of its
/// own with a handler, until `stop()`.
///
/// `stop()` is the stop switch: it shuts down every listener (so connections are refused) and
/// every open connection (so a handler blocked in a receive sees the peer gone), then waits for
/// every thread. `stopListening()` only closes the listeners, for a server that plays "nobody
/// listens" and listens again later.
public final class SocketServer: Sendable {
    /// Serves one connection; the server closes it when the handler returns. `id` counts the
    /// connections from 1.
    public typealias Handler = @Sendable (_ connection: StreamSocket, _ id: Int) -> Void

    /// Answers a connection over the cap on the accept thread, briefly (it is closed after).
    public typealias Refusal = @Sendable (_ connection: StreamSocket) -> Void

    /// Names the threads: "NAME-accept", "NAME-1", "NAME-2", …
    public let name: String
    /// The most connections served at once (one thread each); nil: no cap.
    public let maxConnections: Int?

    private struct State {
        var running = true
        var listeners: [ObjectIdentifier: SocketListener] = [:]
        var connections: [Int: StreamSocket] = [:]
        var nextConnection = 1
    }

    private let state = Mutex(State())
    private let acceptLoops = RunningThreads()
    private let connectionThreads = RunningThreads()

    /// `maxConnections`: the most connections served at once; a connection accepted beyond it
    /// gets the `overCapacity` answer of `serve` and is closed, without a thread of its own.
    public init(name: String, maxConnections: Int? = nil) {
        precondition(maxConnections.map { $0 > 0 } ?? true, "maxConnections must be positive")
        self.name = name
        self.maxConnections = maxConnections
    }

    /// How many connections are being served now.
    public var connectionCount: Int { state.withLock { $0.connections.count } }

    /// False after `stop()`.
    public var isRunning: Bool { state.withLock { $0.running } }

    /// True while at least one listener is being served.
    public var isListening: Bool { state.withLock { !$0.listeners.isEmpty } }

    /// Accepts on `listener` on a thread of its own and runs `handler` for each connection on
    /// another; returns at once. The loop ends, and closes the listener, when the listener is
    /// shut down or the server stops. After `stop()` the listener is closed at once.
    /// `overCapacity` answers a connection over `maxConnections` (nil: it is just closed).
    public func serve(_ listener: SocketListener, overCapacity: Refusal? = nil, handler: @escaping Handler) {
        let accepted = state.withLock { s -> Bool in
            guard s.running else { return false }
            s.listeners[ObjectIdentifier(listener)] = listener
            return true
        }
        guard accepted else { return listener.close() }
        acceptLoops.start(name: "\(name)-accept") { [self] in acceptLoop(listener, overCapacity, handler) }
    }

    private enum Admission { case serve(Int), refuse, stopped }

    private func acceptLoop(_ listener: SocketListener, _ overCapacity: Refusal?, _ handler: @escaping Handler) {
        defer {
            state.withLock { _ = $0.listeners.removeValue(forKey: ObjectIdentifier(listener)) }
            listener.close()
        }
        while let connection = try? listener.accept() {
            let admission = state.withLock { s -> Admission in
                guard s.running else { return .stopped }
                if let maxConnections, s.connections.count >= maxConnections { return .refuse }
                let id = s.nextConnection
                s.nextConnection += 1
                s.connections[id] = connection
                return .serve(id)
            }
            let id: Int
            switch admission {
            case .stopped:
                return connection.close()
            case .refuse:
                overCapacity?(connection)
                connection.close()
                continue
            case .serve(let admitted):
                id = admitted
            }
            connectionThreads.start(name: "\(name)-\(id)") { [self] in
                handler(connection, id)
                state.withLock { _ = $0.connections.removeValue(forKey: id) }
                connection.close()
            }
        }
    }

    /// Shuts down every listener being served and returns once their loops have ended and
    /// closed them, so the port is free to listen on again. Open connections go on. Not to be
    /// called while another thread calls `serve`.
    public func stopListening() {
        state.withLock { s in
            for listener in s.listeners.values { listener.shutdown() }
        }
        acceptLoops.wait()
    }

    /// Stops accepting, shuts down every open connection and waits until every thread has
    /// ended. Not to be called from a handler (it would wait for itself).
    public func stop() {
        state.withLock { s in
            s.running = false
            for listener in s.listeners.values { listener.shutdown() }
            for connection in s.connections.values { connection.shutdown() }
        }
        acceptLoops.wait()
        connectionThreads.wait()
    }
}
