import CPCSCLite
import CPCSCShim
import Foundation
import Synchronization

/// A connection to the card in one reader: `SCardConnect` and the calls made on its handle.
///
/// Every blocking call has a deadline. `SCardTransmit` runs on the caller's thread watched by
/// `TransmitWatchdog`, which shuts the context's socket down when the deadline passes; the
/// other calls (and transmit, when the socket is unknown) run on the connection's own queue
/// and are abandoned, still blocked inside pcsc-lite holding the context's lock. Either way
/// the connection and its context are poisoned: every later call throws
/// `CardConnectionError.poisoned` at once, and the caller opens a new context.
///
/// `@unchecked Sendable`: the handle and context are immutable; calls are serialised by
/// `callLock`, and the receive buffer is touched only under it; `poisoned` is a Mutex.
public final class PCSCCardConnection: CardChannel, @unchecked Sendable {
    public let reader: String
    public let context: PCSCContext
    /// The protocol negotiated with the card.
    public private(set) var activeProtocol: CardProtocols
    /// Deadline for each APDU exchange and other calls on the handle.
    public let callTimeout: Duration

    let handle: SCARDHANDLE
    private let runner: DeadlineRunner
    private let callLock = NSLock()
    private let poisoned = Mutex(false)
    private let disconnected = Mutex(false)
    private let receiveBuffer: UnsafeMutableBufferPointer<UInt8>

    /// Connects to the card in `reader`. Calls `SCardConnect`.
    public init(
        context: PCSCContext, reader: String, shareMode: ShareMode = .shared,
        protocols: CardProtocols = .any, callTimeout: Duration = .seconds(10)
    ) throws {
        self.context = context
        self.reader = reader
        self.callTimeout = callTimeout
        runner = DeadlineRunner(label: "PCSC \(reader)")
        let ctx = context.handle
        let outcome = runner.run(timeout: callTimeout) { () -> (Int, SCARDHANDLE, DWORD) in
            var h: SCARDHANDLE = 0
            var proto: DWORD = 0
            let rc = SCardConnect(ctx, reader, DWORD(shareMode.rawValue), DWORD(protocols.rawValue), &h, &proto)
            return (rc, h, proto)
        }
        guard let (rc, h, proto) = outcome else { throw CardConnectionError.deadlineExceeded(operation: "SCardConnect", timeout: callTimeout) }
        try pcscCheck(rc)
        handle = h
        activeProtocol = CardProtocols(rawValue: UInt32(proto))
        receiveBuffer = .allocate(capacity: CPCSCShim_MAX_BUFFER_SIZE_EXTENDED)
    }

    deinit {
        if !poisoned.withLock({ $0 }) && !disconnected.withLock({ $0 }) {
            SCardDisconnect(handle, DWORD(CardDisposition.leave.rawValue))
        }
        receiveBuffer.deallocate()
    }

    /// True after a call passed its deadline: nothing more can be done on this connection.
    public var isPoisoned: Bool { poisoned.withLock { $0 } }

    /// Sends one APDU as is and returns the card's answer. Calls `SCardTransmit` — on this
    /// thread under `TransmitWatchdog`'s deadline when the context's socket is known, else on
    /// the connection's queue (`DeadlineRunner`).
    public func transmitRaw(_ command: [UInt8]) throws -> [UInt8] {
        guard let socket = context.socket else { return try call("SCardTransmit") { self.transmitHere(command) } }
        guard !isPoisoned else { throw CardConnectionError.poisoned(reader: reader) }
        callLock.lock()
        defer { callLock.unlock() }
        let token = TransmitWatchdog.shared.begin(socket: socket, timeout: callTimeout)
        let result = transmitHere(command)
        if TransmitWatchdog.shared.end(token) {
            poisoned.withLock { $0 = true }
            throw CardConnectionError.deadlineExceeded(operation: "SCardTransmit", timeout: callTimeout)
        }
        return try result.get()
    }

    private func transmitHere(_ command: [UInt8]) -> Result<[UInt8], PCSCError> {
        let pci = CPCSCShim_pciForProtocol(UInt(activeProtocol.rawValue))?.assumingMemoryBound(to: SCARD_IO_REQUEST.self)
        var length = DWORD(receiveBuffer.count)
        let rc = command.withUnsafeBufferPointer { send in
            SCardTransmit(handle, pci, send.baseAddress, DWORD(send.count), nil, receiveBuffer.baseAddress, &length)
        }
        if let e = PCSCError(code: rc) { return .failure(e) }
        return .success(Array(receiveBuffer.prefix(Int(length))))
    }

    /// The card's ATR, from `SCardStatus`.
    public var atr: [UInt8] {
        get throws { try status().atr }
    }

    /// Reader name, state and ATR of the connected card. Calls `SCardStatus`.
    public func status() throws -> (state: ReaderStateFlags, atr: [UInt8]) {
        let h = handle
        return try call("SCardStatus") { () -> Result<(ReaderStateFlags, [UInt8]), PCSCError> in
            var state: DWORD = 0
            var proto: DWORD = 0
            var atr = [UInt8](repeating: 0, count: CPCSCShim_MAX_ATR_SIZE)
            var atrLength = DWORD(atr.count)
            var nameLength: DWORD = 0
            let rc = SCardStatus(h, nil, &nameLength, &state, &proto, &atr, &atrLength)
            if let e = PCSCError(code: rc) { return .failure(e) }
            return .success((ReaderStateFlags(rawValue: UInt32(truncatingIfNeeded: state) & 0xFFFF), Array(atr.prefix(Int(atrLength)))))
        }
    }

    /// Re-establishes the connection, e.g. with `.leave` after `SCARD_W_RESET_CARD` or `.reset`
    /// to reset the card. Calls `SCardReconnect`.
    public func reconnect(shareMode: ShareMode = .shared, protocols: CardProtocols = .any, initialization: CardDisposition) throws {
        let h = handle
        let proto = try call("SCardReconnect") { () -> Result<DWORD, PCSCError> in
            var active: DWORD = 0
            let rc = SCardReconnect(h, DWORD(shareMode.rawValue), DWORD(protocols.rawValue), DWORD(initialization.rawValue), &active)
            if let e = PCSCError(code: rc) { return .failure(e) }
            return .success(active)
        }
        activeProtocol = CardProtocols(rawValue: UInt32(proto))
    }

    /// Lets go of the card. Calls `SCardDisconnect`.
    public func disconnect(_ disposition: CardDisposition = .leave) throws {
        guard !disconnected.withLock({ $0 }) else { return }
        let h = handle
        try call("SCardDisconnect") { () -> Result<Void, PCSCError> in
            if let e = PCSCError(code: SCardDisconnect(h, DWORD(disposition.rawValue))) { return .failure(e) }
            return .success(())
        }
        disconnected.withLock { $0 = true }
    }

    /// Runs `body` inside a PC/SC transaction so no other program talks to the card in between;
    /// the transaction ends with LEAVE_CARD. Calls `SCardBeginTransaction` / `SCardEndTransaction`.
    public func withTransaction<T>(_ body: () throws -> T) throws -> T {
        let h = handle
        try call("SCardBeginTransaction") { () -> Result<Void, PCSCError> in
            if let e = PCSCError(code: SCardBeginTransaction(h)) { return .failure(e) }
            return .success(())
        }
        let result: T
        do {
            result = try body()
        } catch {
            _ = try? endTransaction()
            throw error
        }
        try endTransaction()
        return result
    }

    private func endTransaction() throws {
        let h = handle
        try call("SCardEndTransaction") { () -> Result<Void, PCSCError> in
            if let e = PCSCError(code: SCardEndTransaction(h, DWORD(CardDisposition.leave.rawValue))) { return .failure(e) }
            return .success(())
        }
    }

    /// Sends a reader control code (e.g. PC/SC part 10). Calls `SCardControl`.
    public func control(code: UInt32, data: [UInt8] = []) throws -> [UInt8] {
        let h = handle
        return try call("SCardControl") { () -> Result<[UInt8], PCSCError> in
            var out = [UInt8](repeating: 0, count: 4096)
            var returned: DWORD = 0
            let rc = data.withUnsafeBufferPointer { input in
                SCardControl(h, DWORD(code), input.baseAddress, DWORD(input.count), &out, DWORD(out.count), &returned)
            }
            if let e = PCSCError(code: rc) { return .failure(e) }
            return .success(Array(out.prefix(Int(returned))))
        }
    }

    /// The PC/SC part 10 features of the reader (tag → control code), e.g. a PIN pad's
    /// FEATURE_VERIFY_PIN_DIRECT. Empty for readers without any, like vpcd.
    public func readerFeatures() -> ReaderFeatures {
        guard let tlv = try? control(code: UInt32(CPCSCShim_getFeatureRequestCode())) else { return ReaderFeatures(tlv: []) }
        return ReaderFeatures(tlv: tlv)
    }

    /// Serialises a blocking call, runs it with the deadline, and turns a timeout into poison.
    private func call<T: Sendable>(_ name: String, _ body: @escaping @Sendable () -> Result<T, PCSCError>) throws -> T {
        guard !isPoisoned else { throw CardConnectionError.poisoned(reader: reader) }
        callLock.lock()
        defer { callLock.unlock() }
        guard let result = runner.run(timeout: callTimeout, body) else {
            poisoned.withLock { $0 = true }
            throw CardConnectionError.deadlineExceeded(operation: name, timeout: callTimeout)
        }
        return try result.get()
    }
}

/// The part 10 features a reader announces (`CM_IOCTL_GET_FEATURE_REQUEST`).
public struct ReaderFeatures: Sendable {
    let tlv: [UInt8]

    /// The control code for FEATURE_VERIFY_PIN_DIRECT, if the reader has a PIN pad.
    public var verifyPINDirect: UInt32? { code(for: CPCSCShim_FEATURE_VERIFY_PIN_DIRECT) }
    /// The control code for FEATURE_MODIFY_PIN_DIRECT.
    public var modifyPINDirect: UInt32? { code(for: CPCSCShim_FEATURE_MODIFY_PIN_DIRECT) }

    public init(tlv: [UInt8]) { self.tlv = tlv }

    func code(for tag: UInt8) -> UInt32? {
        let c = tlv.withUnsafeBufferPointer { CPCSCShim_findFeature($0.baseAddress, $0.count, tag) }
        return c == 0 ? nil : c
    }
}

/// Failures of a connection that are not pcsc-lite codes.
public enum CardConnectionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A call did not return in time (a mute card or a hung reader); the connection is poisoned.
    case deadlineExceeded(operation: String, timeout: Duration)
    /// An earlier call passed its deadline; open a new context and connection.
    case poisoned(reader: String)

    public var description: String {
        switch self {
        case .deadlineExceeded(let op, let t):
            return "\(op) did not return within \(t): the card or reader does not answer"
        case .poisoned(let r):
            return "the connection to \(r) is unusable after an earlier call timed out"
        }
    }
}
