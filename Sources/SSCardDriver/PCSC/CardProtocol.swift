import CPCSCLite

/// Transmission protocols a connection may use (`SCARD_PROTOCOL_…`).
public struct CardProtocols: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let t0 = CardProtocols(rawValue: 0x0001)
    public static let t1 = CardProtocols(rawValue: 0x0002)
    public static let raw = CardProtocols(rawValue: 0x0004)
    public static let any: CardProtocols = [.t0, .t1]
}

/// How a connection shares the reader with other programs (`SCARD_SHARE_…`).
public enum ShareMode: UInt32, Sendable {
    case exclusive = 1
    case shared = 2
    /// Talk to the reader without a card (e.g. PIN-pad feature queries).
    case direct = 3
}

/// What happens to the card when a connection lets go of it (`SCARD_…_CARD`).
public enum CardDisposition: UInt32, Sendable {
    case leave = 0
    case reset = 1
    case unpower = 2
    case eject = 3
}
