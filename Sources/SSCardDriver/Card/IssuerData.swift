/// EF05, the issuer data a pre-made card already carries: who made the chip and which card it is.
public struct IssuerData: Hashable, Sendable {
    public var cardIdentificationCode: CardIdentificationCode
    /// 卡的类别, "3" on these cards.
    public var cardType: String
    /// 规范版本, "3.00".
    public var specificationVersion: String
    /// 初始化机构编号 as 24 hex characters.
    public var initialisingOrganisation: String
    /// 发卡日期 YYYYMMDD; empty when the record is absent.
    public var issueDate: String
    /// 卡有效期 YYYYMMDD; empty when the record is absent.
    public var expiryDate: String
    /// 卡号, 9 alphanumerics.
    public var cardNumber: String
}
