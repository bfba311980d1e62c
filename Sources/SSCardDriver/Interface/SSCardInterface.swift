import Foundation

/// The national reader interface as a Swift API: typed functions that throw `InterfaceError`,
/// and on top of them the `(code, pOutInfo)` form of the C functions (`InterfaceResult`).
/// Strings and C integers (`iType`, `pCardInfo`, the iPrint items…) exist only in that `i*`
/// form, which parses them into the typed arguments (`ReaderChoice`, `CardInfoArgument`, …).
///
/// One instance per process serves every caller: calls are serialised, because the card and
/// the two-step HSM state are shared.
///
/// `@unchecked Sendable`: all mutable state (sessions, pending HSM step) is touched only
/// under `lock`.
public final class SSCardInterface: @unchecked Sendable {
    public let configuration: DriverConfiguration
    /// The PSAM/HSM used by the one-step functions; nil makes them answer −2201.
    public let securityModule: (any CardSecurityModule)?
    /// The card printer of an instant-issuance desk; nil on a plain reader desk.
    public let printer: (any CardPrinterMechanics)?

    package let lock = NSRecursiveLock()
    private var channels: [ReaderKind: any CardChannel] = [:]
    /// Where channels come from: PC/SC sessions by default; tests give simulated cards.
    private let channelSource: (@Sendable (ReaderKind, DriverConfiguration) -> (any CardChannel)?)?
    /// What Step1 of a two-step function left for its Step2.
    var pendingStep: PendingHSMStep?
    /// `loadCard` has just powered the card it fed: `beginBasicReadOfFedCard` need not again.
    var fedCardPowered = false
    /// True for the counter's own interface (the station, `issue-station card`), where the
    /// holder sets a PIN at handover; false for every other caller (the C library, the browser
    /// bridge), to which `configuration.initialPIN` "counter-only" applies
    /// (《广东省社会保障卡经办规程》第十八条).
    public let isCounter: Bool

    /// `channelSource` replaces the PC/SC readers (nil = the readers of `configuration`);
    /// returning nil for a kind means the desk has no such reader.
    public init(
        configuration: DriverConfiguration = DriverConfiguration(), securityModule: (any CardSecurityModule)?,
        printer: (any CardPrinterMechanics)? = nil,
        channelSource: (@Sendable (ReaderKind, DriverConfiguration) -> (any CardChannel)?)? = nil,
        isCounter: Bool = false
    ) {
        self.isCounter = isCounter
        self.configuration = configuration
        self.securityModule = securityModule
        self.printer = printer
        self.channelSource = channelSource
    }

    /// Runs `body` with the card in the reader(s) `choice` names, serialised with every other
    /// call. A card that lost its state under us (reset by another program, pcscd restarted) is
    /// retried once from the start, since every body starts by selecting the SSSE.
    func withCard<T>(_ choice: ReaderChoice, _ body: (SocialSecurityCard) throws -> T) throws(InterfaceError) -> T {
        lock.lock()
        defer { lock.unlock() }
        var lastError = InterfaceError(.noCard)
        for kind in choice.order {
            guard let session = channel(for: kind) else {
                lastError = InterfaceError(.unsupported, detail: "未配置非接触读卡器", englishDetail: "no contactless reader is configured")
                continue
            }
            do {
                return try Self.retryingLostState { try body(SocialSecurityCard(channel: session)) }
            } catch {
                lastError = InterfaceError(from: error)
                // An empty or absent reader lets the next one in the order try.
                guard lastError.code == .noCard || lastError.code == .readerConnectError else { throw lastError }
            }
        }
        throw lastError
    }

    private static func retryingLostState<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch CardSessionError.cardStateLost {
            return try body()
        }
    }

    /// True when cards come from a channel source instead of PC/SC readers.
    var usesChannelSource: Bool { channelSource != nil }

    /// The contact reader's channel (a `PCSCCardSession` unless a channel source gives cards).
    var contactChannel: (any CardChannel)? { channel(for: .contact) }

    private func channel(for kind: ReaderKind) -> (any CardChannel)? {
        if let existing = channels[kind] { return existing }
        if let channelSource {
            let made = channelSource(kind, configuration)
            channels[kind] = made
            return made
        }
        let pattern: String?
        switch kind {
        case .contact: pattern = configuration.contactReader
        case .contactless:
            guard let p = configuration.contactlessReader else { return nil }
            pattern = p
        }
        let timeout = configuration.cardTimeout
        let session = PCSCCardSession(configuration: .init(readerPattern: pattern, callTimeout: timeout, recoveryTimeout: timeout))
        channels[kind] = session
        return session
    }

    /// The `(code, pOutInfo)` form of a typed call.
    package func result(_ body: () throws(InterfaceError) -> String) -> InterfaceResult {
        do {
            return InterfaceResult(code: 0, output: try body())
        } catch {
            return InterfaceResult(error: error)
        }
    }
}

/// What a C function returns: the code and the text for pOutInfo.
public struct InterfaceResult: Hashable, Sendable {
    public var code: Int
    public var output: String

    public init(code: Int, output: String) {
        self.code = code
        self.output = output
    }

    public init(error: InterfaceError) {
        code = error.code.rawValue
        output = error.message
    }
}

/// What Step1 of a two-step (HSM) function leaves for its Step2.
enum PendingHSMStep {
    case readBasic(HSMAuthenticationChallenge)
    case readCard(HSMAuthenticationChallenge, FileAddress)
    case writeCard(HSMAuthenticationChallenge, FileAddress)
    case pin(PendingPINStep)
}
