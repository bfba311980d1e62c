/// How the bridge runs. It always listens on 127.0.0.1 only: nothing here can open it to the
/// network.
public struct BridgeConfiguration: Sendable {
    /// The vendors' port, which pages have written in: 12342.
    public static let defaultPort = 12342

    /// 0 lets the system choose (tests); `BridgeServer.port` tells which.
    public var port: Int
    public var policy: OriginPolicy
    /// A message above this many bytes is answered −14 (and discarded as it arrives); the
    /// connection stays usable. iPrint's photos (≤ 1 MB JPEG each, base64) fit under 4 MiB.
    public var messageLimit: Int
    /// A single WebSocket frame above this closes the connection (code 1009): the transport's
    /// own limit, far above `messageLimit`.
    public var frameLimit: Int
    /// A connection with no request for this long is closed.
    public var idleTimeout: Duration
    /// Requests per second per connection, and the burst allowed above it.
    public var ratePerSecond: Double
    public var rateBurst: Int
    /// How long a call waits for a reader another connection is using before "busy" (a
    /// request may ask for less or more with `"wait"`, in ms).
    public var busyWait: Duration
    /// How long a two-step session may wait between its steps.
    public var sessionTimeout: Duration
    /// After iLoadCard, how long a read of the fed card retries "no card" while pcscd
    /// catches up (its presence poll is 400 ms).
    public var fedCardSettle: Duration
    public var language: BridgeLanguage

    public init(port: Int = BridgeConfiguration.defaultPort, policy: OriginPolicy = OriginPolicy(),
                messageLimit: Int = 4 << 20, frameLimit: Int = 16 << 20, idleTimeout: Duration = .seconds(600),
                ratePerSecond: Double = 50, rateBurst: Int = 100, busyWait: Duration = .seconds(5),
                sessionTimeout: Duration = .seconds(120), fedCardSettle: Duration = .seconds(3),
                language: BridgeLanguage = .zh) {
        self.port = port
        self.policy = policy
        self.messageLimit = messageLimit
        self.frameLimit = frameLimit
        self.idleTimeout = idleTimeout
        self.ratePerSecond = ratePerSecond
        self.rateBurst = rateBurst
        self.busyWait = busyWait
        self.sessionTimeout = sessionTimeout
        self.fedCardSettle = fedCardSettle
        self.language = language
    }
}

/// What the bridge logs of one call: never card data, pOutInfo or parameters — the function,
/// who asked, the code and the time taken.
public struct BridgeCallRecord: Sendable, Hashable, CustomStringConvertible {
    public var connection: Int
    public var origin: String
    /// The canonical name, or the page's name reduced to [A-Za-z0-9_] (at most 48).
    public var function: String
    public var code: Int
    public var milliseconds: Double

    public init(connection: Int, origin: String, function: String, code: Int, milliseconds: Double) {
        self.connection = connection
        self.origin = origin
        self.function = function
        self.code = code
        self.milliseconds = milliseconds
    }

    public var description: String {
        "bridge call conn=\(connection) origin=\(origin) function=\(function.isEmpty ? "-" : function) code=\(code) ms=\(String(format: "%.2f", milliseconds))"
    }

    static func loggedName(_ name: String) -> String {
        String(name.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }.prefix(48))
    }
}

import Foundation
