/// A choice in a configuration file named by a word ("escape-tcp", "province"…): decoded once,
/// and a word it does not know is refused with the words it knows, at the key that held it.
public protocol ConfigurationKind: RawRepresentable, CaseIterable, Codable, Hashable, Sendable where RawValue == String {}

extension ConfigurationKind {
    /// "a, b or c", for messages.
    public static var allNames: String {
        let names = allCases.map(\.rawValue)
        guard let last = names.last else { return "" }
        return names.count == 1 ? last : names.dropLast().joined(separator: ", ") + " or " + last
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let kind = Self(rawValue: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "\"\(text)\" is not \(Self.allNames)"))
        }
        self = kind
    }
}
