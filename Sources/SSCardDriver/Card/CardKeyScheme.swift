/// The project's documented SIMULATION key scheme for the 3.0 card (docs/card-simulation.md).
///
/// Real provinces keep their HSM key hierarchy and secure-messaging details secret
/// (no public document describes them, so [design]); this scheme is the project's own, shared by
/// the simulated card, the driver and the HSM simulator so that all three agree. It is not any
/// province's scheme.
///
/// - Per-card key = SM4-ECB(master key of the role, 卡识别码) — 16 bytes.
/// - INTERNAL AUTHENTICATE: the card answers SM4-ECB(card IRK, factor ‖ raw).
/// - EXTERNAL AUTHENTICATE: cryptogram = first 8 bytes of SM4-ECB(card key, challenge ‖
///   factor), factor = bytes 8..<16 of the 卡识别码.
/// - Secure-messaging commands (RELOAD/UNBLOCK PIN, PKI admin PIN and master key changes):
///   MAC = first 4 bytes of the SM4 CBC-MAC (ISO 9797-1 padding 2) of CLA INS P1 P2 Lc ‖ data,
///   Lc counting the 4 MAC bytes, IV = the card's last challenge padded with zeros to 16 bytes.
public enum CardKeyScheme {
    /// The size of every key in the scheme (SM4).
    public static let keySize = 16
    /// The size of the MAC appended to secure-messaging commands.
    public static let macSize = 4

    /// A card's own key for one role: SM4-ECB(`master`, `cardID`), where `cardID` is the
    /// 16-byte 卡识别码.
    public static func cardKey(master: [UInt8], cardID: [UInt8]) throws(CryptoError) -> [UInt8] {
        try requireCount(cardID, 16, "16-byte 卡识别码")
        return try SM4.encryptECB(cardID, key: master)
    }

    /// What a genuine card answers to INTERNAL AUTHENTICATE `00 88 00 00 10 <factor ‖ raw>`:
    /// SM4-ECB(card IRK, factor ‖ raw), 16 bytes. Factor = SJS1, raw = SJS2 (8 bytes each).
    public static func internalAuthResponse(cardKey: [UInt8], factor: [UInt8], raw: [UInt8]) throws(CryptoError) -> [UInt8] {
        try requireCount(factor, 8, "8-byte internal-authentication factor")
        try requireCount(raw, 8, "8-byte internal-authentication raw data")
        return try SM4.encryptECB(factor + raw, key: cardKey)
    }

    /// The 8-byte cryptogram of EXTERNAL AUTHENTICATE for `challenge` (the 8 bytes of the
    /// card's last GET CHALLENGE, SJS4): first 8 bytes of SM4-ECB(card key, challenge ‖
    /// 卡识别码[8..<16]). `cardKey` is the card's read (0A) or write (04) key.
    public static func externalAuthCryptogram(cardKey: [UInt8], challenge: [UInt8], cardID: [UInt8]) throws(CryptoError) -> [UInt8] {
        try requireCount(challenge, 8, "8-byte challenge")
        try requireCount(cardID, 16, "16-byte 卡识别码")
        return Array(try SM4.encryptECB(challenge + externalAuthFactor(cardID: cardID), key: cardKey).prefix(8))
    }

    /// The external-authentication factor (SJS3): bytes 8..<16 of the 卡识别码.
    public static func externalAuthFactor(cardID: [UInt8]) -> [UInt8] {
        precondition(cardID.count == 16, "卡识别码 must be 16 bytes")
        return Array(cardID[8..<16])
    }

    /// The data field of EXTERNAL AUTHENTICATE: cryptogram ‖ challenge (16 bytes).
    public static func externalAuthData(cardKey: [UInt8], challenge: [UInt8], cardID: [UInt8]) throws(CryptoError) -> [UInt8] {
        try externalAuthCryptogram(cardKey: cardKey, challenge: challenge, cardID: cardID) + challenge
    }

    /// The 4-byte MAC of a secure-messaging command `header` (CLA INS P1 P2) whose data field
    /// is `data` ‖ MAC: SM4 CBC-MAC with `cardKey` (PUK for the SSSE PIN, the PKI master key
    /// for the PKI application) over CLA INS P1 P2 (data.count + 4) ‖ data, padding 80 00…,
    /// IV = `challenge` (8 or 16 bytes) followed by zeros up to 16 bytes.
    public static func pinCommandMAC(cardKey: [UInt8], challenge: [UInt8], header: [UInt8], data: [UInt8]) throws(CryptoError) -> [UInt8] {
        try requireCount(header, 4, "4-byte command header")
        guard challenge.count == 8 || challenge.count == 16 else {
            throw .invalidInputLength(expected: "8- or 16-byte challenge", actual: challenge.count)
        }
        guard data.count + macSize <= 255 else {
            throw .invalidInputLength(expected: "at most 251 data bytes", actual: data.count)
        }
        let iv = challenge + [UInt8](repeating: 0, count: 16 - challenge.count)
        let input = header + [UInt8(data.count + macSize)] + data
        return Array(try SM4.cbcMAC(input, key: cardKey, iv: iv).prefix(macSize))
    }

    /// A complete secure-messaging command: `data` ‖ MAC in the data field.
    public static func securedCommand(cla: UInt8, ins: UInt8, p1: UInt8, p2: UInt8, data: [UInt8],
                                      cardKey: [UInt8], challenge: [UInt8]) throws(CryptoError) -> CommandAPDU {
        let mac = try pinCommandMAC(cardKey: cardKey, challenge: challenge, header: [cla, ins, p1, p2], data: data)
        return CommandAPDU(cla: cla, ins: ins, p1: p1, p2: p2, data: data + mac)
    }

    // MARK: The same with the card key as a secret (an HSM's diversified key)

    /// `internalAuthResponse` with `cardKey` lent through an array wiped afterwards.
    public static func internalAuthResponse(cardKey: borrowing SecretBytes, factor: [UInt8], raw: [UInt8]) throws(CryptoError) -> [UInt8] {
        try cardKey.withTemporaryArray { (key: [UInt8]) throws(CryptoError) in try internalAuthResponse(cardKey: key, factor: factor, raw: raw) }
    }

    /// `externalAuthData` with `cardKey` lent through an array wiped afterwards.
    public static func externalAuthData(cardKey: borrowing SecretBytes, challenge: [UInt8], cardID: [UInt8]) throws(CryptoError) -> [UInt8] {
        try cardKey.withTemporaryArray { (key: [UInt8]) throws(CryptoError) in
            try externalAuthData(cardKey: key, challenge: challenge, cardID: cardID)
        }
    }

    private static func requireCount(_ bytes: [UInt8], _ count: Int, _ what: String) throws(CryptoError) {
        guard bytes.count == count else { throw .invalidInputLength(expected: what, actual: bytes.count) }
    }
}

/// The roles of the card's symmetric keys in the simulation scheme.
public enum CardKeyRole: String, CaseIterable, Codable, Hashable, Sendable {
    /// IRK, internal authentication (内部认证密钥): the card proves it is genuine. No key id
    /// byte appears in INTERNAL AUTHENTICATE.
    case internalAuthentication
    /// RKSSSE, the read key (读密钥), EXTERNAL AUTHENTICATE key id 0A: opens EF06–EF08 for reading.
    case readKey
    /// UK, the write key (更新密钥), EXTERNAL AUTHENTICATE key id 04: opens EF05–EF08 for writing.
    case writeKey
    /// PUK, the PIN unblock/reload key (个人密码解锁密钥): MACs RELOAD PIN and UNBLOCK PIN.
    case pinUnblock
    /// The PKI application's master/control key (主控密钥): MACs the admin PIN and master key
    /// changes. The card can replace it (84 D4), so the card's current value may differ from
    /// the diversified one after the CA step.
    case pkiMaster

    /// The P2 key id of EXTERNAL AUTHENTICATE for this role, nil for roles not used there.
    public var externalAuthenticationKeyID: UInt8? {
        switch self {
        case .readKey: return 0x0A
        case .writeKey: return 0x04
        default: return nil
        }
    }

    /// The role EXTERNAL AUTHENTICATE key id `keyID` names, nil for an unknown id.
    public init?(externalAuthenticationKeyID keyID: UInt8) {
        guard let role = Self.allCases.first(where: { $0.externalAuthenticationKeyID == keyID }) else { return nil }
        self = role
    }
}

/// The HSM's master keys, one per role; a card's keys are diversified from them with its
/// 卡识别码 (`CardKeyScheme.cardKey`). The HSM simulator holds these.
///
/// The five keys live in one `SecretBytes` (16 bytes per role, zeroed when the last copy of
/// this value goes): copies of `HSMMasterKeys` share that one allocation instead of copying the
/// bytes. There is no accessor that returns a master key as an array: SM4 borrows it for the
/// one call (`secretCardKey`, `cardKey`) through an array wiped when the call ends.
public struct HSMMasterKeys: Hashable, Sendable {
    private final class Storage: Sendable {
        let bytes: SecretBytes
        init(_ bytes: consuming SecretBytes) { self.bytes = bytes }
    }
    private let storage: Storage

    private static func offset(_ role: CardKeyRole) -> Int {
        CardKeyRole.allCases.firstIndex(of: role)! * CardKeyScheme.keySize
    }

    /// Programmer error (traps): a key that is not 16 bytes or a role left out. The caller's
    /// arrays are copied, not wiped: build them where they can be (or use `init(wiping:)`).
    public init(_ keys: [CardKeyRole: [UInt8]]) {
        for role in CardKeyRole.allCases {
            precondition(keys[role]?.count == CardKeyScheme.keySize, "master key for \(role) must be 16 bytes")
        }
        let size = CardKeyScheme.keySize
        storage = Storage(SecretBytes(count: CardKeyRole.allCases.count * size) { out in
            for role in CardKeyRole.allCases {
                keys[role]!.withUnsafeBytes { key in
                    UnsafeMutableRawBufferPointer(rebasing: out[Self.offset(role)..<Self.offset(role) + size]).copyMemory(from: key)
                }
            }
        })
    }

    /// As `init(_:)`, then wipes the caller's arrays.
    public init(wiping keys: inout [CardKeyRole: [UInt8]]) {
        self.init(keys)
        for role in Array(keys.keys) { KeyMaterial.wipe(&keys[role]!) }
        keys.removeAll()
    }

    /// Lends the master key of `role` to `body` as an array wiped when `body` returns.
    func withMasterKey<R>(_ role: CardKeyRole, _ body: ([UInt8]) throws(CryptoError) -> R) throws(CryptoError) -> R {
        var key = storage.bytes.withUnsafeBytes { all in
            [UInt8](UnsafeRawBufferPointer(rebasing: all[Self.offset(role)..<Self.offset(role) + CardKeyScheme.keySize]))
        }
        defer { KeyMaterial.wipe(&key) }
        return try body(key)
    }

    /// The card key of `role` for the card with 卡识别码 `cardID`, as a secret of the caller's own.
    public func secretCardKey(_ role: CardKeyRole, cardID: [UInt8]) throws(CryptoError) -> SecretBytes {
        var key = try cardKey(role, cardID: cardID)
        return SecretBytes(wiping: &key)
    }

    /// The card key of `role` for the card with 卡识别码 `cardID`, as an array the caller wipes
    /// (the simulated card's image keeps its keys as arrays; an HSM uses `secretCardKey`).
    public func cardKey(_ role: CardKeyRole, cardID: [UInt8]) throws(CryptoError) -> [UInt8] {
        try withMasterKey(role) { (master: [UInt8]) throws(CryptoError) in try CardKeyScheme.cardKey(master: master, cardID: cardID) }
    }

    /// Same keys, compared without an early exit.
    public static func == (a: HSMMasterKeys, b: HSMMasterKeys) -> Bool {
        a.storage === b.storage || a.storage.bytes.isEqual(to: b.storage.bytes)
    }

    /// Hashes nothing of the keys (equal values still hash equally): a hash of a key is a
    /// fingerprint of it.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(storage.bytes.count)
    }
}
