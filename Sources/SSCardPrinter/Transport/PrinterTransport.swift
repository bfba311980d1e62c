import SSCardDriver
import Sockets
/// A byte link to a card printer: the USB printer-class bulk endpoints of a real printer
/// (`USBPrinterTransport`) or a local socket to the virtual printer (`SocketPrinterTransport`).
/// 打印机通信链路.
///
/// Commands go out as bytes; replies come back one at a time (`EscapeReplyAssembler` cuts
/// them). A transport opens its link on first use and again after a failure, so a printer that
/// was switched off and on is found again by the next call. Every call blocks the calling
/// thread up to its timeout: call it off the Swift cooperative pool. Calls from several
/// threads are serialised by the transport.
public protocol PrinterTransport: Sendable {
    /// Sends `bytes` (one or more whole commands), opening the link first when needed.
    func send(_ bytes: [UInt8], timeout: Duration) throws(PrinterTransportError)

    /// The next reply (without its terminator); `.timeout` when none is complete in time.
    func receiveReply(timeout: Duration) throws(PrinterTransportError) -> [UInt8]

    /// Throws away anything received and not yet read: a late reply to a command that timed
    /// out must not be taken for the answer to the next one.
    func discardPendingInput()

    /// Closes the link (the next `send` opens it again). Releases a USB interface to the kernel.
    func close()

    /// What the link goes to, for messages: "usb 0f49:0a00 bus 1 address 4", "127.0.0.1:35970".
    var endpointDescription: String { get }
}

extension PrinterTransport {
    /// Sends `command` and returns the printer's reply: the one exchange of the Escape language.
    public func exchange(_ command: EscapeCommand, timeout: Duration) throws(PrinterTransportError) -> EscapeReply {
        discardPendingInput()
        try send(command.bytes, timeout: timeout)
        return EscapeReply(bytes: try receiveReply(timeout: timeout))
    }
}

/// Why a transport could not carry bytes to or from the printer.
public enum PrinterTransportError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Nothing (or not all of it) went through before the deadline: `what` was being done.
    case timeout(String)
    /// The other end closed the link.
    case closed(String)
    /// No printer matches: `what` was looked for.
    case deviceNotFound(String)
    /// A libusb call failed: the call and libusb's code.
    case usb(call: String, error: LibUSBError)
    /// A socket call failed: the call and its errno.
    case socket(SocketError)

    public var description: String {
        switch self {
        case .timeout(let what): return "timed out \(what)"
        case .closed(let what): return "the printer closed the connection (\(what))"
        case .deviceNotFound(let what): return "no printer found: \(what)"
        case .usb(let call, let error): return "\(call): \(error)"
        case .socket(let error): return error.description
        }
    }

    /// The `PrinterError` the mechanics report while doing `operation`: a timeout is
    /// `.timeout`, anything else `.notConnected` with this error as the reason and its cause
    /// kept underneath: the `LibUSBError`, the `SocketError`, or this error itself.
    public func printerError(during operation: EscapeOperation) -> PrinterError {
        switch self {
        case .timeout: return .timeout(operation: operation.description)
        case .usb(_, let error): return .notConnected(reason: description, underlying: ErrorCause(error))
        case .socket(let error): return .notConnected(reason: description, underlying: ErrorCause(error))
        case .closed, .deviceNotFound: return .notConnected(reason: description, underlying: ErrorCause(self))
        }
    }
}

/// Deadlines as the transports count them.
package struct TransportDeadline {
    package let end: ContinuousClock.Instant

    package init(_ timeout: Duration) {
        end = .now + max(timeout, .zero)
    }

    /// Milliseconds left, at least `minimum` (libusb takes 0 as "no timeout").
    package func remainingMilliseconds(minimum: Int = 0) -> Int {
        let left = ContinuousClock.now.duration(to: end)
        let ms = left.components.seconds * 1_000 + left.components.attoseconds / 1_000_000_000_000_000
        return max(minimum, Int(ms))
    }

    package var hasPassed: Bool { ContinuousClock.now >= end }
}
