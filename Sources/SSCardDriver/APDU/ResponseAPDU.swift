/// A response APDU: data followed by the status word.
public struct ResponseAPDU: Hashable, Sendable, CustomStringConvertible {
    public var data: [UInt8]
    public var statusWord: StatusWord

    public init(data: [UInt8] = [], statusWord: StatusWord) {
        self.data = data
        self.statusWord = statusWord
    }

    /// Splits bytes from the card; nil when fewer than the two status bytes arrived.
    public init?(bytes: [UInt8]) {
        guard bytes.count >= 2 else { return nil }
        data = Array(bytes[..<(bytes.count - 2)])
        statusWord = StatusWord(bytes[bytes.count - 2], bytes[bytes.count - 1])
    }

    public var bytes: [UInt8] { data + statusWord.bytes }

    public var description: String {
        data.isEmpty ? statusWord.description : "\(data.hexString) \(statusWord)"
    }
}
