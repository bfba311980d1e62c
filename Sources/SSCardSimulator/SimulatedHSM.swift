import SSCardDriver

/// The HSM of the simulation scheme, holding master keys and diversifying per card.
/// A simulator: its keys are the public test keys unless others are given.
public struct SimulatedHSM: CardSecurityModule {
    public let masterKeys: HSMMasterKeys
    public let terminalNumber: String
    public let terminalDeviceNumber: String

    public init(masterKeys: HSMMasterKeys = .simulatorTestKeys,
                terminalNumber: String = "000000000000",
                terminalDeviceNumber: String = "SIMULATEDHSM00000000000000000000") {
        self.masterKeys = masterKeys
        self.terminalNumber = terminalNumber
        self.terminalDeviceNumber = terminalDeviceNumber
    }

    public func expectedInternalAuthentication(cardID: CardIdentificationCode, factor: [UInt8], raw: [UInt8]) throws -> [UInt8] {
        let key = try masterKeys.secretCardKey(.internalAuthentication, cardID: cardID.bytes)
        return try CardKeyScheme.internalAuthResponse(cardKey: key, factor: factor, raw: raw)
    }

    public func externalAuthentication(cardID: CardIdentificationCode, keyID: UInt8, challenge: [UInt8]) throws -> [UInt8] {
        guard let role = CardKeyRole(externalAuthenticationKeyID: keyID) else {
            throw CardError.malformedData("the HSM holds no key with id \([keyID].hexString)")
        }
        let key = try masterKeys.secretCardKey(role, cardID: cardID.bytes)
        return try CardKeyScheme.externalAuthData(cardKey: key, challenge: challenge, cardID: cardID.bytes)
    }
}

extension SimulatedHSM {
    /// What the province HSM answers to a two-step read's Step1: the `pKey` of Step2 —
    /// internal part = first 8 bytes of the genuine card's answer ‖ SJS2, external part = the
    /// EXTERNAL AUTHENTICATE data (key 0A) for SJS4.
    public func readAuthenticationKey(for step1: HSMAuthenticationChallenge) throws -> HSMAuthenticationKey {
        try authenticationKey(for: step1, keyID: 0x0A)
    }

    func authenticationKey(for step1: HSMAuthenticationChallenge, keyID: UInt8) throws -> HSMAuthenticationKey {
        let id = step1.cardIdentificationCode
        let answer = try expectedInternalAuthentication(
            cardID: id, factor: step1.internalAuthenticationFactor, raw: step1.internalAuthenticationRaw)
        return try HSMAuthenticationKey(
            internalAuthentication: Array(answer.prefix(8)) + step1.internalAuthenticationRaw,
            externalAuthentication: externalAuthentication(cardID: id, keyID: keyID, challenge: step1.externalAuthenticationRaw))
    }
}

extension SimulatedHSM {
    /// The `pKey` of a two-step write's Step2: as for reading, with the write key (04).
    public func writeAuthenticationKey(for step1: HSMAuthenticationChallenge) throws -> HSMAuthenticationKey {
        try authenticationKey(for: step1, keyID: 0x04)
    }
}

extension SimulatedHSM: PKISecurityModule {
    /// The admin PIN every simulated pre-made card is made with (docs/card-simulation.md).
    public func initialAdminPIN(cardID: CardIdentificationCode) throws -> SecretBytes {
        SecretBytes(utf8: PINCounter.initialAdminPIN.value)
    }

    public func pkiMasterCardKey(cardID: CardIdentificationCode) throws -> SecretBytes {
        try masterKeys.secretCardKey(.pkiMaster, cardID: cardID.bytes)
    }
}
