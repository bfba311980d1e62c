/// What the instant-issuance CA steps need from the security module: the pre-made card's
/// initial admin PIN (管理员PIN) and its current PKI master card key (主控密钥), both batch
/// secrets of the card maker that a real desk gets from its HSM. Never logged or stored.
public protocol PKISecurityModule: Sendable {
    /// The admin PIN the card was made with, as ASCII bytes, in a secret of the caller's own
    /// (zeroed when the caller drops it).
    func initialAdminPIN(cardID: CardIdentificationCode) throws -> SecretBytes
    /// The card's current PKI master key (diversified), in a secret of the caller's own.
    func pkiMasterCardKey(cardID: CardIdentificationCode) throws -> SecretBytes

    /// Step2 loaded the card's certificates: secrets held for `cardID` are no longer needed
    /// and should be wiped now rather than at the end of the process.
    func releaseSecrets(cardID: CardIdentificationCode)
}

extension PKISecurityModule {
    /// A module that holds nothing between calls has nothing to release.
    public func releaseSecrets(cardID: CardIdentificationCode) {}
}
