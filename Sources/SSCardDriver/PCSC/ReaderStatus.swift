import CPCSCLite

/// The state bits of a reader as `SCardGetStatusChange` reports them (`SCARD_STATE_…`).
public struct ReaderStateFlags: OptionSet, Hashable, Sendable {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let ignore = ReaderStateFlags(rawValue: 0x0001)
    public static let changed = ReaderStateFlags(rawValue: 0x0002)
    public static let unknown = ReaderStateFlags(rawValue: 0x0004)
    public static let unavailable = ReaderStateFlags(rawValue: 0x0008)
    public static let empty = ReaderStateFlags(rawValue: 0x0010)
    public static let present = ReaderStateFlags(rawValue: 0x0020)
    public static let atrMatch = ReaderStateFlags(rawValue: 0x0040)
    public static let exclusive = ReaderStateFlags(rawValue: 0x0080)
    public static let inUse = ReaderStateFlags(rawValue: 0x0100)
    public static let mute = ReaderStateFlags(rawValue: 0x0200)
    public static let unpowered = ReaderStateFlags(rawValue: 0x0400)
}

/// What a reader looks like at one moment.
public struct ReaderStatus: Hashable, Sendable {
    public var reader: String
    /// State bits with pcsc-lite's event counter (upper 16 bits of dwEventState) masked off.
    public var state: ReaderStateFlags
    /// Counts insert/remove events; changes when a card was swapped between two looks.
    public var eventCount: UInt16
    /// The ATR of the card in the reader, empty when none.
    public var atr: [UInt8]

    public var hasCard: Bool { state.contains(.present) && !state.contains(.mute) }

    init(reader: String, eventState: DWORD, atr: [UInt8]) {
        self.reader = reader
        let raw = UInt32(truncatingIfNeeded: eventState)
        state = ReaderStateFlags(rawValue: raw & 0xFFFF).subtracting(.changed)
        eventCount = UInt16(raw >> 16)
        self.atr = atr
    }
}
