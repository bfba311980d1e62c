import SSCardDriver

extension AuditLedgerEntry {
    /// The card an issuance outcome (制卡成功, 制卡补登, 领卡启用) names: its details start with
    /// "卡号 <社保卡号>". Nil for any other entry or a malformed number.
    public var namedCard: CardNumber? {
        guard details.hasPrefix("卡号 "), let word = details.split(separator: " ").dropFirst().first else { return nil }
        return CardNumber(word)
    }
}
