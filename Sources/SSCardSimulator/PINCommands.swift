import SSCardDriver

// The SSSE PIN (and VERIFY of the PKI admin PIN). The SSSE PIN is card-wide: its commands
// work whichever application is selected.
extension CardSession {
    /// One presentation of the PIN at `pin`, as a real card makes it: 6983 when blocked,
    /// whatever was presented. Otherwise one try is spent and written to the non-volatile
    /// memory *before* the comparison; if that write fails the card answers 6581 and compares
    /// nothing (fail closed: a card that cannot record a try never rates a PIN). Then a wrong
    /// PIN answers 63Cx (x tries left, the try already on record) and a right one restores the
    /// counter, written again: 9000, or 6581 when that write fails (the try stays spent, the
    /// PIN is not taken as verified).
    mutating func presentPIN(_ pin: WritableKeyPath<CardImage, PINCounter>, _ candidate: [UInt8]) -> StatusWord {
        guard !image[keyPath: pin].isBlocked else { return .authenticationMethodBlocked }
        image[keyPath: pin].spendTry()
        guard commitImage() else { return .memoryFailure }
        guard image[keyPath: pin].matches(candidate) else {
            return PINCounter.triesLeftStatus(image[keyPath: pin].triesLeft)
        }
        image[keyPath: pin].resetCounter()
        guard commitImage() else { return .memoryFailure }
        return .success
    }

    /// VERIFY `00 20 00 P2 [Lc PIN]`. P2 00: the SSSE PIN, packed BCD (2–8 bytes). P2 01:
    /// the PKI admin PIN, ASCII (4–16 bytes), only with the PKI application selected.
    /// Without data: 9000 if verified, else 63Cx, or 6983 when blocked.
    /// 63Cx wrong (x tries left), 6983 blocked even for the right PIN, 6581 the try could not
    /// be recorded (nothing compared; `presentPIN`), 6700 length, 6A88 other P2 or admin PIN
    /// outside the PKI application, 6A86 P1 ≠ 00.
    mutating func verify(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0 else { return .status(.incorrectP1P2) }
        switch command.p2 {
        case 0x00:
            if command.data.isEmpty {
                return .status(security.userPINVerified && !image.userPIN.isBlocked ? .success : image.userPIN.status)
            }
            guard (2...8).contains(command.data.count) else { return .status(.wrongLength) }
            let result = presentPIN(\.userPIN, command.data)
            security.userPINVerified = result == .success
            return .status(result)
        case 0x01:
            guard security.currentDF.application == CardSecurityState.DedicatedFile.pki.application else {
                return .status(.referencedDataNotFound)
            }
            if command.data.isEmpty {
                return .status(security.adminPINVerified && !image.pki.adminPIN.isBlocked ? .success : image.pki.adminPIN.status)
            }
            guard (4...16).contains(command.data.count) else { return .status(.wrongLength) }
            let result = presentPIN(\.pki.adminPIN, command.data)
            security.adminPINVerified = result == .success
            return .status(result)
        default:
            return .status(.referencedDataNotFound)
        }
    }

    /// CHANGE PIN `80 5E 01 00 Lc old ‖ FF ‖ new` (packed BCD): the old PIN counts as a
    /// presentation (`presentPIN`). 6A80 no FF separator or new PIN not 4–16 digits (no try
    /// spent), 63Cx old PIN wrong, 6983 blocked, 6581 the try could not be recorded, 6A86 other P1/P2.
    mutating func changePIN(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0x01, command.p2 == 0x00 else { return .status(.incorrectP1P2) }
        guard !command.data.isEmpty else { return .status(.wrongLength) }
        guard let separator = command.data.firstIndex(of: 0xFF) else { return .status(.wrongData) }
        let old = Array(command.data[..<separator])
        guard !old.isEmpty else { return .status(.wrongData) }
        guard let new = PINCounter.value(from: Array(command.data[(separator + 1)...]), format: .packedBCD) else {
            return .status(.wrongData)
        }
        let result = presentPIN(\.userPIN, old)
        guard result == .success else {
            security.userPINVerified = false
            return .status(result)
        }
        image.userPIN.replace(with: new)
        security.userPINVerified = true
        return .ok()
    }

    /// RELOAD PIN `84 5E 00 00 Lc <new PIN packed BCD ‖ MAC4>` (MAC with the card's PUK):
    /// a new 4–16 digit PIN and a full counter. Also serves the admin PIN change
    /// `84 5E 01 01` (see `changeAdminPIN`). 6985 no challenge, 6988 bad MAC, 6A80 bad PIN.
    mutating func reloadPIN(_ command: CommandAPDU) -> ResponseAPDU {
        switch (command.p1, command.p2) {
        case (0x00, 0x00): break
        case (0x01, 0x01): return changeAdminPIN(command)
        default: return .status(.incorrectP1P2)
        }
        let payload: [UInt8]
        switch openSecuredData(command, cardKey: image.keys[.pinUnblock]) {
        case .success(let p): payload = p
        case .failure(let refusal): return .status(refusal.statusWord)
        }
        guard let new = PINCounter.value(from: payload, format: .packedBCD) else { return .status(.wrongData) }
        image.userPIN.replace(with: new)
        security.userPINVerified = false
        return .ok()
    }

    /// UNBLOCK PIN `84 24 00 00 04 <MAC4>` (MAC with the PUK): resets the try counter only
    /// (仅重置尝试计数器); the PIN stays. 6700 data not just the MAC, 6985, 6988 as above.
    mutating func unblockPIN(_ command: CommandAPDU) -> ResponseAPDU {
        guard command.p1 == 0, command.p2 == 0 else { return .status(.incorrectP1P2) }
        guard command.data.count == CardKeyScheme.macSize else { return .status(.wrongLength) }
        switch openSecuredData(command, cardKey: image.keys[.pinUnblock]) {
        case .success: break
        case .failure(let refusal): return .status(refusal.statusWord)
        }
        image.userPIN.resetCounter()
        return .ok()
    }
}
