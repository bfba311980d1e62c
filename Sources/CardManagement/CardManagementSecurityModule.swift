import SSCardDriver
import Synchronization

/// The driver's security module at a desk whose HSM is the card-management system's.
///
/// The PKI secrets iWriteCaStep1/2 need (initial admin PIN, current PKI master key) are fetched
/// once per card and held, in memory only, until `forget` wipes them: the CA's issuance changes
/// the system's record of the card's master key, while the card keeps its old one until
/// iWriteCaStep2 has loaded the new — so Step2 must use the key fetched before issuance.
///
/// The one-step card functions (iReadCardBas, iReadCard, iWriteCard, the PIN resets) ask the same
/// HSM through the contract's one-step calls, so a C caller configured with securityModule
/// "province" works as with a PSAM.
public final class CardManagementSecurityModule: CardSecurityModule, PKISecurityModule, PINSecurityModule {
    public let system: any CardManagementSystem
    public let terminalNumber: String
    public var terminalDeviceNumber: String { "" }
    private let held = Mutex<[CardIdentificationCode: HeldSecrets]>([:])

    /// One card's secrets, shared by reference so the table never copies them; zeroed when the
    /// entry is removed and no call is still reading it.
    private final class HeldSecrets: Sendable {
        let secrets: PKICardSecrets
        init(_ secrets: consuming PKICardSecrets) { self.secrets = secrets }
    }

    public init(system: any CardManagementSystem, terminalNumber: String) {
        self.system = system
        self.terminalNumber = terminalNumber
    }

    public func expectedInternalAuthentication(cardID: CardIdentificationCode, factor: [UInt8], raw: [UInt8]) throws -> [UInt8] {
        try asHSM { try system.internalAuthentication(cardIdentificationCode: cardID, factor: factor, raw: raw) }
    }

    public func externalAuthentication(cardID: CardIdentificationCode, keyID: UInt8, challenge: [UInt8]) throws -> [UInt8] {
        try asHSM { try system.externalAuthentication(cardIdentificationCode: cardID, keyID: keyID, challenge: challenge) }
    }

    public func pinCommandMAC(cardID: CardIdentificationCode, macInput: [UInt8]) throws -> [UInt8] {
        try asHSM { try system.pinCommandMAC(cardIdentificationCode: cardID, macInput: macInput) }
    }

    /// An HSM the desk cannot reach is a security module it does not have for now: −2201, with
    /// the cause in the message and kept underneath, so a caller can fall back or retry.
    private func asHSM(_ body: () throws -> [UInt8]) throws -> [UInt8] {
        do { return try body() } catch let error as CardManagementError where error.isRetryable {
            throw InterfaceError(.noPSAM, detail: "加密机暂不可用：\(error.chinese)", englishDetail: "the HSM is unavailable: \(error.english)",
                                 underlying: error)
        }
    }

    public func initialAdminPIN(cardID: CardIdentificationCode) throws -> SecretBytes {
        try secrets(cardID).secrets.initialAdminPIN.copy()
    }

    public func pkiMasterCardKey(cardID: CardIdentificationCode) throws -> SecretBytes {
        try secrets(cardID).secrets.masterCardKey.copy()
    }

    /// The driver's Step2 succeeded: the held secrets go.
    public func releaseSecrets(cardID: CardIdentificationCode) {
        forget(cardID)
    }

    /// Wipes the secrets held for `cardID` (after iWriteCaStep2, or when the card failed).
    public func forget(_ cardID: CardIdentificationCode) {
        _ = held.withLock { $0.removeValue(forKey: cardID) }
    }

    private func secrets(_ cardID: CardIdentificationCode) throws -> HeldSecrets {
        if let known = held.withLock({ $0[cardID] }) { return known }
        let fetched = HeldSecrets(try system.pkiSecrets(cardIdentificationCode: cardID))
        held.withLock { $0[cardID] = fetched }
        return fetched
    }
}
