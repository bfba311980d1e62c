import Foundation

/// "The card in reader X" as a `CardChannel` that survives what happens to real desks:
/// pcscd restarting, another program resetting the card, a card pulled and put back.
///
/// Recovery policy (pcsc-lite behaviour tested here with pcscd 1.9.9 and vpcd on Debian 12):
/// - pcscd gone (`SCARD_E_NO_SERVICE`; `SCardIsValidContext` cannot tell): drop the handle
///   and the context, wait up to `recoveryTimeout` for pcscd, the reader and a card, reconnect.
/// - `SCARD_W_RESET_CARD`: `SCardReconnect(LEAVE_CARD)`.
/// - `SCARD_W_REMOVED_CARD` (or `SCARD_E_NOT_TRANSACTED`, which vpcd gives when the card left
///   between pcscd's presence polls): the handle is dead; the next call connects to whatever
///   card is in the reader then.
/// After a reset or a restart the card has lost its volatile state (selected file,
/// authentication). A SELECT only sets state, so it is retried by itself; any other command
/// throws `CardSessionError.cardStateLost` so the caller starts its sequence again from SELECT.
///
/// `@unchecked Sendable`: all mutable state is touched only under `lock`.
public final class PCSCCardSession: CardChannel, @unchecked Sendable {
    public struct Configuration: Sendable {
        /// A substring of the reader name; nil takes the first reader.
        public var readerPattern: String?
        public var shareMode: ShareMode
        public var protocols: CardProtocols
        /// Deadline of each call on the card (an APDU exchange, connect, status).
        public var callTimeout: Duration
        /// How long to wait for pcscd, the reader and the card to come back after a loss.
        public var recoveryTimeout: Duration

        public init(
            readerPattern: String? = nil, shareMode: ShareMode = .shared, protocols: CardProtocols = .any,
            callTimeout: Duration = .seconds(10), recoveryTimeout: Duration = .seconds(10)
        ) {
            self.readerPattern = readerPattern
            self.shareMode = shareMode
            self.protocols = protocols
            self.callTimeout = callTimeout
            self.recoveryTimeout = recoveryTimeout
        }
    }

    public let configuration: Configuration
    private let lock = NSLock()
    private var context: PCSCContext?
    private var connection: PCSCCardConnection?
    private var recoveryCount = 0
    /// Set when pcscd went away: the next connection waits `recoveryTimeout` for it to return.
    private var awaitingService = false
    /// Set when a connection was lost: the next one powers the card afresh first, since vpcd
    /// can show a card pulled and put back between pcscd's presence polls as one that never
    /// left — unpowered, with the old ATR.
    private var lostConnection = false

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    /// How many times the session re-established a context or reconnected.
    public var recoveries: Int { lock.withLock { recoveryCount } }

    /// The name of the reader in use, once connected.
    public var readerName: String? { lock.withLock { connection?.reader } }

    /// Connects now, waiting up to `timeout` for pcscd, the reader and a card (nil: don't wait).
    public func connect(waitingUpTo timeout: Duration? = nil) throws {
        try lock.withLock { _ = try connection(waitingUpTo: timeout) }
    }

    /// Lets go of the card and the context.
    public func disconnect(_ disposition: CardDisposition = .leave) {
        lock.withLock {
            try? connection?.disconnect(disposition)
            connection = nil
            context = nil
        }
    }

    public var atr: [UInt8] {
        get throws { try lock.withLock { try connection(waitingUpTo: nil).atr } }
    }

    /// The PC/SC part 10 features of the reader (a PIN pad's, if any).
    public func readerFeatures() throws -> ReaderFeatures {
        try lock.withLock { try connection(waitingUpTo: nil).readerFeatures() }
    }

    public func transmitRaw(_ command: [UInt8]) throws -> [UInt8] {
        try lock.withLock {
            let isSelect = command.count >= 2 && command[1] == 0xA4
            let current = try connection(waitingUpTo: awaitingService ? configuration.recoveryTimeout : nil)
            do {
                return try current.transmitRaw(command)
            } catch let error as PCSCError where error.meansServiceLost || error == .invalidHandle {
                dropAll()
                awaitingService = true
                guard isSelect else { throw CardSessionError.cardStateLost(.serviceRestarted, underlying: error) }
                return try connection(waitingUpTo: configuration.recoveryTimeout).transmitRaw(command)
            } catch PCSCError.resetCard {
                try current.reconnect(shareMode: configuration.shareMode, protocols: configuration.protocols, initialization: .leave)
                recoveryCount += 1
                guard isSelect else { throw CardSessionError.cardStateLost(.cardReset, underlying: .resetCard) }
                return try current.transmitRaw(command)
            } catch let error as PCSCError where error == .removedCard || error == .noSmartcard || error == .notTransacted {
                connection = nil
                lostConnection = true
                throw error
            } catch let error as CardConnectionError {
                dropAll()
                throw error
            }
        }
    }

    /// The card the printer has just put in the reader, powered afresh (`SCardReconnect` with
    /// UNPOWER_CARD: its ATR read again), whether or not pcscd has seen the previous card leave:
    /// vpcd's reader shows a card swapped between two of pcscd's 400 ms presence polls as a card
    /// that never left, unpowered and with the old ATR. Tried again every 20 ms while the reader
    /// has no card that answers, until `timeout` (then the last error).
    public func powerCycle(waitingUpTo timeout: Duration) throws {
        let deadline = ContinuousClock.now + timeout
        while true {
            do {
                try lock.withLock {
                    let current = try connection(waitingUpTo: nil)
                    try current.reconnect(shareMode: configuration.shareMode, protocols: configuration.protocols, initialization: .unpower)
                }
                return
            } catch let error as PCSCError where error.meansServiceLost && ContinuousClock.now < deadline {
                lock.withLock { dropAll() }
            } catch let error as PCSCError where Self.noAnsweringCard.contains(error) && ContinuousClock.now < deadline {
                if error == .removedCard || error == .noSmartcard { lock.withLock { connection = nil } }
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    /// What the reader answers while the card the printer fed is not reachable yet.
    private static let noAnsweringCard: Set<PCSCError> = [.noSmartcard, .removedCard, .unresponsiveCard, .unpoweredCard,
                                                          .resetCard, .notTransacted, .commError, .readerUnavailable]

    /// The printer has taken the card out of the reader: the connection is dropped now, and one
    /// probe (SELECT MF, answered by no card) lets the reader's driver see the slot empty at
    /// once — vpcd notices a card's socket closed only on its next exchange — so that no one
    /// waits for pcscd's presence poll. The next card comes in through `powerCycle`.
    public func cardLeft() {
        lock.withLock {
            guard let current = connection, !current.isPoisoned else { connection = nil; return }
            _ = try? current.transmitRaw(SSSECommands.select(fileID: SSSE.masterFileID).bytes)
            try? current.disconnect(.leave)
            connection = nil
        }
    }

    private func dropAll() {
        connection = nil
        context = nil
        lostConnection = true
    }

    /// The live connection, or a new one; waits for service, reader and card up to `timeout`.
    private func connection(waitingUpTo timeout: Duration?) throws -> PCSCCardConnection {
        if let connection, !connection.isPoisoned { return connection }
        let clock = ContinuousClock()
        let deadline = clock.now + (timeout ?? .zero)
        let hadOne = context != nil || connection != nil
        let ctx = try establishContext(until: deadline)
        let reader = try findReader(ctx, until: deadline)
        if timeout != nil {
            _ = try ctx.waitForCard(in: reader, timeout: max(.zero, deadline - clock.now))
        }
        let fresh = try PCSCCardConnection(
            context: ctx, reader: reader, shareMode: configuration.shareMode,
            protocols: configuration.protocols, callTimeout: configuration.callTimeout)
        if hadOne || awaitingService { recoveryCount += 1 }
        if lostConnection {
            // Best effort: a card that does not answer now fails the exchange that follows.
            try? fresh.reconnect(shareMode: configuration.shareMode, protocols: configuration.protocols, initialization: .unpower)
        }
        awaitingService = false
        lostConnection = false
        connection = fresh
        return fresh
    }

    private func establishContext(until deadline: ContinuousClock.Instant) throws -> PCSCContext {
        if let context { return context }
        while true {
            do {
                let ctx = try PCSCContext(locatingSocket: true)
                context = ctx
                return ctx
            } catch let error where error.meansServiceLost {
                guard ContinuousClock().now < deadline else { throw error }
                Thread.sleep(forTimeInterval: 0.02)
            }
        }
    }

    private func findReader(_ ctx: PCSCContext, until deadline: ContinuousClock.Instant) throws -> String {
        while true {
            let readers = try ctx.readers()
            if let match = readers.first(where: { configuration.readerPattern.map($0.contains) ?? true }) {
                return match
            }
            guard ContinuousClock().now < deadline else {
                throw CardSessionError.readerNotFound(pattern: configuration.readerPattern, available: readers)
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }
}

/// Why a session could not carry out a command, beyond the raw PC/SC code.
public enum CardSessionError: Error, Sendable, CustomStringConvertible {
    public enum Cause: Sendable { case cardReset, serviceRestarted }

    /// The card lost its selected file and authentication; start again from SELECT.
    case cardStateLost(Cause, underlying: PCSCError)
    /// No reader matches the configured name.
    case readerNotFound(pattern: String?, available: [String])

    public var description: String {
        switch self {
        case .cardStateLost(.cardReset, let e):
            return "the card was reset by another program and must be read again (\(e))"
        case .cardStateLost(.serviceRestarted, let e):
            return "the PC/SC service restarted; the card must be read again (\(e))"
        case .readerNotFound(let p, let available):
            let wanted = p.map { "matching \"\($0)\"" } ?? "at all"
            let seen = available.isEmpty ? "none" : available.joined(separator: ", ")
            return "no card reader \(wanted); readers present: \(seen)"
        }
    }
}
