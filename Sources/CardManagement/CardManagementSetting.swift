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
    /// Base URL of the HTTP contract (docs/province-api.md), e.g. http://127.0.0.1:8735.
    public var url: String?
    /// Per-request timeout in seconds.
    public var timeoutSeconds: Double

    public init(kind: CardManagementKind = .embedded, simulatorDatabasePath: String? = nil, url: String? = nil, timeoutSeconds: Double = 10) {
        self.kind = kind; self.simulatorDatabasePath = simulatorDatabasePath; self.url = url; self.timeoutSeconds = timeoutSeconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decodeIfPresent(CardManagementKind.self, forKey: .kind) ?? .embedded
        simulatorDatabasePath = try c.decodeIfPresent(String.self, forKey: .simulatorDatabasePath)
        url = try c.decodeIfPresent(String.self, forKey: .url)
        timeoutSeconds = try c.decodeIfPresent(Double.self, forKey: .timeoutSeconds) ?? 10
        guard timeoutSeconds > 0, timeoutSeconds <= 600 else {
            throw DecodingError.dataCorruptedError(forKey: .timeoutSeconds, in: c, debugDescription: "\(timeoutSeconds) is not above 0 and at most 600 seconds")
        }
    }
}
