import SSCardDriver

extension SecretBytes {
    /// The bytes as an array, for assertions only: production code borrows them instead.
    var bytesForTest: [UInt8] { withUnsafeBytes { [UInt8]($0) } }
}
