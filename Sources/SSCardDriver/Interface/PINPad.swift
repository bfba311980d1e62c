/// A reader with a PIN pad (密码键盘) in the sense of PC/SC part 10: the holder types the PIN
/// on the reader, which puts it into the APDU itself, so the PIN never reaches the computer.
/// `PCSCCardSession` is one (its reader may or may not announce the features); tests give
/// fakes.
public protocol PINPadChannel: CardChannel {
    /// The reader's part 10 features; empty when it has none.
    func pinPadFeatures() throws -> ReaderFeatures
    /// SCardControl with `code` and `data`, allowed to block up to `timeout` (the holder is
    /// typing). Returns the reader's answer: the card's status word, or 64xx from the reader.
    func pinPadControl(code: UInt32, data: [UInt8], timeout: Duration) throws -> [UInt8]
}

/// How the PIN digits go into the APDU of a PIN-pad command: packed BCD, left-justified,
/// in a block of whole bytes prefilled with `FF`, so a PIN of an odd digit count ends in an
/// `F` nibble exactly as `SSSECommands.packPIN` makes it.
///
/// A PIN pad cannot change the APDU's Lc to follow the PIN's length, and the SSSE compares
/// the canonical packing (`12 34 56`, not `12 34 56 FF`), so a PIN-pad PIN has a fixed digit
/// count: `digits` is both the minimum and the maximum, and the block holds exactly it.
/// A PIN of another length is entered through a `PINEntry` instead.
public struct PINPadFormat: Hashable, Sendable {
    /// The PIN's digit count (4–16); 6 by default, the length of the initial PIN.
    public var digits: Int
    /// bTimerOut: seconds the reader waits for the holder (1–255).
    public var timeoutSeconds: Int
    /// wLangId of the reader's messages: 0x0804 is Chinese (PRC).
    public var languageID: UInt16

    /// Programmer error (traps): digits outside 4–16 or a timeout outside 1–255.
    public init(digits: Int = 6, timeoutSeconds: Int = 60, languageID: UInt16 = 0x0804) {
        precondition(PINRules.lengths.contains(digits), "a PIN has 4–16 digits")
        precondition((1...255).contains(timeoutSeconds), "bTimerOut is 1–255 seconds")
        self.digits = digits
        self.timeoutSeconds = timeoutSeconds
        self.languageID = languageID
    }

    /// The PIN block's size in bytes.
    public var blockSize: Int { (digits + 1) / 2 }

    /// bmFormatString: bit 7 = 1 (positions in bytes), bits 6–3 = 0 (the PIN starts right after
    /// the 5-byte header), bit 2 = 0 (left-justified), bits 1–0 = 01 (BCD).
    public var formatString: UInt8 { 0x81 }
    /// bmPINBlockString: bits 7–4 = 0 (no PIN length field), bits 3–0 = the block size.
    public var blockString: UInt8 { UInt8(blockSize) }
    /// bmPINLengthFormat: no PIN length is written into the APDU.
    public var lengthFormat: UInt8 { 0x00 }
    /// wPINMaxExtraDigit = 0xXXYY, XX the minimum and YY the maximum digit count.
    public var maxExtraDigit: UInt16 { UInt16(digits) << 8 | UInt16(digits) }
    /// bEntryValidationCondition 02: the holder presses the validation (OK) key.
    public var entryValidation: UInt8 { 0x02 }
}

/// PIN_VERIFY_STRUCTURE of pcsc-lite's reader.h (FEATURE_VERIFY_PIN_DIRECT): packed, with
/// the 16- and 32-bit fields little-endian, followed by the APDU template.
///
/// Offsets: 0 bTimerOut, 1 bTimerOut2, 2 bmFormatString, 3 bmPINBlockString,
/// 4 bmPINLengthFormat, 5–6 wPINMaxExtraDigit, 7 bEntryValidationCondition, 8 bNumberMessage,
/// 9–10 wLangId, 11 bMsgIndex, 12–14 bTeoPrologue, 15–18 ulDataLength, 19… abData.
public struct PINVerifyStructure: Hashable, Sendable {
    public static let headerSize = 19
    public var format: PINPadFormat
    /// The APDU the reader completes and sends.
    public var apdu: [UInt8]

    /// VERIFY of the SSSE PIN: `00 20 00 00 <block size> FF…`.
    public init(ssseVerify format: PINPadFormat) {
        self.format = format
        apdu = [0x00, 0x20, 0x00, 0x00, UInt8(format.blockSize)] + [UInt8](repeating: 0xFF, count: format.blockSize)
    }

    /// The bytes handed to SCardControl.
    public var bytes: [UInt8] {
        var out: [UInt8] = [
            UInt8(format.timeoutSeconds), 0x00,                 // bTimerOut, bTimerOut2
            format.formatString, format.blockString, format.lengthFormat,
        ]
        out += littleEndian(format.maxExtraDigit)
        out += [format.entryValidation, 0x01]                  // bNumberMessage: one message
        out += littleEndian(format.languageID)
        out += [0x00, 0x00, 0x00, 0x00]                        // bMsgIndex, bTeoPrologue[3]
        out += littleEndian(UInt32(apdu.count))
        return out + apdu
    }
}

/// PIN_MODIFY_STRUCTURE of reader.h (FEATURE_MODIFY_PIN_DIRECT), laid out the same way.
///
/// Offsets: 0 bTimerOut, 1 bTimerOut2, 2 bmFormatString, 3 bmPINBlockString,
/// 4 bmPINLengthFormat, 5 bInsertionOffsetOld, 6 bInsertionOffsetNew, 7–8 wPINMaxExtraDigit,
/// 9 bConfirmPIN, 10 bEntryValidationCondition, 11 bNumberMessage, 12–13 wLangId,
/// 14–16 bMsgIndex1–3, 17–19 bTeoPrologue, 20–23 ulDataLength, 24… abData.
public struct PINModifyStructure: Hashable, Sendable {
    public static let headerSize = 24
    public var format: PINPadFormat
    public var apdu: [UInt8]

    /// CHANGE PIN of the SSSE: `80 5E 01 00 <2n+1> <old: n × FF> FF <new: n × FF>`; the
    /// reader asks for the current PIN, the new PIN and the new PIN again (bConfirmPIN 03).
    public init(ssseChange format: PINPadFormat) {
        self.format = format
        let n = format.blockSize
        let block = [UInt8](repeating: 0xFF, count: n)
        apdu = [0x80, 0x5E, 0x01, 0x00, UInt8(2 * n + 1)] + block + [0xFF] + block
    }

    /// bInsertionOffsetOld / New: byte offsets after the 5-byte header.
    public var oldPINOffset: UInt8 { 0 }
    public var newPINOffset: UInt8 { UInt8(format.blockSize + 1) }

    public var bytes: [UInt8] {
        var out: [UInt8] = [
            UInt8(format.timeoutSeconds), 0x00,
            format.formatString, format.blockString, format.lengthFormat,
            oldPINOffset, newPINOffset,
        ]
        out += littleEndian(format.maxExtraDigit)
        out += [0x03, format.entryValidation, 0x03]           // bConfirmPIN, validation, bNumberMessage
        out += littleEndian(format.languageID)
        out += [0x00, 0x01, 0x02]                              // bMsgIndex1–3
        out += [0x00, 0x00, 0x00]                              // bTeoPrologue
        out += littleEndian(UInt32(apdu.count))
        return out + apdu
    }
}

private func littleEndian(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
private func littleEndian(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }

/// What a PIN-pad command came to: the reader's own 64xx codes (PC/SC part 10 §2.5.1), or
/// the card's status word.
public enum PINPadOutcome: Hashable, Sendable {
    case card(StatusWord)
    /// 6400: nobody typed in time.
    case timedOut
    /// 6401: the holder pressed Cancel.
    case cancelled
    /// 6402: the two entries of the new PIN differ.
    case entriesDiffer
    /// 6403: the PIN was too short or too long for the structure.
    case wrongLength
    /// 6B80: the reader did not accept the structure.
    case structureRefused
    /// An answer that is not two bytes.
    case malformed(Int)

    public init(readerAnswer: [UInt8]) {
        guard readerAnswer.count == 2 else { self = .malformed(readerAnswer.count); return }
        switch (readerAnswer[0], readerAnswer[1]) {
        case (0x64, 0x00): self = .timedOut
        case (0x64, 0x01): self = .cancelled
        case (0x64, 0x02): self = .entriesDiffer
        case (0x64, 0x03): self = .wrongLength
        case (0x6B, 0x80): self = .structureRefused
        default: self = .card(StatusWord(readerAnswer[0], readerAnswer[1]))
        }
    }

    /// The interface error, nil for a card's 9000. A card's 63Cx and 6983 become −51 / −52.
    public var interfaceError: InterfaceError? {
        switch self {
        case .card(let sw):
            if sw.isSuccess { return nil }
            return SSCardInterface.pinRefusal(sw)
        case .timedOut: return InterfaceError(.pinEntryTimeout)
        case .cancelled: return InterfaceError(.pinEntryCancelled)
        case .entriesDiffer: return InterfaceError(.pinsDiffer)
        case .wrongLength: return InterfaceError(.pinLength)
        case .structureRefused:
            return InterfaceError(.unsupported, detail: "密码键盘不接受该命令结构", englishDetail: "the PIN pad refused the command structure")
        case .malformed(let n):
            return InterfaceError(.noAnswer, detail: "密码键盘应答\(n)字节", englishDetail: "the PIN pad answered \(n) bytes")
        }
    }
}

extension PCSCCardSession: PINPadChannel {
    public func pinPadFeatures() throws -> ReaderFeatures { try readerFeatures() }

    /// The session keeps its connection private and has no SCardControl of its own, so this
    /// opens a second, shared connection to the same reader for the one control call (the
    /// PIN's verified state lives in the card, whichever handle sent it). Gap: a
    /// `PCSCCardSession.control(code:data:)` over the session's own connection would save the
    /// extra SCardConnect; see docs/pin-functions.md.
    public func pinPadControl(code: UInt32, data: [UInt8], timeout: Duration) throws -> [UInt8] {
        try connect()
        guard let reader = readerName else { throw CardSessionError.readerNotFound(pattern: configuration.readerPattern, available: []) }
        let side = try PCSCCardConnection(
            context: PCSCContext(), reader: reader, shareMode: .shared,
            protocols: configuration.protocols, callTimeout: timeout + .seconds(15))
        defer { try? side.disconnect(.leave) }
        return try side.control(code: code, data: data)
    }
}
