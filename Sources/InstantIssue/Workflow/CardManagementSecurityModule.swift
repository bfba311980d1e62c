import SSCardDriver

/// The driver's security module at a desk whose HSM is the card-management system's: the PKI
/// secrets iWriteCaStep1/2 need come from it per call and are wiped by the driver. The one-step
/// card functions (iReadCardBas, iReadCard…) are not served this way — the station uses their
/// HSM two-step forms — so their methods refuse.
struct CardManagementSecurityModule: CardSecurityModule, PKISecurityModule {
    let system: any CardManagementSystem
    let terminalNumber: String
    var terminalDeviceNumber: String { "" }

    func expectedInternalAuthentication(cardID: CardIdentificationCode, factor: [UInt8], raw: [UInt8]) throws -> [UInt8] {
        throw InterfaceError(.noPSAM, detail: "工作站通过卡管系统的加密机两步读写卡", englishDetail: "the station reads and writes through the card-management HSM's two steps")
    }

    func externalAuthentication(cardID: CardIdentificationCode, keyID: UInt8, challenge: [UInt8]) throws -> [UInt8] {
        throw InterfaceError(.noPSAM, detail: "工作站通过卡管系统的加密机两步读写卡", englishDetail: "the station reads and writes through the card-management HSM's two steps")
    }

    func initialAdminPIN(cardID: CardIdentificationCode) throws -> [UInt8] {
        var secrets = try system.pkiSecrets(cardIdentificationCode: cardID)
        defer { secrets.wipe() }
        return secrets.initialAdminPIN
    }

    func pkiMasterCardKey(cardID: CardIdentificationCode) throws -> [UInt8] {
        var secrets = try system.pkiSecrets(cardIdentificationCode: cardID)
        defer { secrets.wipe() }
        return secrets.masterCardKey
    }
}
