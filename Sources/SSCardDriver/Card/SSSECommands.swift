/// The command APDUs the driver sends to the SSSE of a 3.0 card (《社会保障卡规范》, as public
/// drivers send them).
public enum SSSECommands {
    /// SELECT by AID: `00 A4 04 00 Lc AID`.
    public static func select(aid: [UInt8]) -> CommandAPDU {
        CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x00, data: aid)
    }

    /// SELECT by file id: `00 A4 00 00 02 FID` (EF05, 3F00…).
    public static func select(fileID: [UInt8]) -> CommandAPDU {
        CommandAPDU(ins: 0xA4, p1: 0x00, p2: 0x00, data: fileID)
    }

    /// READ RECORD by record identifier (the tag): `00 B2 <tag> 00 00`.
    public static func readRecord(tag: UInt8) -> CommandAPDU {
        CommandAPDU(ins: 0xB2, p1: tag, p2: 0x00, expectedLength: 256)
    }

    /// READ RECORD by record number: `00 B2 <n> 04 00`.
    public static func readRecord(number: UInt8) -> CommandAPDU {
        CommandAPDU(ins: 0xB2, p1: number, p2: 0x04, expectedLength: 256)
    }

    /// UPDATE RECORD by number: `00 DC <n> 04 Lc <tag len value>`.
    public static func updateRecord(number: UInt8, record: SimpleTLV) -> CommandAPDU {
        CommandAPDU(ins: 0xDC, p1: number, p2: 0x04, data: record.bytes)
    }

    /// GET CHALLENGE: `00 84 00 00 <n>` (8 bytes for the SSSE, 16 for the PKI application).
    public static func getChallenge(length: Int = 8) -> CommandAPDU {
        CommandAPDU(ins: 0x84, p1: 0x00, p2: 0x00, expectedLength: length)
    }

    /// INTERNAL AUTHENTICATE: `00 88 00 00 10 <factor 8 ‖ raw 8>`; the card answers 16 bytes.
    public static func internalAuthenticate(factor: [UInt8], raw: [UInt8]) -> CommandAPDU {
        CommandAPDU(ins: 0x88, p1: 0x00, p2: 0x00, data: factor + raw, expectedLength: 256)
    }

    /// EXTERNAL AUTHENTICATE: `00 82 00 <key id> 10 <cryptogram 8 ‖ raw 8>`.
    public static func externalAuthenticate(keyID: UInt8, data: [UInt8]) -> CommandAPDU {
        CommandAPDU(ins: 0x82, p1: 0x00, p2: keyID, data: data)
    }

    /// VERIFY of the SSSE PIN: `00 20 00 00 Lc <packed BCD>`; nil when the PIN is not 4–16 digits.
    public static func verifyPIN(_ digits: [UInt8]) -> CommandAPDU? {
        guard let packed = packPIN(digits) else { return nil }
        return CommandAPDU(ins: 0x20, p1: 0x00, p2: 0x00, data: packed)
    }

    /// VERIFY with no data: the card answers with the tries left (63Cx) or 9000.
    public static let pinTriesLeft = CommandAPDU(ins: 0x20, p1: 0x00, p2: 0x00)

    /// CHANGE PIN: `80 5E 01 00 Lc old ‖ FF ‖ new`.
    public static func changePIN(old: [UInt8], new: [UInt8]) -> CommandAPDU? {
        guard let o = packPIN(old), let n = packPIN(new) else { return nil }
        return CommandAPDU(cla: 0x80, ins: 0x5E, p1: 0x01, p2: 0x00, data: o + [0xFF] + n)
    }

    /// VERIFY with the PIN of `pin` (ASCII digits); nil unless 4–16 digits. The command's data
    /// is the only copy of the packed PIN: the caller wipes `command.data` after sending it.
    public static func verifyPIN(_ pin: borrowing SecretBytes) -> CommandAPDU? {
        guard let packed = packPIN(pin) else { return nil }
        return CommandAPDU(ins: 0x20, p1: 0x00, p2: 0x00, data: packed)
    }

    /// CHANGE PIN from the secrets `old` and `new`; the caller wipes `command.data` after
    /// sending it (the intermediate packed PINs are wiped here).
    public static func changePIN(old: borrowing SecretBytes, new: borrowing SecretBytes) -> CommandAPDU? {
        guard var o = packPIN(old) else { return nil }
        defer { KeyMaterial.wipe(&o) }
        guard var n = packPIN(new) else { return nil }
        defer { KeyMaterial.wipe(&n) }
        var data: [UInt8] = []
        data.reserveCapacity(o.count + 1 + n.count)
        data.append(contentsOf: o)
        data.append(0xFF)
        data.append(contentsOf: n)
        return CommandAPDU(cla: 0x80, ins: 0x5E, p1: 0x01, p2: 0x00, data: data)
    }

    /// Packs ASCII digits of a PIN into BCD (F-padded); nil unless 4–16 digits.
    /// The caller zeroes its own digits; this copy is short-lived inside the APDU.
    static func packPIN(_ digits: [UInt8]) -> [UInt8]? {
        digits.withUnsafeBytes { packPIN($0) }
    }

    /// `packPIN` of a secret's digits; the caller wipes the result.
    static func packPIN(_ pin: borrowing SecretBytes) -> [UInt8]? {
        pin.withUnsafeBytes { packPIN($0) }
    }

    /// The packing itself, into an array allocated once at its final size (so no reallocation
    /// leaves a copy of the PIN behind).
    private static func packPIN(_ digits: UnsafeRawBufferPointer) -> [UInt8]? {
        guard (4...16).contains(digits.count), digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity((digits.count + 1) / 2)
        var i = 0
        while i < digits.count {
            let high = digits[i] - 0x30
            let low = i + 1 < digits.count ? digits[i + 1] - 0x30 : 0x0F
            out.append(high << 4 | low)
            i += 2
        }
        return out
    }
}
