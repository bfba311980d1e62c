import Foundation

/// The `bridge` object of the driver configuration file (driver.json), read beside the
/// driver's own keys (which ignore it): what an outlet sets once instead of on the command line.
///
///     "bridge": { "port": 12342,
///                 "allowOrigins": ["https://sbk.example.gov.cn"],
///                 "tokens": { "https://sbk.example.gov.cn": "…" } }
public struct BridgeSettings: Decodable, Sendable, Hashable {
    public var port: Int?
    public var allowOrigins: [String]?
    public var tokens: [String: String]?

    public init(port: Int? = nil, allowOrigins: [String]? = nil, tokens: [String: String]? = nil) {
        self.port = port
        self.allowOrigins = allowOrigins
        self.tokens = tokens
    }

    private struct File: Decodable { var bridge: BridgeSettings? }

    /// The settings in the file at `path`; none when the file has no `bridge` object.
    public static func load(path: String) throws -> BridgeSettings {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let settings = try JSONDecoder().decode(File.self, from: data).bridge ?? BridgeSettings()
        if let port = settings.port, !(1...65_535).contains(port) {
            throw BridgeSettingsError(path: path, reason: "bridge.port \(port) is not 1–65535")
        }
        for origin in settings.allowOrigins ?? [] + Array((settings.tokens ?? [:]).keys) where !Self.isOrigin(origin) {
            throw BridgeSettingsError(path: path, reason: "\(origin) is not an origin (scheme://host[:port])")
        }
        return settings
    }

    /// `scheme://host[:port]` with scheme http or https and nothing after.
    public static func isOrigin(_ text: String) -> Bool {
        let o = OriginPolicy.normalised(text)
        guard let c = URLComponents(string: o), let scheme = c.scheme, scheme == "http" || scheme == "https",
              let host = c.host, !host.isEmpty else { return false }
        return c.path.isEmpty && c.query == nil && c.fragment == nil && c.user == nil
    }
}

public struct BridgeSettingsError: Error, CustomStringConvertible, Sendable {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}
