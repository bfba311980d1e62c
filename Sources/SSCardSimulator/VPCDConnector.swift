import Foundation
import SSCardDriver
import Sockets

/// Serves one `VirtualCard` to pcscd's vpcd reader driver: the card "sits" in the reader while
/// a TCP connection to vpcd is open (vsmartcard vpcd).
///
/// The connector connects to `host:port` (35963 = slot 0, 35964 = slot 1) and answers vpcd's
/// messages on a thread of its own, never on the Swift cooperative pool, because `recv` blocks.
/// `remove()` closes the connection, which vpcd reports as the card removed; `insert()` connects
/// again. If vpcd closes the connection without `remove()` (pcscd stopped or restarted), the
/// connector keeps trying to reconnect with backoff until `stop()`.
///
/// Latency: `TCP_NODELAY`, `TCP_QUICKACK` before every `recv`, and every reply written as one
/// `send` of length and data. Without these an APDU costs ~48 ms through Debian 12's vpcd.
///
/// Handlers (`onEvent`, `onAPDU`) run on the connector's thread, one call at a time; they must
/// not block for long and must not call `stop()` or `remove()` (which wait for that thread).
/// The connector never logs by itself.
public final class VPCDConnector: @unchecked Sendable {
    // @unchecked Sendable: every mutable stored property below is read and written only while
    // holding `condition`; the socket is closed only by the connector thread after it has
    // cleared `activeStream` under the lock, and `StreamSocket.shutdown` from another thread
    // never touches a closed descriptor. `card` is itself Sendable; `configuration` is immutable.

    /// Where vpcd is and how to retry.
    public struct Configuration: Sendable, Hashable {
        /// vpcd's host. The private pcscd of `VirtualReaderStack` listens on 127.0.0.1 only; a
        /// system pcscd with Debian's /etc/reader.conf.d/vpcd on every IPv4 interface.
        public var host: String
        /// vpcd's port for the slot to use: 35963 for slot 0, 35964 for slot 1.
        public var port: UInt16
        /// Seconds to wait before the first reconnection attempt, doubling up to the upper bound.
        public var reconnectDelay: ClosedRange<Double>
        /// Longest wait for one TCP connection attempt, in seconds.
        public var connectAttemptTimeout: Double

        public init(
            host: String = "127.0.0.1", port: UInt16 = VPCDFraming.defaultPort,
            reconnectDelay: ClosedRange<Double> = 0.02...0.5, connectAttemptTimeout: Double = 2
        ) {
            self.host = host
            self.port = port
            self.reconnectDelay = reconnectDelay
            self.connectAttemptTimeout = connectAttemptTimeout
        }

        /// vpcd slot `slot` (0 or 1) on `host`.
        public static func slot(_ slot: Int, host: String = "127.0.0.1") -> Configuration {
            Configuration(host: host, port: VPCDFraming.port(forSlot: slot))
        }
    }

    /// Where the card is.
    public enum State: Sendable, Hashable, CustomStringConvertible {
        /// Created, `start` not yet called.
        case idle
        /// Meant to be in the reader; trying to reach vpcd (first connection or after pcscd went away).
        case connecting
        /// In the reader: connected to vpcd.
        case inserted
        /// Taken out by `remove()`; waits for `insert()`.
        case removed
        /// `stop()` ended the connector; it cannot be started again.
        case stopped

        public var description: String {
            switch self {
            case .idle: return "idle"
            case .connecting: return "connecting"
            case .inserted: return "inserted"
            case .removed: return "removed"
            case .stopped: return "stopped"
            }
        }
    }

    /// What happened, for tests and for a console that reports the card's state.
    public enum Event: Sendable, Hashable {
        /// Connected to vpcd: the card is in the reader.
        case inserted
        /// `remove()` took the card out.
        case removed
        /// vpcd closed the connection or it failed; the connector will reconnect.
        case connectionLost(String)
        /// One connection attempt failed; the connector will retry after a delay.
        case connectFailed(String)
        /// vpcd sent a control code (power off/on, reset, get ATR every 400 ms).
        case control(VPCDControl)
        /// `stop()` finished; the thread has ended.
        case stopped
    }

    /// One command APDU served: for tracing. `response` is nil when the card is mute.
    public struct APDUExchange: Sendable, Hashable {
        public var command: [UInt8]
        public var response: [UInt8]?
        /// Time from the whole command arriving to the reply being handed to the socket.
        public var processingTime: Duration
    }

    public let card: any VirtualCard
    public let configuration: Configuration

    private let condition = NSCondition()
    private var _state: State = .idle
    private var wantInserted = false
    private var stopRequested = false
    private var threadFinished = false
    /// Set once the `.removed` event of the current removal has been delivered.
    private var removalReported = false
    private var activeStream: StreamSocket?
    private var loopThread: Thread?
    private var lastConnectError: String?
    private var _isMute = false
    private var _onEvent: (@Sendable (Event) -> Void)?
    private var _onAPDU: (@Sendable (APDUExchange) -> Void)?
    private var _servedCommands = 0

    public init(card: any VirtualCard, configuration: Configuration = Configuration()) {
        self.card = card
        self.configuration = configuration
    }

    // MARK: Queries and settings

    public var state: State { locked { _state } }

    /// When true the card reads command APDUs but never answers them (control codes are still
    /// answered), so the reader's transmit blocks: for testing deadlines. `remove()` unblocks it.
    public var isMute: Bool {
        get { locked { _isMute } }
        set { locked { _isMute = newValue } }
    }

    /// Called on the connector thread for every event.
    public var onEvent: (@Sendable (Event) -> Void)? {
        get { locked { _onEvent } }
        set { locked { _onEvent = newValue } }
    }

    /// Called on the connector thread after every command APDU (the per-APDU trace hook).
    public var onAPDU: (@Sendable (APDUExchange) -> Void)? {
        get { locked { _onAPDU } }
        set { locked { _onAPDU = newValue } }
    }

    /// Command APDUs read from vpcd since `start`, answered or not.
    public var servedCommandCount: Int { locked { _servedCommands } }

    // MARK: Control

    /// Starts the connector thread with the card inserted and returns once connected to vpcd.
    /// Retries refused connections until `timeout` (pcscd may still be starting); on timeout
    /// stops the connector and throws. Calling it twice is a programmer error (traps).
    public func start(timeout: Duration = .seconds(10)) throws(VPCDConnectorError) {
        let thread: Thread = locked {
            precondition(_state == .idle, "VPCDConnector.start() called on a connector that is \(_state)")
            wantInserted = true
            _state = .connecting
            condition.broadcast()
            let t = Thread { [self] in run() }
            t.name = "vpcd-connector \(configuration.host):\(configuration.port)"
            loopThread = t
            return t
        }
        thread.start()
        guard waitFor(.inserted, timeout: timeout) else {
            let last = locked { lastConnectError }
            stop()
            throw .vpcdUnreachable(host: configuration.host, port: configuration.port, timeout: timeout, lastError: last)
        }
    }

    /// Puts the card back into the reader: connects to vpcd in the background (see `state`,
    /// `waitFor(_:timeout:)` and `Event.inserted`). No effect when inserted or stopped.
    public func insert() {
        locked {
            guard !stopRequested else { return }
            wantInserted = true
            condition.broadcast()
        }
    }

    /// Takes the card out of the reader: closes the connection, which vpcd treats as removal,
    /// and unpowers the card. Returns once the connection is closed. The connector does not
    /// reconnect until `insert()`.
    public func remove() {
        let onLoop = locked { () -> Bool in
            wantInserted = false
            activeStream?.shutdown()
            condition.broadcast()
            return Thread.current == loopThread
        }
        if !onLoop {
            _ = waitUntil(timeout: .seconds(10)) {
                ($0._state == .removed && $0.removalReported) || $0.wantInserted || $0.threadFinished
                    || $0._state == .idle
            }
        }
    }

    /// Closes the connection and ends the connector thread; waits for it to end.
    public func stop() {
        let onLoop = locked { () -> Bool in
            stopRequested = true
            wantInserted = false
            activeStream?.shutdown()
            if loopThread == nil {
                _state = .stopped
                threadFinished = true
            }
            condition.broadcast()
            return Thread.current == loopThread
        }
        if !onLoop { _ = waitUntil(timeout: nil) { $0.threadFinished } }
    }

    /// Waits until the card is in `state`; false on timeout, or when the connector stopped
    /// while waiting for another state.
    @discardableResult
    public func waitFor(_ state: State, timeout: Duration) -> Bool {
        waitUntil(timeout: timeout) { $0._state == state || $0._state == .stopped } && self.state == state
    }

    // MARK: The connector thread

    private func run() {
        var delay = configuration.reconnectDelay.lowerBound
        while true {
            // Wait until the card should be in the reader. A removal is reported before waiting.
            let newlyRemoved: Bool = locked {
                guard !stopRequested && !wantInserted && _state != .removed else { return false }
                _state = .removed
                removalReported = false
                condition.broadcast()
                return true
            }
            if newlyRemoved {
                emit([.removed])
                locked { removalReported = true; condition.broadcast() }
            }
            let proceed: Bool = locked {
                while !stopRequested && !wantInserted { condition.wait() }
                guard !stopRequested else { return false }
                if _state != .connecting {
                    _state = .connecting
                    condition.broadcast()
                }
                return true
            }
            guard proceed else { break }

            let stream: StreamSocket
            do {
                stream = try StreamSocket.connect(
                    host: configuration.host, port: configuration.port,
                    deadline: .now + .seconds(configuration.connectAttemptTimeout))
            } catch {
                locked { lastConnectError = error.description }
                emit([.connectFailed(error.description)])
                pause(delay)
                delay = min(delay * 2, configuration.reconnectDelay.upperBound)
                continue
            }

            let accepted: Bool = locked {
                guard !stopRequested && wantInserted else { return false }
                activeStream = stream
                _state = .inserted
                lastConnectError = nil
                condition.broadcast()
                return true
            }
            guard accepted else { stream.close(); continue }
            emit([.inserted])

            let (reason, sawMessage) = serve(stream)

            let removedByUser: Bool = locked {
                activeStream = nil
                return !wantInserted || stopRequested
            }
            stream.close()
            card.powerOff()  // out of the reader, out of power
            if removedByUser { continue }  // the wait at the top reports `.removed` or ends

            locked {
                _state = .connecting
                condition.broadcast()
            }
            emit([.connectionLost(reason)])
            if sawMessage { delay = configuration.reconnectDelay.lowerBound }
            pause(delay)
            delay = min(delay * 2, configuration.reconnectDelay.upperBound)
        }
        locked {
            _state = .stopped
            condition.broadcast()
        }
        emit([.stopped])
        locked {
            threadFinished = true
            condition.broadcast()
        }
    }

    /// Answers vpcd until the connection ends; returns why, and whether any message arrived.
    private func serve(_ stream: StreamSocket) -> (String, Bool) {
        var sawMessage = false
        let clock = ContinuousClock()
        do throws(SocketError) {
            while true {
                guard let prefix = try Self.read(2, from: stream) else { return ("vpcd closed the connection", sawMessage) }
                let length = VPCDFraming.length(ofPrefix: prefix)
                guard let payload = try Self.read(length, from: stream) else {
                    return ("vpcd closed the connection in the middle of a message", sawMessage)
                }
                sawMessage = true
                switch VPCDMessage(payload: payload) {
                case .control(let code):
                    switch code {
                    case .powerOff: card.powerOff()
                    case .powerOn: card.powerOn()
                    case .reset: card.reset()
                    case .getATR: try stream.sendAll(VPCDFraming.frame(card.atr))
                    }
                    emit([.control(code)])
                case .command(let command):
                    let started = clock.now
                    let (mute, trace) = locked { () -> (Bool, (@Sendable (APDUExchange) -> Void)?) in
                        _servedCommands += 1
                        return (_isMute, _onAPDU)
                    }
                    var response: [UInt8]?
                    if !mute {
                        var r = card.process(command)
                        // 65535 bytes is all a vpcd message can carry; no card of ours answers more.
                        if r.count > VPCDFraming.maximumPayload { r = StatusWord.noPreciseDiagnosis.bytes }
                        try stream.sendAll(VPCDFraming.frame(r))
                        response = r
                    }
                    trace?(APDUExchange(command: command, response: response, processingTime: clock.now - started))
                }
            }
        } catch {
            return (error.description, sawMessage)
        }
    }

    /// Exactly `count` bytes of vpcd's stream; nil when the connection ended first (closed,
    /// reset, or shut down by `remove()`/`stop()`). `TCP_QUICKACK` before every `recv`:
    /// without it each APDU costs ~48 ms through Debian 12's vpcd, which writes the length and
    /// the payload in two `send`s.
    private static func read(_ count: Int, from stream: StreamSocket) throws(SocketError) -> [UInt8]? {
        do {
            return try stream.receive(exactly: count, quickAck: true)
        } catch where error.isConnectionLost {
            return nil
        }
    }

    /// Sleeps `seconds` unless `stop()`, `remove()` or `insert()` signals first.
    private func pause(_ seconds: Double) {
        let until = Date(timeIntervalSinceNow: seconds)
        locked {
            while !stopRequested && wantInserted && Date() < until {
                _ = condition.wait(until: until)
            }
        }
    }

    private func emit(_ events: [Event]) {
        guard !events.isEmpty, let handler = onEvent else { return }
        for event in events { handler(event) }
    }

    // MARK: Locking

    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        condition.lock()
        defer { condition.unlock() }
        return try body()
    }

    /// Waits on the condition until `predicate` holds; false on timeout. nil timeout = forever.
    private func waitUntil(timeout: Duration?, _ predicate: (VPCDConnector) -> Bool) -> Bool {
        let until = timeout.map { Date(timeIntervalSinceNow: $0.seconds) }
        return locked {
            while !predicate(self) {
                if let until {
                    if !condition.wait(until: until) { return predicate(self) }
                } else {
                    condition.wait()
                }
            }
            return true
        }
    }
}

/// Why the connector could not serve the card.
public enum VPCDConnectorError: Error, Hashable, Sendable, CustomStringConvertible {
    /// No vpcd accepted a connection before the deadline.
    case vpcdUnreachable(host: String, port: UInt16, timeout: Duration, lastError: String?)

    public var description: String {
        switch self {
        case .vpcdUnreachable(let host, let port, let timeout, let last):
            let why = last.map { " (\($0))" } ?? ""
            return "cannot reach vpcd at \(host):\(port) within \(timeout.seconds.formatted1) s\(why); "
                + "is pcscd running with the vpcd reader? Install it with scripts/install-deps.sh "
                + "and start it with `pcscd -f`."
        }
    }
}

extension Duration {
    /// The duration in seconds as a Double.
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}

extension Double {
    /// At most one decimal, without a trailing ".0".
    var formatted1: String {
        let r = (self * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}
