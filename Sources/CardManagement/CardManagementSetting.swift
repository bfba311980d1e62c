import Foundation
import SSCardDriver

/// `cardManagement.kind`.
public enum CardManagementKind: String, ConfigurationKind {
    /// The province simulator in process, keeping its state beside the station database.
    case embedded
    /// The contract of docs/province-api.md over HTTP.
    case http
}

/// How a desk reaches the card-management system (`cardManagement` of the station
/// configuration, docs/configuration.md).
public struct CardManagementSetting: Codable, Hashable, Sendable {
    /// Where the card-management system is.
    public var kind: CardManagementKind
    /// The embedded simulator's own database; nil keeps it beside the station database.
    public var simulatorDatabasePath: String?
    /// Base URL of the HTTP contract (docs/province-api.md): `https://host:port`, or
    /// `http://127.0.0.1:port` to a loopback address only.
    public var url: String?
    /// Per-request timeout in seconds.
    public var timeoutSeconds: Double
    /// The desk's credential file (mode 0600) its requests are signed with (docs/province-api.md §4).
    public var credentialFile: String?
    /// PEM CA certificates the `https` server's certificate must chain to; nil: the system's.
    public var caFile: String?

    public init(kind: CardManagementKind = .embedded, simulatorDatabasePath: String? = nil, url: String? = nil, timeoutSeconds: Double = 10,
                credentialFile: String? = nil, caFile: String? = nil) {
        self.kind = kind; self.simulatorDatabasePath = simulatorDatabasePath; self.url = url; self.timeoutSeconds = timeoutSeconds
        self.credentialFile = credentialFile; self.caFile = caFile
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decodeIfPresent(CardManagementKind.self, forKey: .kind) ?? .embedded
        simulatorDatabasePath = try c.decodeIfPresent(String.self, forKey: .simulatorDatabasePath)
        url = try c.decodeIfPresent(String.self, forKey: .url)
        timeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? 10
        credentialFile = try c.decodeIfPresent(String.self, forKey: .credentialFile)
        caFile = try c.decodeIfPresent(String.self, forKey: .caFile)
        guard timeoutSeconds > 0, timeoutSeconds <= 600 else {
            throw DecodingError.dataCorruptedError(forKey: .timeoutSeconds, in: c, debugDescription: "\(timeoutSeconds) is not above 0 and at most 600 seconds")
        }
    }
}
