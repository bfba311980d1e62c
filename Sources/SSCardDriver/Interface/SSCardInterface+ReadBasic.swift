/// iReadCardBas and its two-step HSM form.
extension SSCardInterface {
    /// iReadCardBas: the card's basic information, opening EF06 with the security module.
    /// Without one, −2201 tells the caller to use the HSM two-step functions.
    public func readBasicInformation(reader: ReaderChoice) throws(InterfaceError) -> BasicInformation {
        guard let module = securityModule else { throw InterfaceError(.noPSAM) }
        return try withCard(reader) { card in
            let issuer = try Self.readIssuer(card, complete: false)
            try Self.authenticate(card, cardID: issuer.cardIdentificationCode, keyID: 0x0A, module: module)
            return try Self.basicInformation(card, issuer: issuer, terminalNumber: module.terminalNumber, terminalDeviceNumber: module.terminalDeviceNumber)
        }
    }

    /// iReadCardBas_HSM_Step1: reads EF05 and gathers the random data the HSM needs.
    public func beginBasicRead(reader: ReaderChoice) throws(InterfaceError) -> HSMAuthenticationChallenge {
        let step = try hsmChallenge(reader: reader, cardInfo: nil)
        pendingStep = .readBasic(step)
        return step
    }

    /// iReadCardBas_HSM_Step2: checks the card with the HSM's internal value, opens EF06 with
    /// its external value, and reads the basic information. The card must still be the one
    /// of Step1, with no other command in between (its challenge is single-use).
    public func completeBasicRead(hsmKeys: HSMAuthenticationKey) throws(InterfaceError) -> BasicInformation {
        guard case .readBasic(let step) = pendingStep else {
            throw InterfaceError(.badParameter, detail: "请先调用 iReadCardBas_HSM_Step1", englishDetail: "call iReadCardBas_HSM_Step1 first")
        }
        pendingStep = nil
        return try withCard(.contact) { card in
            try Self.completeHSMAuthentication(card, step: step, keys: hsmKeys, keyID: 0x0A)
            // Step1 left the SSSE and EF05 current, and the external authentication just
            // passed on Step1's challenge: nothing was selected in between.
            let issuer = try Self.readIssuer(card, selecting: false, complete: false)
            guard issuer.cardIdentificationCode == step.cardIdentificationCode else {
                throw InterfaceError(.dataDiffersFromCard, detail: "卡片已更换", englishDetail: "the card was changed between the steps")
            }
            return try Self.basicInformation(card, issuer: issuer, terminalNumber: BasicInformation.hsmTerminalNumber, terminalDeviceNumber: "")
        }
    }

    public func iReadCardBas(_ iType: Int) -> InterfaceResult {
        result { () throws(InterfaceError) in try readBasicInformation(reader: ReaderChoice(iType: iType)).interfaceText }
    }

    public func iReadCardBas_HSM_Step1(_ iType: Int) -> InterfaceResult {
        result { () throws(InterfaceError) in try beginBasicRead(reader: ReaderChoice(iType: iType)).interfaceText }
    }

    public func iReadCardBas_HSM_Step2(_ pKey: String) -> InterfaceResult {
        result { () throws(InterfaceError) in try completeBasicRead(hsmKeys: HSMAuthenticationKey(parsing: pKey)).interfaceText }
    }

    // MARK: Shared steps

    /// SELECT SSSE, EF05 (unless `selecting` is false: both already current) and EF05 (all
    /// of it unless `complete` is false: what iReadCardBas shows); the card must be a 3.0
    /// social security card.
    static func readIssuer(_ card: SocialSecurityCard, selecting: Bool = true, complete: Bool = true) throws -> IssuerData {
        try asSocialSecurityCard { try card.readIssuerData(selecting: selecting, complete: complete) }
    }

    /// SELECT SSSE, EF05 and the 卡识别码 alone — 3 APDUs where `readIssuer` takes 9 — and,
    /// with `cardInfo`, the 卡号 too, both compared with it (−22). Leaves EF05 current.
    static func readCardID(_ card: SocialSecurityCard, checking cardInfo: CardInfoArgument? = nil) throws -> CardIdentificationCode {
        try asSocialSecurityCard {
            try card.selectSSSE()
            try card.select(.ef05)
            let id = try card.readCardIdentificationCode()
            if let cardInfo {
                let number = try card.readElement(.cardNumber).map(ElementText.decode) ?? ""
                try check(cardInfo, cardID: id, cardNumber: number)
            }
            return id
        }
    }

    /// A card without the SSSE is not a social security card; a malformed 卡识别码 is −20.
    private static func asSocialSecurityCard<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch CardError.refused(0xA4, let sw) where sw == .fileNotFound {
            throw InterfaceError(.wrongCardType, detail: "不是社会保障卡", englishDetail: "not a social security card")
        } catch CardError.malformedData(let what) {
            throw InterfaceError(.badCardIdentificationFormat, detail: what, englishDetail: what)
        }
    }

    /// Reads EF06 (already opened by authentication) and assembles the 11 fields.
    static func basicInformation(_ card: SocialSecurityCard, issuer: IssuerData, terminalNumber: String, terminalDeviceNumber: String) throws -> BasicInformation {
        try card.select(.ef06)
        let ssn = try card.readElement(.socialSecurityNumber).map(ElementText.decode) ?? ""
        let name = try card.readElement(.name).map(ElementText.decode) ?? ""
        let nameExtension = try card.readElement(.nameExtension).map(ElementText.decode) ?? ""
        return try BasicInformation(
            issuer: issuer, socialSecurityNumber: ssn, name: name, nameExtension: nameExtension,
            answerToReset: AnswerToReset(bytes: card.channel.atr),
            terminalNumber: terminalNumber, terminalDeviceNumber: terminalDeviceNumber)
    }
}
