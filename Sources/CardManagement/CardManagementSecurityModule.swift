import SSCardDriver
import Synchronization

/// The driver's security module at a desk whose HSM is the card-management system's.
///
/// The PKI secrets iWriteCaStep1/2 need (initial admin PIN, current PKI master key) are fetched
/// once per card and held, in memory only, until `forget` wipes them: the CA's issuance changes
/// the system's record of the card's master key, while the card keeps its old one until
/// iWriteCaStep2 has loaded the new — so Step2 must use the key fetched before issuance.
///
/// The one-step card functions (iReadCardBas, iReadCard…) are not served this way — the station
/// uses their HSM two-step forms — so their methods refuse.
package final class CardManagementSecurityModule: CardSecurityModule, PKISecurityModule {
    package let system: any CardManagementSystem
    package let terminalNumber: String
    package var terminalDeviceNumber: String { "" }
    private let held = Mutex<[CardIdentificationCode: PKICardSecrets]>([:])

    package init(system: any CardManagementSystem, terminalNumber: String) {
        self.system = system
        self.terminalNumber = terminalNumber
    }

    package func expectedInternalAuthentication(cardID: CardIdentificationCode, factor: [UInt8], raw: [UInt8]) throws -> [UInt8] {
        throw InterfaceError(.noPSAM, detail: "工作站通过卡管系统的加密机两步读写卡", englishDetail: "the station reads and writes through the card-management HSM's two steps")
    }

    package func externalAuthentication(cardID: CardIdentificationCode, keyID: UInt8, challenge: [UInt8]) throws -> [UInt8] {
        throw InterfaceError(.noPSAM, detail: "工作站通过卡管系统的加密机两步读写卡", englishDetail: "the station reads and writes through the card-management HSM's two steps")
    }

    package func initialAdminPIN(cardID: CardIdentificationCode) throws -> [UInt8] {
        try secrets(cardID).initialAdminPIN
    }

    package func pkiMasterCardKey(cardID: CardIdentificationCode) throws -> [UInt8] {
        try secrets(cardID).masterCardKey
    }

    /// Wipes the secrets held for `cardID` (after iWriteCaStep2, or when the card failed).
    package func forget(_ cardID: CardIdentificationCode) {
        held.withLock { table in
            table[cardID]?.wipe()
            table[cardID] = nil
        }
    }

    private func secrets(_ cardID: CardIdentificationCode) throws -> PKICardSecrets {
        if let known = held.withLock({ $0[cardID] }) { return known }
        let fetched = try system.pkiSecrets(cardIdentificationCode: cardID)
        held.withLock { $0[cardID] = fetched }
        return fetched
    }
}
