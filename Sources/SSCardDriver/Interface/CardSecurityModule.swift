/// What the driver asks of the terminal's security module (PSAM, or an HSM, 加密机) to open a
/// card: check the card's INTERNAL AUTHENTICATE answer and compute the EXTERNAL AUTHENTICATE
/// data. Real province HSMs sit behind this protocol; `SimulatedHSM` implements the project's
/// documented simulation scheme (docs/card-simulation.md).
public protocol CardSecurityModule: Sendable {
    /// What a genuine card answers to INTERNAL AUTHENTICATE(factor ‖ raw).
    func expectedInternalAuthentication(cardID: CardIdentificationCode, factor: [UInt8], raw: [UInt8]) throws -> [UInt8]
    /// The 16-byte data field of EXTERNAL AUTHENTICATE with key `keyID` for the card's challenge.
    func externalAuthentication(cardID: CardIdentificationCode, keyID: UInt8, challenge: [UInt8]) throws -> [UInt8]
    /// 终端机编号 (12 characters) and 终端设备号, reported by iReadCardBas.
    var terminalNumber: String { get }
    var terminalDeviceNumber: String { get }
}
