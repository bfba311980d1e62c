import Logging

/// What a log line may not carry, cut out before it is written: a 社会保障号码 (GB 11643,
/// 18 characters) or any card number of 15–19 digits shows its first 6 and last 4 characters
/// only (`440106********123X`, enough to tell two applicants apart at the desk); the value of
/// any metadata key that names a secret (`pin`, `key`, `password`, `secret`, `token`,
/// `cryptogram`, `mac`) is replaced whole. PINs and keys are never logged by the code: this is
/// the second line of defence for a message that quotes an error carrying one.
public enum LogMasking {
    /// Metadata keys whose values are never written, matched case-insensitively as substrings.
    static let secretKeyParts = ["pin", "key", "password", "secret", "token", "cryptogram", "mac"]
    static let maskedValue = "‹masked›"

    /// `text` with every run of 15 or more digits (an 18-character SSN may end in X) cut to first 6 +
    /// last 4. A run inside a longer word of letters and digits counts too: `SSN440106…`.
    public static func mask(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        var run: [Character] = []
        func flush() {
            if run.count >= 15 {
                out += String(run.prefix(6)) + String(repeating: "*", count: run.count - 10) + String(run.suffix(4))
            } else {
                out += String(run)
            }
            run.removeAll(keepingCapacity: true)
        }
        for character in text {
            if character.isASCII, character.isNumber {
                run.append(character)
            } else if (character == "X" || character == "x"), run.count == 17 {
                run.append(character)
                flush()
            } else {
                flush()
                out.append(character)
            }
        }
        flush()
        return out
    }

    /// The metadata with secret-named keys replaced and every string value masked.
    public static func mask(_ metadata: Logger.Metadata) -> Logger.Metadata {
        var masked: Logger.Metadata = [:]
        for (key, value) in metadata {
            masked[key] = isSecret(key) ? .string(maskedValue) : mask(value)
        }
        return masked
    }

    static func mask(_ value: Logger.MetadataValue) -> Logger.MetadataValue {
        switch value {
        case .string(let s): return .string(mask(s))
        case .stringConvertible(let c): return .string(mask(c.description))
        case .array(let items): return .array(items.map(mask))
        case .dictionary(let d): return .dictionary(mask(d))
        }
    }

    static func isSecret(_ key: String) -> Bool {
        let lower = key.lowercased()
        return secretKeyParts.contains { lower.contains($0) }
    }
}
