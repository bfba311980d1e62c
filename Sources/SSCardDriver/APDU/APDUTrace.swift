/// APDUs as a trace shows them: hex, with the data of every command that carries a PIN or key
/// (VERIFY, CHANGE REFERENCE DATA, RESET RETRY COUNTER, the SSSE's CHANGE/RELOAD PIN, PUT KEY,
/// the CA envelope) replaced by its length, so a trace never holds a PIN or a key.
public enum APDUTrace {
    /// The INS bytes whose data field is secret.
    static let secretInstructions: Set<UInt8> = [0x20, 0x24, 0x2C, 0x5E, 0xD4, 0x4E]

    /// `00 A4 04 00 07 A0 00 …` as spaced hex; a secret-bearing command shows its header, Lc and
    /// `‹n bytes hidden›` instead of the data (and its Le, if any).
    public static func command(_ bytes: [UInt8]) -> String {
        guard bytes.count > 5, secretInstructions.contains(bytes[1]) else { return bytes.spacedHexString }
        // Short form: CLA INS P1 P2 Lc data [Le]. Extended form: CLA INS P1 P2 00 Lc1 Lc2 data [Le Le].
        let extended = bytes[4] == 0 && bytes.count > 7
        let headerLength = extended ? 7 : 5
        let length = extended ? Int(bytes[5]) << 8 | Int(bytes[6]) : Int(bytes[4])
        let hidden = min(length, bytes.count - headerLength)
        let trailer = Array(bytes.dropFirst(headerLength + hidden))
        return Array(bytes.prefix(headerLength)).spacedHexString + " ‹\(hidden) bytes hidden›"
            + (trailer.isEmpty ? "" : " " + trailer.spacedHexString)
    }

    /// A command as the `traceAPDUs` log shows it: the header (and Lc, Le) always, the data
    /// only for SELECT (a file name or AID). Every other data field — a PIN, a key, an external
    /// authentication cryptogram, a MAC, a record being written (姓名, 社会保障号码…) — becomes
    /// `‹n bytes masked›`.
    public static func masked(command bytes: [UInt8]) -> String {
        guard bytes.count > 5 else { return bytes.spacedHexString }
        if bytes[1] == 0xA4 { return bytes.spacedHexString }
        let extended = bytes[4] == 0 && bytes.count > 7
        let headerLength = extended ? 7 : 5
        let length = extended ? Int(bytes[5]) << 8 | Int(bytes[6]) : Int(bytes[4])
        let hidden = min(length, bytes.count - headerLength)
        let trailer = Array(bytes.dropFirst(headerLength + hidden))
        return Array(bytes.prefix(headerLength)).spacedHexString + " ‹\(hidden) bytes masked›"
            + (trailer.isEmpty ? "" : " " + trailer.spacedHexString)
    }

    /// A response as the `traceAPDUs` log shows it: the status word always, the data only for
    /// SELECT (the file's control information) and GET CHALLENGE (a random number the card
    /// sends in the clear); records read, certificates and cryptograms become `‹n bytes masked›`.
    public static func masked(response bytes: [UInt8], to command: [UInt8]) -> String {
        guard bytes.count > 2 else { return bytes.spacedHexString }
        let data = Array(bytes.dropLast(2))
        let statusWord = Array(bytes.suffix(2)).spacedHexString
        let ins: UInt8? = command.count > 1 ? command[1] : nil
        if ins == 0xA4 || ins == 0x84 { return data.spacedHexString + " " + statusWord }
        return "‹\(data.count) bytes masked› " + statusWord
    }
}
