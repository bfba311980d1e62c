import SSCardDriver

/// The simulated HSM MACs RELOAD PIN and UNBLOCK PIN with the card's PUK, the way the
/// interface asks (`PINSecurityModule`): it encrypts the MAC input the driver built and never
/// sees a PIN.
extension SimulatedHSM: PINSecurityModule {
    public func pinCommandMAC(cardID: CardIdentificationCode, macInput: [UInt8]) throws -> [UInt8] {
        guard macInput.count == 16 else { throw CardError.malformedData("a PIN command's MAC input is 16 bytes, not \(macInput.count)") }
        let key = try masterKeys.secretCardKey(.pinUnblock, cardID: cardID.bytes)
        return try key.withTemporaryArray { (key: [UInt8]) throws(CryptoError) in
            Array(try SM4.encryptECB(macInput, key: key).prefix(CardKeyScheme.macSize))
        }
    }
}

extension SimulatedHSM {
    /// What the province HSM answers to Step1 of iReloadPIN_HSM / iUnblockPIN_HSM: the Step2
    /// `pKey`, first 8 bytes of the genuine card's INTERNAL AUTHENTICATE answer ‖ SJS2.
    public func pinResetAuthentication(for step1: PINResetChallenge) throws -> PINResetAuthentication {
        let answer = try expectedInternalAuthentication(
            cardID: step1.cardIdentificationCode, factor: step1.internalAuthenticationFactor, raw: step1.internalAuthenticationRaw)
        return try PINResetAuthentication(internalAuthentication: Array(answer.prefix(8)) + step1.internalAuthenticationRaw)
    }

    /// What it answers to Step2: the Step3 `pKey`, the MAC over the MAC input.
    public func pinCommandMAC(for step2: PINCommandMACRequest) throws -> PINCommandMAC {
        try PINCommandMAC(mac: pinCommandMAC(cardID: step2.cardIdentificationCode, macInput: step2.macInput))
    }
}
