import Foundation

/// `fees` in station.json: the 工本费 and the city's own rules
/// (《广东省社会保障卡经办规程》第二十二条、第二十八条; the Guangzhou card service manual).
public struct FeeSetting: Codable, Hashable, Sendable {
    /// The fee of a card in 分: 2000 = 20元 (第二十二条, 粤价函〔2003〕167号).
    public var amountFen: Int
    /// The warranty of a card, in days from its issue date: a card replaced within it for a
    /// quality fault or damage not caused by the holder costs nothing (第二十二条（二）、第二十八条
    /// （二）, "以各地市的相关规定为准"; Guangzhou: 距卡面发卡日期不足1年, so 365 by default).
    public var warrantyDays: Int
    /// Further grounds of the city's own rules on which the fee is waived, as the clerk will
    /// name them (e.g. "最低生活保障对象"); none by default.
    public var localExemptions: [String]

    public init(amountFen: Int = 2000, warrantyDays: Int = 365, localExemptions: [String] = []) {
        self.amountFen = amountFen
        self.warrantyDays = warrantyDays
        self.localExemptions = localExemptions
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = FeeSetting()
        amountFen = try c.decodeIfPresent(Int.self, forKey: .amountFen) ?? d.amountFen
        warrantyDays = try c.decodeIfPresent(Int.self, forKey: .warrantyDays) ?? d.warrantyDays
        localExemptions = try c.decodeIfPresent([String].self, forKey: .localExemptions) ?? d.localExemptions
        guard (0...100_000).contains(amountFen) else {
            throw DecodingError.dataCorruptedError(forKey: .amountFen, in: c, debugDescription: "\(amountFen) is not 0–100000 分")
        }
        guard (0...3650).contains(warrantyDays) else {
            throw DecodingError.dataCorruptedError(forKey: .warrantyDays, in: c, debugDescription: "\(warrantyDays) is not 0–3650 days")
        }
        guard localExemptions.allSatisfy({ !$0.trimmingCharacters(in: .whitespaces).isEmpty && $0.count <= 50 }) else {
            throw DecodingError.dataCorruptedError(forKey: .localExemptions, in: c, debugDescription: "each ground is 1–50 characters")
        }
    }
}
