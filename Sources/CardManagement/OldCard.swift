import Foundation

/// 原卡: the card a 补卡 or 换卡 application replaces, as the card-management system holds it
/// (《广东省社会保障卡经办规程》第二十三条至第三十一条). The desk asks for it before it makes the new
/// card, confirms it (换卡: the card handed in, its chip read), and asks the system to cancel it.
public struct OldCard: Hashable, Sendable, Codable {
    /// The 补卡/换卡 application that replaces the card.
    public var applicationID: String
    public var kind: Application.Kind
    /// 社保卡号 of the old card.
    public var cardNumber: String
    /// 社会保障号码 of its holder.
    public var socialSecurityNumber: String
    public var state: OldCardState
    /// The bank (开户银行) of the old card, when the system knows it.
    public var bank: String?
    /// The bank of the new card (the application's).
    public var newBank: String
    /// What became of the physical card, once the desk said so.
    public var disposition: OldCardDisposition?
    /// True once the desk read the handed-in card's chip and the system matched it (换卡).
    public var chipConfirmed: Bool

    public init(applicationID: String, kind: Application.Kind, cardNumber: String, socialSecurityNumber: String,
                state: OldCardState, bank: String?, newBank: String, disposition: OldCardDisposition?, chipConfirmed: Bool) {
        self.applicationID = applicationID; self.kind = kind; self.cardNumber = cardNumber
        self.socialSecurityNumber = socialSecurityNumber; self.state = state; self.bank = bank; self.newBank = newBank
        self.disposition = disposition; self.chipConfirmed = chipConfirmed
    }

    /// 变更服务银行 (《规程》第三十一条): the new card is of another bank than the old one.
    public var bankChanges: Bool { bank.map { $0 != newBank } ?? false }
}

/// The card-management system's state of an old card (《规程》第二十三条至第二十六条, 第三十一条).
public enum OldCardState: String, Hashable, Sendable, Codable, CaseIterable {
    /// 正常: in use.
    case normal = "正常"
    /// 临时挂失 (第二十四条): not enough for 补卡, which needs 正式挂失 (第二十七条一（一）).
    case temporarilyReportedLost = "临时挂失"
    /// 正式挂失 (第二十五条).
    case reportedLost = "正式挂失"
    /// 锁定: handed in for 换卡 and confirmed by its chip; stopped (第三十一条一（二）).
    case locked = "锁定"
    /// 已注销: cancelled (第二十七条一（四）); it no longer stands in the way of 一人一卡.
    case cancelled = "已注销"

    public var english: String {
        switch self {
        case .normal: "in use"
        case .temporarilyReportedLost: "temporarily reported lost"
        case .reportedLost: "formally reported lost"
        case .locked: "locked"
        case .cancelled: "cancelled"
        }
    }
}

/// What became of the physical old card (《规程》第二十七条一（四）, 第三十一条, 第三十二条).
public enum OldCardDisposition: String, Hashable, Sendable, Codable, CaseIterable {
    /// 丢失: the card is lost (补卡); nothing was handed in.
    case lost
    /// 已回收: handed in at the counter and kept for the bank (换卡).
    case collected
    /// 已销毁: handed in and destroyed at the counter (换卡; 废卡按银行借记卡规定处理, 第三十二条).
    case destroyed
    /// 交原服务银行: bank change — the holder takes it to the old bank, which moves the money and
    /// collects it (第三十一条二).
    case toOldBank

    public var chinese: String {
        switch self {
        case .lost: "丢失"
        case .collected: "已回收"
        case .destroyed: "已销毁"
        case .toOldBank: "交原服务银行回收"
        }
    }

    public var english: String {
        switch self {
        case .lost: "lost"
        case .collected: "collected"
        case .destroyed: "destroyed"
        case .toOldBank: "taken to the old bank"
        }
    }
}

/// 换卡: what the desk read from the chip of the card handed in (iReadCardBas), for the system
/// to match against the old card it holds. Idempotent on `requestID`.
public struct OldCardChipConfirmation: Hashable, Sendable, Codable {
    public var requestID: String
    public var applicationID: String
    /// 社保卡号 read from the chip.
    public var cardNumber: String
    /// 社会保障号码 read from the chip.
    public var socialSecurityNumber: String
    public var terminal: String
    public var clerk: String

    public init(requestID: String, applicationID: String, cardNumber: String, socialSecurityNumber: String,
                terminal: String, clerk: String) {
        self.requestID = requestID; self.applicationID = applicationID; self.cardNumber = cardNumber
        self.socialSecurityNumber = socialSecurityNumber; self.terminal = terminal; self.clerk = clerk
    }
}

/// The desk asks the system to cancel (注销) the old card and says what became of it.
/// Idempotent on `requestID`.
public struct OldCardCancellation: Hashable, Sendable, Codable {
    public var requestID: String
    public var applicationID: String
    /// 社保卡号 of the old card (must be the one the application replaces).
    public var cardNumber: String
    public var disposition: OldCardDisposition
    public var terminal: String
    public var clerk: String

    public init(requestID: String, applicationID: String, cardNumber: String, disposition: OldCardDisposition,
                terminal: String, clerk: String) {
        self.requestID = requestID; self.applicationID = applicationID; self.cardNumber = cardNumber
        self.disposition = disposition; self.terminal = terminal; self.clerk = clerk
    }
}
