/// The error underneath another, kept as it was thrown (a `LibUSBError`, a `SocketError`, a
/// connector's error) so a caller can still look at its code, inside an error that must stay
/// `Hashable`.
///
/// Two causes are equal when they are equal values of one `Hashable` type; causes of other
/// types are equal when their type and description are.
public struct ErrorCause: Hashable, Sendable, CustomStringConvertible {
    public let error: any Error & Sendable

    public init(_ error: any Error & Sendable) {
        self.error = error
    }

    public var description: String { String(describing: error) }

    /// The error as an `AnyHashable` when its type is `Hashable`.
    private var hashable: AnyHashable? {
        ((error as Any) as? any Hashable).map { AnyHashable($0) }
    }

    public static func == (lhs: ErrorCause, rhs: ErrorCause) -> Bool {
        if let left = lhs.hashable, let right = rhs.hashable { return left == right }
        return ObjectIdentifier(type(of: lhs.error)) == ObjectIdentifier(type(of: rhs.error)) && lhs.description == rhs.description
    }

    public func hash(into hasher: inout Hasher) {
        if let value = hashable {
            hasher.combine(value)
        } else {
            hasher.combine(ObjectIdentifier(type(of: error)))
            hasher.combine(description)
        }
    }
}
