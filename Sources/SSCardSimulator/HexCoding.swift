import SSCardDriver

/// Byte fields of the card image are hex strings in JSON, readable by a technician.
extension KeyedDecodingContainer {
    func decodeHex(_ key: Key, count: Int? = nil) throws -> [UInt8] {
        let text = try decode(String.self, forKey: key)
        guard let bytes = [UInt8](hex: text) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not hexadecimal")
        }
        if let count, bytes.count != count {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "\(bytes.count) bytes, expected \(count)")
        }
        return bytes
    }

    func decodeHexIfPresent(_ key: Key, count: Int? = nil) throws -> [UInt8]? {
        guard try contains(key) && !decodeNil(forKey: key) else { return nil }
        return try decodeHex(key, count: count)
    }
}

extension KeyedEncodingContainer {
    mutating func encodeHex(_ bytes: [UInt8], forKey key: Key) throws {
        try encode(bytes.hexString, forKey: key)
    }

    mutating func encodeHexIfPresent(_ bytes: [UInt8]?, forKey key: Key) throws {
        try encodeIfPresent(bytes?.hexString, forKey: key)
    }
}
