import Foundation

/// 工本费 of one card as charged or waived (《广东省社会保障卡经办规程》第二十二条): 20元/张 by
/// 粤价函〔2003〕167号, waived for a first card and for a card replaced within the warranty for a
/// quality fault or damage not caused by the holder (第二十二条（二）、第二十八条（二）).
public struct FeeCharge: Hashable, Sendable, Codable {
    /// Why this amount.
    public enum Reason: String, Hashable, Sendable, Codable, CaseIterable {
        /// 首次申领: free (第二十二条（一）).
        case firstCard = "first-card"
        /// 补卡: the card was lost; charged.
        case replacement
        /// 换卡: worn, data changed, expired, bank changed; charged.
        case renewal
        /// 换卡 within the warranty for a quality fault or damage not caused by the holder: free
        /// (第二十二条（二）、第二十八条（二）; the warranty is the city's, `fees.warrantyDays`).
        case warrantyFault = "warranty-fault"
        /// Another ground of the city's own rules, named in `fees.localExemptions`: free.
        case localExemption = "local-exemption"

        public var chinese: String {
            switch self {
            case .firstCard: "首次申领，免收"
            case .replacement: "补卡"
            case .renewal: "换卡"
            case .warrantyFault: "质保期内卡片质量问题或非人为损坏换卡，免收"
            case .localExemption: "本市规定免收"
            }
        }
    }

    public var applicationID: String
    /// 分 (1/100 元): 2000 = 20元.
    public var amountFen: Int
    public var reason: Reason
    /// 《广东省非税收入（电子）票据》 number of a charged fee (第二十七条); nil when waived.
    public var receiptNumber: String?
    /// The local ground of a `.localExemption`.
    public var exemptionGround: String?

    public var isWaived: Bool { amountFen == 0 }

    /// "20.00元（补卡；票据号 …）" / "免收（首次申领，免收）".
    public var receiptText: String {
        if isWaived {
            return "免收（\(reason.chinese)\(exemptionGround.map { "：\($0)" } ?? "")）"
        }
        return "\(Self.yuan(amountFen))元（\(reason.chinese)；票据号 \(receiptNumber ?? "")）"
    }

    /// 2000 → "20.00".
    public static func yuan(_ fen: Int) -> String {
        String(format: "%d.%02d", fen / 100, fen % 100)
    }
}
