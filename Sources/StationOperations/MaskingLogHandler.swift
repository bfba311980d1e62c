import Foundation
import Logging
import Synchronization

/// The log handler of every station program: masks each message and its metadata
/// (`LogMasking`) and hands the result to `inner` — by default swift-log's stream handler on
/// stderr, which journald keeps for a service (`journalctl -u …`).
public struct MaskingLogHandler: LogHandler {
    public var inner: any LogHandler

    public init(inner: any LogHandler) { self.inner = inner }

    /// A handler on stderr for `label` at `level`.
    public init(label: String, level: Logger.Level) {
        var stream = StreamLogHandler.standardError(label: label)
        stream.logLevel = level
        inner = stream
    }

    public var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    public var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = LogMasking.mask(newValue) }
    }

    public var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue.map { LogMasking.isSecret(key) ? .string(LogMasking.maskedValue) : LogMasking.mask($0) } }
    }

    public func log(event: LogEvent) {
        var masked = event
        masked.message = Logger.Message(stringLiteral: LogMasking.mask(event.message.description))
        masked.metadata = event.metadata.map(LogMasking.mask)
        // An attached error is written by its description: masked like the rest.
        if let error = event.error {
            masked.error = nil
            var metadata = masked.metadata ?? [:]
            metadata["error.message"] = .string(LogMasking.mask("\(error)"))
            metadata["error.type"] = .string(String(reflecting: type(of: error)))
            masked.metadata = metadata
        }
        // Metadata the provider adds at this point is masked too.
        if let provider = inner.metadataProvider {
            let provided = LogMasking.mask(provider.get())
            if !provided.isEmpty { masked.metadata = provided.merging(masked.metadata ?? [:]) { $1 } }
            var copy = inner
            copy.metadataProvider = nil
            copy.log(event: masked)
            return
        }
        inner.log(event: masked)
    }
}

/// The station's levels by name, for `--log-level` and the configuration.
public enum StationLogLevel: String, CaseIterable, Sendable {
    case error, warning, info, debug

    public var level: Logger.Level {
        switch self {
        case .error: .error
        case .warning: .warning
        case .info: .info
        case .debug: .debug
        }
    }
}

/// Installs the masking handler on stderr for every logger of the process. The first call
/// bootstraps swift-log; a later one only changes the level of loggers made from then on.
/// The driver's APDU trace (`sscard.driver.apdu`) is written at info whatever the level: its
/// switch is `traceAPDUs` in driver.json.
public enum StationLogging {
    /// Loggers made with this label are the APDU trace.
    public static let apduTraceLabel = "sscard.driver.apdu"
    private static let state = Mutex<(installed: Bool, level: Logger.Level)>((false, .info))

    /// `level` nil: nothing but the APDU trace is written (a one-shot command nobody asked to log).
    public static func bootstrap(level: StationLogLevel?) {
        let chosen = level?.level ?? .critical
        let first = state.withLock { state in
            state.level = chosen
            defer { state.installed = true }
            return !state.installed
        }
        guard first else { return }
        LoggingSystem.bootstrap { label in
            let level = state.withLock { $0.level }
            return MaskingLogHandler(label: label, level: label == apduTraceLabel ? min(level, .info) : level)
        }
    }

    /// The level asked for by `--log-level`, else `SSCARD_LOG_LEVEL`; nil when neither asks.
    /// Throws `UnknownLevel` for a name that is not a level.
    public static func requested(option: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(UnknownLevel) -> StationLogLevel? {
        guard let name = option ?? environment["SSCARD_LOG_LEVEL"].flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        guard let level = StationLogLevel(rawValue: name.lowercased()) else { throw UnknownLevel(name: name) }
        return level
    }

    public struct UnknownLevel: Error, CustomStringConvertible {
        public var name: String
        public var description: String { "\"\(name)\" is not a log level (error, warning, info, debug)" }
    }
}
