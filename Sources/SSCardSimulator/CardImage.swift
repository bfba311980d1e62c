import Foundation
import SSCardDriver
import SSCardPrinter

/// Everything a simulated 3.0 card keeps across power cycles: its identity, SSSE records,
/// PINs, its own diversified keys and the PKI application. Saved as JSON so a technician's
/// virtual card survives restarts (format in docs/card-simulation.md).
///
/// The file holds the card's secret keys and private keys in clear: it is a test artefact,
/// written with mode 0600. Never put real keys in it.
public struct CardImage: Hashable, Sendable {
    /// The `format` string in the JSON file.
    public static let formatName = "sscard-simulated-3.0-card"
    /// The version of the JSON layout this code writes and reads.
    public static let formatVersion = 1

    /// 卡识别码 burnt in at card making: the ATR and the key diversification use it, whatever
    /// EF05 record 1 says later.
    public var cardIdentificationCode: CardIdentificationCode
    /// What is known about the physical pre-made card beyond the chip (bank, bank card number).
    public var label: PreMadeCardLabel
    /// Answer like a T=0 card: case 3/4 responses through 61xx + GET RESPONSE, wrong Le on
    /// READ RECORD/READ BINARY with 6Cxx. Off by default (T=1 behaviour).
    public var answersLikeT0: Bool
    /// EF05–EF08 of the SSSE.
    public var records: SSSERecords
    /// The SSSE PIN.
    public var userPIN: PINCounter
    /// The card's own keys (diversified from the HSM master keys at card making; the PKI
    /// master key may have been replaced since).
    public var keys: CardSecretKeys
    /// The PKI application.
    public var pki: PKIApplicationImage

    public init(cardIdentificationCode: CardIdentificationCode, label: PreMadeCardLabel, answersLikeT0: Bool = false,
                records: SSSERecords = SSSERecords(), userPIN: PINCounter = .initialUserPIN,
                keys: CardSecretKeys, pki: PKIApplicationImage = PKIApplicationImage()) {
        self.cardIdentificationCode = cardIdentificationCode
        self.label = label
        self.answersLikeT0 = answersLikeT0
        self.records = records
        self.userPIN = userPIN
        self.keys = keys
        self.pki = pki
    }

    /// A personalised card has holder data (any EF06 record); a blank pre-made card has none.
    public var isPersonalised: Bool { !records.recordNumbers(in: .ef06).isEmpty }

    /// 社会保障卡卡号 as EF05 holds it (empty when it holds none).
    public var cardNumber: String { String(decoding: records.value(of: .cardNumber) ?? [], as: UTF8.self) }

    /// The answer to reset (see `SimulatedATR`).
    public var atr: [UInt8] { SimulatedATR.atr(cardID: cardIdentificationCode, t0: answersLikeT0) }

    /// Writes the image as JSON to `url` atomically, mode 0600.
    public func save(to url: URL) throws(CardImageError) {
        let data: Data
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            data = try encoder.encode(self)
        } catch {
            throw .unwritable(path: url.path, reason: "\(error)")
        }
        do {
            // Created 0600 under a new name and renamed: never a moment readable by others,
            // never written through a symbolic link at `url`.
            try PrivateFile.write([UInt8](data), to: url.path)
        } catch {
            throw .unwritable(path: url.path, reason: error.reason)
        }
    }

    /// Reads an image written by `save(to:)`.
    public static func load(from url: URL) throws(CardImageError) -> CardImage {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadable(path: url.path, reason: error.localizedDescription)
        }
        do {
            return try JSONDecoder().decode(CardImage.self, from: data)
        } catch let error as DecodingError {
            throw .corrupt(path: url.path, reason: Self.explain(error))
        } catch {
            throw .corrupt(path: url.path, reason: "\(error)")
        }
    }

    private static func explain(_ error: DecodingError) -> String {
        func at(_ context: DecodingError.Context) -> String {
            let path = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        }
        switch error {
        case .dataCorrupted(let c): return at(c)
        case .keyNotFound(let key, let c): return "missing \"\(key.stringValue)\" (\(at(c)))"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return at(c)
        @unknown default: return "\(error)"
        }
    }
}

/// Why a card image could not be read or written.
public enum CardImageError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file could not be read (missing, no permission).
    case unreadable(path: String, reason: String)
    /// The file is not a card image this version understands: the reason names the field.
    case corrupt(path: String, reason: String)
    /// The file could not be written.
    case unwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): return "cannot read card image \(p): \(r)"
        case .corrupt(let p, let r): return "card image \(p) is corrupt: \(r)"
        case .unwritable(let p, let r): return "cannot write card image \(p): \(r)"
        }
    }
}

/// Facts about a pre-made card (预制卡) outside its chip's SSSE: which bank made it and the
/// bank card number on it. Kept with the image for the station's stock; no APDU reads them.
public struct PreMadeCardLabel: Codable, Hashable, Sendable {
    /// 银行, e.g. "模拟银行".
    public var bank: String
    /// 银行卡号 of the card's financial application.
    public var bankCardNumber: String

    public init(bank: String, bankCardNumber: String) {
        self.bank = bank
        self.bankCardNumber = bankCardNumber
    }
}

/// The card's own symmetric keys, one per `CardKeyRole`, 16 bytes each.
public struct CardSecretKeys: Hashable, Sendable {
    private var keys: [CardKeyRole: [UInt8]]

    /// The keys diversified from `masterKeys` for the card `cardID` (CardKeyScheme.cardKey).
    public init(diversifiedFrom masterKeys: HSMMasterKeys, cardID: CardIdentificationCode) throws(CryptoError) {
        var keys: [CardKeyRole: [UInt8]] = [:]
        for role in CardKeyRole.allCases { keys[role] = try masterKeys.cardKey(role, cardID: cardID.bytes) }
        self.keys = keys
    }

    /// The key of `role`. Setting a key of another size than 16 bytes traps.
    public subscript(role: CardKeyRole) -> [UInt8] {
        get { keys[role]! }
        set {
            precondition(newValue.count == CardKeyScheme.keySize, "card keys are 16 bytes")
            keys[role] = newValue
        }
    }
}

extension CardSecretKeys: Codable {
    private struct RoleKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// JSON: `{"internalAuthentication": "<32 hex>", "readKey": …, "writeKey": …,
    /// "pinUnblock": …, "pkiMaster": …}`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: RoleKey.self)
        var keys: [CardKeyRole: [UInt8]] = [:]
        for role in CardKeyRole.allCases {
            keys[role] = try c.decodeHex(RoleKey(stringValue: role.rawValue), count: CardKeyScheme.keySize)
        }
        self.keys = keys
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: RoleKey.self)
        for role in CardKeyRole.allCases { try c.encodeHex(self[role], forKey: RoleKey(stringValue: role.rawValue)) }
    }
}

extension CardImage: Codable {
    private enum CodingKeys: String, CodingKey {
        case format, formatVersion, cardIdentificationCode, label, answersLikeT0, ssse, userPIN, keys, pki
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let format = try c.decode(String.self, forKey: .format)
        guard format == Self.formatName else {
            throw DecodingError.dataCorruptedError(forKey: .format, in: c, debugDescription: "\"\(format)\" is not \"\(Self.formatName)\"")
        }
        let version = try c.decode(Int.self, forKey: .formatVersion)
        guard version == Self.formatVersion else {
            throw DecodingError.dataCorruptedError(forKey: .formatVersion, in: c, debugDescription: "version \(version); this build reads \(Self.formatVersion)")
        }
        guard let id = CardIdentificationCode(bytes: try c.decodeHex(.cardIdentificationCode, count: 16)) else {
            throw DecodingError.dataCorruptedError(forKey: .cardIdentificationCode, in: c, debugDescription: "not region BCD + D156000005 + 8 bytes")
        }
        cardIdentificationCode = id
        label = try c.decode(PreMadeCardLabel.self, forKey: .label)
        answersLikeT0 = try c.decode(Bool.self, forKey: .answersLikeT0)
        records = try c.decode(SSSERecords.self, forKey: .ssse)
        userPIN = try c.decode(PINCounter.self, forKey: .userPIN)
        guard userPIN.format == .packedBCD else {
            throw DecodingError.dataCorruptedError(forKey: .userPIN, in: c, debugDescription: "the SSSE PIN is packed BCD")
        }
        keys = try c.decode(CardSecretKeys.self, forKey: .keys)
        pki = try c.decode(PKIApplicationImage.self, forKey: .pki)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.formatName, forKey: .format)
        try c.encode(Self.formatVersion, forKey: .formatVersion)
        try c.encodeHex(cardIdentificationCode.bytes, forKey: .cardIdentificationCode)
        try c.encode(label, forKey: .label)
        try c.encode(answersLikeT0, forKey: .answersLikeT0)
        try c.encode(records, forKey: .ssse)
        try c.encode(userPIN, forKey: .userPIN)
        try c.encode(keys, forKey: .keys)
        try c.encode(pki, forKey: .pki)
    }
}
