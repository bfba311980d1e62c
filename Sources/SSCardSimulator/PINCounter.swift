import SSCardDriver

/// A PIN and its try counter as the card keeps them in non-volatile memory: the SSSE PIN
/// (社保应用 PIN, packed BCD, initial 123456, 6 tries) and the PKI admin PIN (管理员 PIN,
/// ASCII, initial 12345678, 6 tries).
public struct PINCounter: Codable, Hashable, Sendable {
    /// How a VERIFY carries the PIN and how the card compares it.
    public enum Format: String, Codable, Hashable, Sendable {
        /// Decimal digits, packed two a byte and F-padded (`123456` → `12 34 56`).
        case packedBCD
        /// The PIN's ASCII bytes.
        case ascii
    }

    /// The PIN: digits for `packedBCD`, printable ASCII for `ascii`.
    public var value: String
    public var format: Format
    /// Tries a fresh or reset counter has.
    public var maxTries: Int
    /// Wrong presentations left before the PIN blocks (0 = blocked).
    public var triesLeft: Int

    /// Programmer error (traps): a value `Self.isAcceptable` refuses, or maxTries outside 1…15.
    public init(value: String, format: Format, maxTries: Int = 6) {
        precondition(Self.isAcceptable(value, format: format), "PIN value does not fit its format")
        precondition((1...15).contains(maxTries), "a PIN counter holds 1…15 tries")
        self.value = value
        self.format = format
        self.maxTries = maxTries
        self.triesLeft = maxTries
    }

    /// The SSSE PIN of a new card: 123456, 6 tries.
    public static let initialUserPIN = PINCounter(value: "123456", format: .packedBCD)
    /// The PKI admin PIN of a new card: 12345678 (ASCII), 6 tries.
    public static let initialAdminPIN = PINCounter(value: "12345678", format: .ascii)

    /// 4–16 decimal digits for BCD; 4–16 printable ASCII characters (0x21…0x7E) otherwise.
    public static func isAcceptable(_ value: String, format: Format) -> Bool {
        let bytes = Array(value.utf8)
        guard (4...16).contains(bytes.count) else { return false }
        switch format {
        case .packedBCD: return bytes.allSatisfy { (0x30...0x39).contains($0) }
        case .ascii: return bytes.allSatisfy { (0x21...0x7E).contains($0) }
        }
    }

    /// The PIN as a command carries it; nil if `bytes` are not a canonical, acceptable PIN
    /// in `format` (BCD: F padding only in the last nibble).
    public static func value(from bytes: [UInt8], format: Format) -> String? {
        let text: String?
        switch format {
        case .packedBCD:
            text = BCD.decode(bytes).flatMap { BCD.encode($0) == bytes ? $0 : nil }
        case .ascii:
            text = bytes.allSatisfy { (0x21...0x7E).contains($0) } ? String(decoding: bytes, as: UTF8.self) : nil
        }
        guard let text, isAcceptable(text, format: format) else { return nil }
        return text
    }

    public var isBlocked: Bool { triesLeft == 0 }

    /// The bytes a correct VERIFY carries.
    var reference: [UInt8] {
        switch format {
        case .packedBCD: return BCD.encode(value) ?? []
        case .ascii: return Array(value.utf8)
        }
    }

    /// The first half of a presentation: one try spent, before the PIN is compared. A card
    /// writes this to its non-volatile memory first (`CardSession.presentPIN`), so pulling it
    /// out of the reader or losing power after a wrong PIN cannot give the try back.
    /// Programmer error (traps) on a blocked PIN.
    mutating func spendTry() {
        precondition(!isBlocked, "a blocked PIN has no try to spend")
        triesLeft -= 1
    }

    /// Whether `candidate` is the PIN, in constant time. Counts nothing: see `spendTry`.
    func matches(_ candidate: [UInt8]) -> Bool { constantTimeEqual(candidate, reference) }

    /// What a VERIFY without data answers: 6983 when blocked, else 63Cx.
    var status: StatusWord {
        isBlocked ? .authenticationMethodBlocked : Self.triesLeftStatus(triesLeft)
    }

    /// A new PIN with a full counter (RELOAD PIN, CHANGE PIN, admin PIN change).
    mutating func replace(with newValue: String) {
        value = newValue
        triesLeft = maxTries
    }

    /// UNBLOCK PIN: the counter only (仅重置尝试计数器); also a right PIN's full counter.
    mutating func resetCounter() { triesLeft = maxTries }

    static func triesLeftStatus(_ n: Int) -> StatusWord { StatusWord(0x63, 0xC0 | UInt8(n & 0x0F)) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        value = try c.decode(String.self, forKey: .value)
        format = try c.decode(Format.self, forKey: .format)
        maxTries = try c.decode(Int.self, forKey: .maxTries)
        triesLeft = try c.decode(Int.self, forKey: .triesLeft)
        guard Self.isAcceptable(value, format: format) else {
            throw DecodingError.dataCorruptedError(forKey: .value, in: c, debugDescription: "PIN is not 4–16 characters of its format")
        }
        guard (1...15).contains(maxTries), (0...maxTries).contains(triesLeft) else {
            throw DecodingError.dataCorruptedError(forKey: .triesLeft, in: c, debugDescription: "try counter outside 0…maxTries (1…15)")
        }
    }
}

/// Compares without stopping at the first difference, so timing does not reveal a prefix.
func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
    guard a.count == b.count else { return false }
    var diff: UInt8 = 0
    for i in a.indices { diff |= a[i] ^ b[i] }
    return diff == 0
}
