import SSCardDriver

/// The answer to reset of the simulated 3.0 card (ISO/IEC 7816-3), layout in
/// docs/card-simulation.md. 13 historical bytes, like the real samples
/// `008C544CB386844116018593CA` and `00814E43238697159900BF7C7A`:
///
/// `00` (category) ‖ `53 49 4D 33` ("SIM3", the chip/OS code of this simulator) ‖ `86`
/// (constant in every real sample) ‖ `30` (3.0 card) ‖ region (3 bytes BCD, the 卡识别码's
/// first 3 bytes) ‖ the 卡识别码's last 3 bytes.
public enum SimulatedATR {
    /// The simulator's chip/OS code in the historical bytes: ASCII "SIM3".
    public static let chipCode: [UInt8] = [0x53, 0x49, 0x4D, 0x33]

    /// The 13 historical bytes for `cardID`.
    public static func historicalBytes(cardID: CardIdentificationCode) -> [UInt8] {
        [0x00] + chipCode + [0x86, 0x30] + Array(cardID.bytes[0..<3]) + Array(cardID.bytes[13..<16])
    }

    /// The ATR. T=1 (default): `3B 8D 01 <historical bytes> TCK` — TS direct convention, T0 =
    /// TD1 present and K = 13, TD1 = T=1 with nothing after, TCK = XOR of T0…last historical
    /// byte. T=0 (`t0`): `3B 0D <historical bytes>` — no interface bytes, T=0 implied, no TCK.
    public static func atr(cardID: CardIdentificationCode, t0: Bool) -> [UInt8] {
        let historical = historicalBytes(cardID: cardID)
        if t0 { return [0x3B, UInt8(historical.count)] + historical }
        let body: [UInt8] = [0x80 | UInt8(historical.count), 0x01] + historical
        return [0x3B] + body + [body.reduce(0, ^)]
    }
}
