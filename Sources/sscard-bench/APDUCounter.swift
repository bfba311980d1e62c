import SSCardDriver
import Synchronization

/// A `CardChannel` that passes every exchange through to `inner` and keeps what a real
/// reader would carry: each command's header (secret data hidden, as `APDUTrace` shows it) and
/// the sizes each way. The wire benchmark counts with it; the card never knows.
final class APDUCounter: CardChannel {
    /// One command/response exchange on the wire.
    struct Exchange: Sendable {
        /// The command as a trace shows it (a PIN or key replaced by its length).
        var trace: String
        var cla: UInt8
        var ins: UInt8
        var p1: UInt8
        var p2: UInt8
        var commandBytes: Int
        var responseBytes: Int
    }

    let inner: any CardChannel
    private let log = Mutex<[Exchange]>([])

    init(_ inner: any CardChannel) { self.inner = inner }

    var atr: [UInt8] { get throws { try inner.atr } }

    func transmitRaw(_ command: [UInt8]) throws -> [UInt8] {
        let response = try inner.transmitRaw(command)
        let header = command + [0, 0, 0, 0]
        let exchange = Exchange(trace: APDUTrace.command(command), cla: header[0], ins: header[1], p1: header[2], p2: header[3],
                                commandBytes: command.count, responseBytes: response.count)
        log.withLock { $0.append(exchange) }
        return response
    }

    /// The exchanges so far, in order.
    var exchanges: [Exchange] { log.withLock { $0 } }

    /// Forgets the exchanges so far (the next count starts at zero).
    func reset() { log.withLock { $0.removeAll() } }
}
