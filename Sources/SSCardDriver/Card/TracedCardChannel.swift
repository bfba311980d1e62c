import Logging

/// A channel that logs each exchange it passes on, for driver.json's `traceAPDUs`: one info
/// line per APDU with the reader, the masked command and response (`APDUTrace.masked`) and the
/// time the card took. What the card said is returned unchanged.
final class TracedCardChannel: CardChannel {
    let inner: any CardChannel
    let logger: Logger
    let reader: ReaderKind

    init(_ inner: any CardChannel, reader: ReaderKind, logger: Logger) {
        self.inner = inner
        self.reader = reader
        self.logger = logger
    }

    var atr: [UInt8] { get throws { try inner.atr } }

    func transmitRaw(_ command: [UInt8]) throws -> [UInt8] {
        let clock = ContinuousClock()
        let start = clock.now
        let shown = APDUTrace.masked(command: command)
        do {
            let response = try inner.transmitRaw(command)
            let micros = (clock.now - start) / .microseconds(1)
            logger.info("> \(shown)  < \(APDUTrace.masked(response: response, to: command))  [\(Int(micros)) µs]",
                        metadata: ["reader": "\(reader)"])
            return response
        } catch {
            logger.info("> \(shown)  < no answer: \(error)", metadata: ["reader": "\(reader)"])
            throw error
        }
    }
}
