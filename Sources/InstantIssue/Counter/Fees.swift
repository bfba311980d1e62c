import CardManagement
import Foundation

/// 工本费 at the counter (《广东省社会保障卡经办规程》第二十二条、第二十七条、第二十八条; the Guangzhou
/// card service manual: 补卡、换卡 每证（卡）20元): who pays, how much (`FeeSetting`), the receipt
/// number of the 《广东省非税收入（电子）票据》, recorded once per application in the 台账 and
/// totalled in the daily report.
public struct Fees: Sendable {
    public let station: Station
    public init(station: Station) { self.station = station }

    /// The 台账 actions.
    public static let chargedAction = "收取工本费"
    public static let waivedAction = "免收工本费"

    /// A 换卡 claimed free under the warranty: the old card's issue date (YYYYMMDD, as on its
    /// face) and the clerk's finding that the fault is the card's or not the holder's doing.
    public struct WarrantyClaim: Hashable, Sendable {
        public var oldCardIssueDate: String
        public var notCausedByHolder: Bool
        public init(oldCardIssueDate: String, notCausedByHolder: Bool) {
            self.oldCardIssueDate = oldCardIssueDate
            self.notCausedByHolder = notCausedByHolder
        }
    }

    /// What `applicationID` pays, by the rules: a first card (新申领) nothing (第二十二条（一）); a
    /// 补卡 the configured fee; a 换卡 the fee, or nothing with a warranty claim that holds
    /// (第二十二条（二）、第二十八条（二）); nothing on a local ground the configuration names.
    public func assess(applicationID: String, warrantyClaim: WarrantyClaim? = nil, localExemption: String? = nil) throws -> FeeCharge {
        let application = try station.cardManagement.application(id: applicationID)
        let setting = station.configuration.fees
        if let ground = localExemption {
            guard setting.localExemptions.contains(ground) else { throw FeeError.unknownExemption(ground, known: setting.localExemptions) }
            return FeeCharge(applicationID: applicationID, amountFen: 0, reason: .localExemption, exemptionGround: ground)
        }
        switch application.kind {
        case .new:
            guard warrantyClaim == nil else { throw FeeError.warrantyOnlyForRenewal }
            return FeeCharge(applicationID: applicationID, amountFen: 0, reason: .firstCard)
        case .replacement:
            guard warrantyClaim == nil else { throw FeeError.warrantyOnlyForRenewal }
            return FeeCharge(applicationID: applicationID, amountFen: setting.amountFen, reason: .replacement)
        case .renewal:
            guard let claim = warrantyClaim else {
                return FeeCharge(applicationID: applicationID, amountFen: setting.amountFen, reason: .renewal)
            }
            guard claim.notCausedByHolder else { throw FeeError.damageCausedByHolder }
            guard let issued = Self.date(claim.oldCardIssueDate) else { throw FeeError.badIssueDate(claim.oldCardIssueDate) }
            let days = Int(station.database.clock().timeIntervalSince(issued) / 86_400)
            guard days >= 0 else { throw FeeError.badIssueDate(claim.oldCardIssueDate) }
            guard days < setting.warrantyDays else { throw FeeError.outsideWarranty(days: days, warrantyDays: setting.warrantyDays) }
            return FeeCharge(applicationID: applicationID, amountFen: 0, reason: .warrantyFault)
        }
    }

    /// Records `charge` in the 台账, once per application: a fee charged needs the number of
    /// its 《广东省非税收入（电子）票据》 (letters, digits and `-`, 1–40); a waived fee has none.
    @discardableResult
    public func record(_ charge: FeeCharge, receiptNumber: String?, clerk: String) throws -> FeeCharge {
        if let known = try recorded(applicationID: charge.applicationID) { throw FeeError.alreadyRecorded(known) }
        var recorded = charge
        if charge.isWaived {
            guard receiptNumber == nil else { throw FeeError.receiptForWaivedFee }
        } else {
            guard let number = receiptNumber, (1...40).contains(number.count),
                  number.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || $0 == "-") }) else {
                throw FeeError.receiptNumberMissing
            }
            recorded.receiptNumber = number
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let details = String(decoding: try encoder.encode(recorded), as: UTF8.self)
        try station.ledger.append(clerk: clerk, action: recorded.isWaived ? Self.waivedAction : Self.chargedAction,
                                  subject: charge.applicationID, details: details)
        return recorded
    }

    /// The fee recorded for `applicationID`, if any.
    public func recorded(applicationID: String) throws -> FeeCharge? {
        try station.ledger.entries(subject: applicationID)
            .last { $0.action == Self.chargedAction || $0.action == Self.waivedAction }
            .flatMap { try? JSONDecoder().decode(FeeCharge.self, from: Data($0.details.utf8)) }
    }

    static func date(_ text: String) -> Date? {
        guard text.count == 8, text.allSatisfy(\.isASCII) else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "Asia/Shanghai")
        formatter.dateFormat = "yyyyMMdd"
        formatter.isLenient = false
        return formatter.date(from: text)
    }
}

/// Why a fee was not assessed or recorded; nothing was recorded.
public enum FeeError: Error, Hashable, Sendable, CustomStringConvertible {
    case unknownExemption(String, known: [String])
    case warrantyOnlyForRenewal
    case damageCausedByHolder
    case badIssueDate(String)
    case outsideWarranty(days: Int, warrantyDays: Int)
    case receiptNumberMissing
    case receiptForWaivedFee
    case alreadyRecorded(FeeCharge)

    public var chinese: String {
        switch self {
        case .unknownExemption(let g, let known): "“\(g)”不是本市规定的免收情形（配置的情形：\(known.isEmpty ? "无" : known.joined(separator: "、"))）"
        case .warrantyOnlyForRenewal: "质保期内免费只适用于换卡（第二十二条（二）、第二十八条（二））"
        case .damageCausedByHolder: "人为损坏的卡换卡须缴纳工本费（第二十八条（二））"
        case .badIssueDate(let d): "原卡发卡日期“\(d)”不是有效的 YYYYMMDD 日期"
        case .outsideWarranty(let days, let w): "原卡已发出\(days)天，超过\(w)天的质保期，换卡须缴纳工本费（第二十八条（二））"
        case .receiptNumberMissing: "收取工本费须填写《广东省非税收入（电子）票据》号码（字母、数字和 -，1至40位）"
        case .receiptForWaivedFee: "免收工本费不开票据，不要填写票据号码"
        case .alreadyRecorded(let c): "申请 \(c.applicationID) 的工本费已登记：\(c.receiptText)"
        }
    }

    public var english: String {
        switch self {
        case .unknownExemption(let g, let known): "“\(g)” is not a ground the city waives the fee on (configured: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
        case .warrantyOnlyForRenewal: "the warranty waiver is for 换卡 only (第二十二条（二）, 第二十八条（二）)"
        case .damageCausedByHolder: "a card the holder damaged is replaced for the fee (第二十八条（二）)"
        case .badIssueDate(let d): "the old card's issue date “\(d)” is not a valid YYYYMMDD date"
        case .outsideWarranty(let days, let w): "the old card was issued \(days) days ago, past the \(w)-day warranty: the fee is due (第二十八条（二）)"
        case .receiptNumberMissing: "a fee charged needs the number of its 《广东省非税收入（电子）票据》 (letters, digits, -; 1–40)"
        case .receiptForWaivedFee: "a waived fee has no receipt number"
        case .alreadyRecorded(let c): "the fee of application \(c.applicationID) is already recorded: \(c.receiptText)"
        }
    }

    public var description: String { chinese + " " + english }
}
