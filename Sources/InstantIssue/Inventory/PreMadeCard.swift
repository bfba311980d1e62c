import Foundation
import GRDB
import SSCardDriver

/// 预制卡: a pre-made card — chip already holding the bank, bank card number, 社保卡号 and personal
/// account, no holder yet. An important blank document (重要空白证件,
/// 《广东省社会保障卡经办规程》第三十六条（四）): every one is on the books from import to issue
/// or spoilage.
public struct PreMadeCard: Hashable, Sendable {
    /// 社保卡号, 9 upper-case letters or digits.
    public var cardNumber: CardNumber
    /// 卡识别码.
    public var cardIdentificationCode: CardIdentificationCode
    /// 卡复位码, hex.
    public var resetCode: String
    /// 银行: the bank named in the return file's name; hoppers are filled by bank.
    public var bank: String
    /// 银行卡号.
    public var bankCardNumber: String
    /// 装箱位置.
    public var packingPosition: String
    /// Where the card is now.
    public var state: PreMadeCardState
    /// The hopper a card `inHopper` or `reserved` sits in; nil otherwise.
    public var hopper: Hopper?
    /// On the outlet's shared books, the desk whose printer holds `hopper` (every desk has a
    /// hopper 1); nil in the safe, after the card left its hopper, and on a desk's own books.
    public var desk: String? = nil
    /// When and by whom the card last moved.
    public var updatedAt: StationTimestamp
    public var updatedBy: String
}

/// Where a pre-made card is. Each card is in exactly one state.
///
///     inStock ──load──▶ inHopper ──reserve──▶ reserved ──issue──▶ issued
///        │  ▲             │  ▲ ◀──release──────┘ │ │
///        │  └─load── returned ◀──unload / return──┘ │
///        └──────┴───────┴──spoil──▶ spoiled ◀───────┘
public enum PreMadeCardState: Hashable, Sendable, CustomStringConvertible {
    /// 在库: in the safe, as imported.
    case inStock
    /// 在卡盒: loaded in printer hopper n.
    case inHopper(Hopper)
    /// 已预留: set aside for one issuance (still in its hopper).
    case reserved(applicationID: String)
    /// 已发放: made into the applicant's card. Final.
    case issued(applicationID: String)
    /// 已作废: spoiled, with the reason. Final; the card goes to the reject box and is destroyed
    /// under the bank's rules.
    case spoiled(reason: String)
    /// 已退库: was out (hopper or reservation) and came back to the safe unused.
    case returned

    public var kind: Kind {
        switch self {
        case .inStock: .inStock
        case .inHopper: .inHopper
        case .reserved: .reserved
        case .issued: .issued
        case .spoiled: .spoiled
        case .returned: .returned
        }
    }

    public var description: String {
        switch self {
        case .inStock, .returned: kind.description
        case let .inHopper(h): "\(kind) \(h)"
        case let .reserved(a), let .issued(a): "\(kind) \(a)"
        case let .spoiled(r): "\(kind) \(r)"
        }
    }

    /// The state without its payload, as stored in the `state` column.
    public enum Kind: String, CaseIterable, Hashable, Sendable, Comparable, CustomStringConvertible {
        case inStock, inHopper, reserved, issued, spoiled, returned

        /// 在库, 在卡盒, 已预留, 已发放, 已作废, 已退库.
        public var chinese: String {
            switch self {
            case .inStock: "在库"
            case .inHopper: "在卡盒"
            case .reserved: "已预留"
            case .issued: "已发放"
            case .spoiled: "已作废"
            case .returned: "已退库"
            }
        }

        /// Issued and spoiled cards never move again.
        public var isFinal: Bool { self == .issued || self == .spoiled }

        public var description: String { "\(chinese) \(rawValue)" }
        public static func < (a: Self, b: Self) -> Bool { allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)! }
    }
}

/// A printer hopper (卡盒), 1–9 as `iLoadCard(n)` numbers them; one bank's cards per hopper.
/// (`iLoadCard(0)`, the default hopper of a single-hopper machine, is hopper 1 here.)
public struct Hopper: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int
    /// Nil outside 1–9.
    public init?(rawValue: Int) {
        guard (1...9).contains(rawValue) else { return nil }
        self.rawValue = rawValue
    }
    public init?(_ n: Int) { self.init(rawValue: n) }
    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    public var description: String { "卡盒\(rawValue) hopper \(rawValue)" }
}

/// One recorded move of a card (出入库及使用登记): from, to, who, when.
public struct PreMadeCardMovement: Hashable, Sendable {
    public var cardNumber: CardNumber
    /// Nil for the import that brought the card onto the books.
    public var from: PreMadeCardState.Kind?
    public var to: PreMadeCardState.Kind
    public var hopper: Hopper?
    public var applicationID: String?
    public var reason: String?
    public var clerk: String
    public var at: StationTimestamp
}

extension PreMadeCard: FetchableRecord {
    public init(row: Row) throws {
        cardNumber = try Self.cardNumber(row)
        let cic: String = row["card_identification_code"]
        guard let code = CardIdentificationCode(hex: cic) else {
            throw InventoryError.corruptRow(cardNumber: cardNumber.value, column: "card_identification_code")
        }
        cardIdentificationCode = code
        resetCode = row["reset_code"]
        bank = row["bank"]
        bankCardNumber = row["bank_card_number"]
        packingPosition = row["packing_position"]
        hopper = (row["hopper"] as Int?).flatMap(Hopper.init(rawValue:))
        updatedAt = StationTimestamp(uncheckedText: row["updated_at"])
        updatedBy = row["updated_by"]
        let kindText: String = row["state"]
        let application: String? = row["application_id"]
        let reason: String? = row["spoil_reason"]
        switch PreMadeCardState.Kind(rawValue: kindText) {
        case .inStock: state = .inStock
        case .inHopper:
            guard let hopper else { throw InventoryError.corruptRow(cardNumber: cardNumber.value, column: "hopper") }
            state = .inHopper(hopper)
        case .reserved:
            guard let application else { throw InventoryError.corruptRow(cardNumber: cardNumber.value, column: "application_id") }
            state = .reserved(applicationID: application)
        case .issued:
            guard let application else { throw InventoryError.corruptRow(cardNumber: cardNumber.value, column: "application_id") }
            state = .issued(applicationID: application)
        case .spoiled: state = .spoiled(reason: reason ?? "")
        case .returned: state = .returned
        case nil: throw InventoryError.corruptRow(cardNumber: cardNumber.value, column: "state")
        }
    }

    /// The row's `card_number`; one that is not a 社保卡号 is a corrupt row.
    static func cardNumber(_ row: Row) throws -> CardNumber {
        let text: String = row["card_number"]
        guard let number = CardNumber(text) else { throw InventoryError.corruptRow(cardNumber: text, column: "card_number") }
        return number
    }
}

extension PreMadeCardMovement: FetchableRecord {
    public init(row: Row) throws {
        cardNumber = try PreMadeCard.cardNumber(row)
        from = (row["from_state"] as String?).flatMap(PreMadeCardState.Kind.init(rawValue:))
        guard let to = PreMadeCardState.Kind(rawValue: row["to_state"]) else {
            throw InventoryError.corruptRow(cardNumber: cardNumber.value, column: "to_state")
        }
        self.to = to
        hopper = (row["hopper"] as Int?).flatMap(Hopper.init(rawValue:))
        applicationID = row["application_id"]
        reason = row["reason"]
        clerk = row["clerk"]
        at = StationTimestamp(uncheckedText: row["at"])
    }
}
