import Foundation

/// Who takes a card at the counter (领卡), and what the clerk checked
/// (《广东省社会保障卡经办规程》第十四条; the Guangzhou card service manual, 领卡和设置密码).
public enum CardRecipient: Hashable, Sendable, Codable {
    /// 本人领取: the holder, with their original ID document.
    case holder
    /// 代领: another person for the holder (高龄、疾病入院、长期异地…), with the holder's and their
    /// own original ID documents and the holder's authorisation (委托书 or the supporting papers).
    case agent(PersonIdentity, authorisation: String)
    /// 监护人: a legal guardian for a holder under 16, with the holder's ID document (户口簿),
    /// their own, and proof of guardianship (户口簿, 出生医学证明…).
    case guardian(PersonIdentity, proof: String)

    /// 本人 / 代领 / 监护人代领.
    public var chinese: String {
        switch self {
        case .holder: "本人领取"
        case .agent: "他人代领"
        case .guardian: "监护人代领"
        }
    }

    public var english: String {
        switch self {
        case .holder: "the holder in person"
        case .agent: "an agent for the holder"
        case .guardian: "the holder's guardian"
        }
    }

    /// The person who is not the holder, if any.
    public var person: PersonIdentity? {
        switch self {
        case .holder: nil
        case .agent(let p, _), .guardian(let p, _): p
        }
    }

    /// Who sets the 社保应用密码 at the counter: the holder, or the guardian of a minor. An
    /// agent does not (第十八条: 社保卡密码仅限持卡人本人使用); the holder sets it later.
    public var setsPIN: Bool {
        if case .agent = self { return false }
        return true
    }
}

/// A person other than the holder: name and ID number as on their original ID document.
public struct PersonIdentity: Hashable, Sendable, Codable {
    public var name: String
    /// 证件号码 as on the document (居民身份证 18 characters, or another document's number).
    public var idNumber: String

    public init(name: String, idNumber: String) {
        self.name = name
        self.idNumber = idNumber
    }

    /// The ID number with all but its first 6 and last 4 characters hidden, for the 台账 and
    /// the receipt's file: enough to find the copy kept, not a full ID number on every page.
    public var maskedIDNumber: String {
        let characters = Array(idNumber)
        guard characters.count > 10 else { return String(repeating: "*", count: characters.count) }
        return String(characters.prefix(6)) + String(repeating: "*", count: characters.count - 10) + String(characters.suffix(4))
    }
}

/// What the clerk confirms about the documents (第十四条: 核实领取人有效身份证件原件; 代办:
/// 核实申请人和领取人的有效身份证件原件，留存领取人身份证件复印件或影像资料).
public struct RecipientDocuments: Hashable, Sendable, Codable {
    /// The holder's original ID document was seen (for a minor: the 户口簿 or the ID card).
    public var holderIDSeen: Bool
    /// The recipient's own original ID document was seen (an agent's or guardian's).
    public var recipientIDSeen: Bool
    /// A copy or image of the recipient's ID document is kept (代领 and 监护人).
    public var recipientIDCopyKept: Bool

    public init(holderIDSeen: Bool, recipientIDSeen: Bool = false, recipientIDCopyKept: Bool = false) {
        self.holderIDSeen = holderIDSeen
        self.recipientIDSeen = recipientIDSeen
        self.recipientIDCopyKept = recipientIDCopyKept
    }
}
