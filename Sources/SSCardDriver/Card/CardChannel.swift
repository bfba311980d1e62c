/// Something that exchanges APDUs with a card: a PC/SC connection through pcscd, or a
/// simulated card in the same process. The card model and the interface are written against
/// this protocol so they run unchanged over either.
public protocol CardChannel: AnyObject, Sendable {
    /// The answer to reset of the card behind the channel.
    var atr: [UInt8] { get throws }

    /// One command/response exchange exactly as given: no GET RESPONSE, no Le correction.
    func transmitRaw(_ command: [UInt8]) throws -> [UInt8]
}

/// A response that does not even hold the two status bytes, or a 61xx/6Cxx chain that does
/// not end.
public enum CardChannelError: Error, Hashable, Sendable, CustomStringConvertible {
    case responseTooShort([UInt8])
    case responseChainTooLong(rounds: Int)

    public var description: String {
        switch self {
        case .responseTooShort(let b): return "card answered \(b.count) bytes, fewer than a status word"
        case .responseChainTooLong(let n): return "card kept asking for GET RESPONSE after \(n) rounds"
        }
    }
}

extension CardChannel {
    /// Sends `command` and completes T=0 response handling that neither pcscd nor vpcd does:
    /// `61xx` → GET RESPONSE with Le = xx (00 = 256), data concatenated; `6Cxx` → the same
    /// command again with Le = xx. At most `maxRounds` extra exchanges.
    public func transmit(_ command: CommandAPDU, maxRounds: Int = 32) throws -> ResponseAPDU {
        var current = command
        var collected: [UInt8] = []
        var rounds = 0
        while true {
            let raw = try transmitRaw(current.bytes)
            guard let response = ResponseAPDU(bytes: raw) else { throw CardChannelError.responseTooShort(raw) }
            let sw = response.statusWord
            if sw.isWrongLe || sw.isBytesAvailable {
                rounds += 1
                guard rounds <= maxRounds else { throw CardChannelError.responseChainTooLong(rounds: rounds - 1) }
                let le = sw.sw2 == 0 ? 256 : Int(sw.sw2)
                if sw.isWrongLe {
                    current.expectedLength = le
                } else {
                    collected += response.data
                    current = CommandAPDU(cla: command.cla & 0x03, ins: 0xC0, p1: 0, p2: 0, expectedLength: le)
                }
                continue
            }
            return ResponseAPDU(data: collected + response.data, statusWord: sw)
        }
    }
}
