import SSCardDriver

// GET CHALLENGE, INTERNAL AUTHENTICATE, EXTERNAL AUTHENTICATE (simulation key scheme,
// SSCardDriver/Card/CardKeyScheme.swift).
extension CardSession {
    /// GET CHALLENGE `00 84 00 00 08` (or `10`): fresh random bytes from OpenSSL, kept for
    /// one EXTERNAL AUTHENTICATE or MACed command. 6700 for another Le, 6A86 for P1/P2 ≠ 00.
    mutating func getChallenge(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0, command.p2 == 0 else { return .status(.incorrectP1P2) }
        guard command.data.isEmpty, let le = command.expectedLength, le == 8 || le == 16 else {
            return .status(.wrongLength)
        }
        guard let challenge = try? SecureRandom.bytes(le) else { return .status(.noPreciseDiagnosis) }
        security.challenge = challenge
        return .ok(challenge)
    }

    /// INTERNAL AUTHENTICATE `00 88 00 00 10 <factor 8 ‖ raw 8>` in the SSSE: answers
    /// SM4-ECB(card IRK, factor ‖ raw). 6700 data not 16 bytes, 6985 SSSE not selected.
    mutating func internalAuthenticate(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0, command.p2 == 0 else { return .status(.incorrectP1P2) }
        guard command.data.count == 16 else { return .status(.wrongLength) }
        guard security.currentDF == .ssse else { return .status(.conditionsNotSatisfied) }
        guard let answer = try? CardKeyScheme.internalAuthResponse(
            cardKey: image.keys[.internalAuthentication],
            factor: Array(command.data[0..<8]), raw: Array(command.data[8..<16])) else {
            return .status(.noPreciseDiagnosis)
        }
        security.internallyAuthenticated = true
        return .ok(answer)
    }

    /// EXTERNAL AUTHENTICATE `00 82 00 <key id> 10 <cryptogram 8 ‖ raw 8>` in the SSSE, key
    /// 0A (read) or 04 (write). Raw must be the last 8-byte challenge (spent either way) and
    /// the cryptogram the scheme's. 6A88 unknown key, 6985 no challenge or SSSE not
    /// selected, 6300 wrong raw data or cryptogram (the key's state is dropped).
    mutating func externalAuthenticate(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0 else { return .status(.incorrectP1P2) }
        guard command.data.count == 16 else { return .status(.wrongLength) }
        guard let role = CardKeyRole(externalAuthenticationKeyID: command.p2) else {
            return .status(.referencedDataNotFound)
        }
        guard security.currentDF == .ssse else { return .status(.conditionsNotSatisfied) }
        guard let challenge = security.takeChallenge(), challenge.count == 8 else {
            return .status(.conditionsNotSatisfied)
        }
        let raw = Array(command.data[8..<16])
        guard let expected = try? CardKeyScheme.externalAuthCryptogram(
            cardKey: image.keys[role], challenge: challenge, cardID: image.cardIdentificationCode.bytes) else {
            return .status(.noPreciseDiagnosis)
        }
        guard constantTimeEqual(raw, challenge), constantTimeEqual(Array(command.data[0..<8]), expected) else {
            security.externallyAuthenticated.remove(role)
            return .status(.authenticationFailed)
        }
        security.externallyAuthenticated.insert(role)
        return .ok()
    }

    /// Checks the 4-byte MAC ending a secure-messaging command with `cardKey` and the last
    /// challenge (spent either way); the data before the MAC on success.
    /// 6985 no challenge, 6700 fewer than 4 bytes or an extended APDU, 6988 bad MAC.
    mutating func openSecuredData(_ command: CommandAPDU, cardKey: [UInt8]) -> Result<[UInt8], Refusal> {
        guard let challenge = security.takeChallenge() else { return .failure(Refusal(.conditionsNotSatisfied)) }
        let macSize = CardKeyScheme.macSize
        guard command.data.count >= macSize, command.data.count <= 255 else { return .failure(Refusal(.wrongLength)) }
        let payload = Array(command.data.dropLast(macSize))
        guard let expected = try? CardKeyScheme.pinCommandMAC(
            cardKey: cardKey, challenge: challenge,
            header: [command.cla, command.ins, command.p1, command.p2], data: payload) else {
            return .failure(Refusal(.noPreciseDiagnosis))
        }
        guard constantTimeEqual(Array(command.data.suffix(macSize)), expected) else {
            return .failure(Refusal(.secureMessagingIncorrect))
        }
        return .success(payload)
    }
}
