import CPCSCLite

/// An error returned by pcsc-lite, keeping the raw code (`SCARD_E_…`, `SCARD_W_…`, `SCARD_F_…`).
///
/// On Linux x86_64 pcsc-lite's `LONG` is 64 bits wide, so codes are kept as their 32-bit value.
/// `catch PCSCError.noService` works through `~=`.
public struct PCSCError: Error, RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// pcsc-lite's own text for the code (`pcsc_stringify_error`), e.g. "Card was removed.".
    public var pcscText: String { String(cString: pcsc_stringify_error(Int(rawValue))) }

    public var description: String {
        "\(pcscText.trimmingTrailingDot) (PC/SC 0x\(String(rawValue, radix: 16, uppercase: true)))"
    }

    /// The error behind a pcsc-lite return code; nil for SCARD_S_SUCCESS.
    init?(code: Int) {
        let value = UInt32(truncatingIfNeeded: code)
        guard value != 0 else { return nil }
        rawValue = value
    }

    public static func ~= (pattern: PCSCError, error: any Error) -> Bool {
        (error as? PCSCError) == pattern
    }

    /// SCARD_F_INTERNAL_ERROR
    public static let internalError = PCSCError(rawValue: 0x8010_0001)
    /// SCARD_E_CANCELLED: SCardCancel ended the wait.
    public static let cancelled = PCSCError(rawValue: 0x8010_0002)
    /// SCARD_E_INVALID_HANDLE
    public static let invalidHandle = PCSCError(rawValue: 0x8010_0003)
    /// SCARD_E_INVALID_PARAMETER
    public static let invalidParameter = PCSCError(rawValue: 0x8010_0004)
    /// SCARD_E_NO_MEMORY
    public static let noMemory = PCSCError(rawValue: 0x8010_0006)
    /// SCARD_E_INSUFFICIENT_BUFFER: note the command has already run on the card.
    public static let insufficientBuffer = PCSCError(rawValue: 0x8010_0008)
    /// SCARD_E_UNKNOWN_READER: the reader is gone (unplugged) or was never there.
    public static let unknownReader = PCSCError(rawValue: 0x8010_0009)
    /// SCARD_E_TIMEOUT: SCardGetStatusChange timed out.
    public static let timeout = PCSCError(rawValue: 0x8010_000A)
    /// SCARD_E_SHARING_VIOLATION: another program holds the card exclusively.
    public static let sharingViolation = PCSCError(rawValue: 0x8010_000B)
    /// SCARD_E_NO_SMARTCARD: no card in the reader.
    public static let noSmartcard = PCSCError(rawValue: 0x8010_000C)
    /// SCARD_E_PROTO_MISMATCH
    public static let protocolMismatch = PCSCError(rawValue: 0x8010_000F)
    /// SCARD_E_NOT_READY
    public static let notReady = PCSCError(rawValue: 0x8010_0010)
    /// SCARD_F_COMM_ERROR: the reader driver lost the card or the connection to it.
    public static let commError = PCSCError(rawValue: 0x8010_0013)
    /// SCARD_E_NOT_TRANSACTED: the exchange with the card failed (e.g. it left the reader).
    public static let notTransacted = PCSCError(rawValue: 0x8010_0016)
    /// SCARD_E_READER_UNAVAILABLE
    public static let readerUnavailable = PCSCError(rawValue: 0x8010_0017)
    /// SCARD_E_NO_SERVICE: pcscd is not running (or was restarted under this context).
    public static let noService = PCSCError(rawValue: 0x8010_001D)
    /// SCARD_E_SERVICE_STOPPED
    public static let serviceStopped = PCSCError(rawValue: 0x8010_001E)
    /// SCARD_E_UNSUPPORTED_FEATURE
    public static let unsupportedFeature = PCSCError(rawValue: 0x8010_001F)
    /// SCARD_E_NO_READERS_AVAILABLE
    public static let noReadersAvailable = PCSCError(rawValue: 0x8010_002E)
    /// SCARD_W_UNRESPONSIVE_CARD: the card gave no answer to reset.
    public static let unresponsiveCard = PCSCError(rawValue: 0x8010_0066)
    /// SCARD_W_UNPOWERED_CARD
    public static let unpoweredCard = PCSCError(rawValue: 0x8010_0067)
    /// SCARD_W_RESET_CARD: another handle reset the card; reconnect with LEAVE_CARD.
    public static let resetCard = PCSCError(rawValue: 0x8010_0068)
    /// SCARD_W_REMOVED_CARD: the card left the reader; this handle is dead.
    public static let removedCard = PCSCError(rawValue: 0x8010_0069)
    /// SCARD_W_SECURITY_VIOLATION: pcscd refused the client (polkit).
    public static let securityViolation = PCSCError(rawValue: 0x8010_006A)

    /// True for errors after which the context must be established again (pcscd went away).
    public var meansServiceLost: Bool { self == .noService || self == .serviceStopped }
}

extension String {
    fileprivate var trimmingTrailingDot: Substring { hasSuffix(".") ? dropLast() : Substring(self) }
}

/// Throws the PC/SC error behind `code` unless it is SCARD_S_SUCCESS.
@inline(__always)
func pcscCheck(_ code: Int) throws(PCSCError) {
    if let error = PCSCError(code: code) { throw error }
}
