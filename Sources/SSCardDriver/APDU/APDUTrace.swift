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
}
