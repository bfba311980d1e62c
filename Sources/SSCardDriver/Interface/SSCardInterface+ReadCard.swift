/// iReadCard and its two-step HSM form.
extension SSCardInterface {
    /// iReadCard: the elements `fileAddress` names, from the card `cardInfo` names.
    /// EF05 is readable as is; any other file is opened by internal + external (0A)
    /// authentication through the security module (`.keys`, iAuthType 2), after the holder's
    /// PIN with `.pinThenKeys` (iAuthType 1).
    public func readCard(reader: ReaderChoice, authentication: ReadCardAuthentication, cardInfo: CardInfoArgument,
                         fileAddress: FileAddress) throws(InterfaceError) -> String {
        let needsKeys = fileAddress.files.contains { $0.file != .ef05 }
        if needsKeys && securityModule == nil { throw InterfaceError(.noPSAM) }
        return try withCard(reader) { card in
            let cardID = try Self.readCardID(card, checking: cardInfo)
            // iAuthType 1: the holder's PIN first (PIN pad, PIN callback or terminal).
            if authentication == .pinThenKeys { try verifyPIN(reader: reader) }
            if needsKeys, let module = securityModule {
                try Self.authenticate(card, cardID: cardID, keyID: 0x0A, module: module)
            }
            // The PIN's VERIFY and the authentication select nothing: EF05 is still current.
            return try Self.read(fileAddress, from: card, current: .ef05)
        }
    }

    /// iReadCard_HSM_Step1: checks the card and gathers the HSM's random data.
    public func beginCardRead(reader: ReaderChoice, cardInfo: CardInfoArgument, fileAddress: FileAddress) throws(InterfaceError) -> HSMAuthenticationChallenge {
        let step = try hsmChallenge(reader: reader, cardInfo: cardInfo)
        pendingStep = .readCard(step, fileAddress)
        return step
    }

    /// iReadCard_HSM_Step2: authenticates with the HSM's values and reads.
    public func completeCardRead(hsmKeys: HSMAuthenticationKey) throws(InterfaceError) -> String {
        guard case .readCard(let step, let address) = pendingStep else {
            throw InterfaceError(.badParameter, detail: "请先调用 iReadCard_HSM_Step1", englishDetail: "call iReadCard_HSM_Step1 first")
        }
        pendingStep = nil
        return try withCard(.contact) { card in
            try Self.completeHSMAuthentication(card, step: step, keys: hsmKeys, keyID: 0x0A)
            // Step1 left EF05 current (see `hsmChallenge`).
            return try Self.read(address, from: card, current: .ef05)
        }
    }

    public func iReadCard(_ iType: Int, _ authType: Int, _ pCardInfo: String, _ pFileAddr: String) -> InterfaceResult {
        result { () throws(InterfaceError) in
            let cardInfo = try CardInfoArgument(parsing: pCardInfo), address = try FileAddress(parsing: pFileAddr)
            let authentication = try ReadCardAuthentication(iAuthType: authType)
            return try readCard(reader: ReaderChoice(iType: iType), authentication: authentication, cardInfo: cardInfo, fileAddress: address)
        }
    }

    public func iReadCard_HSM_Step1(_ iType: Int, _ pCardInfo: String, _ pFileAddr: String) -> InterfaceResult {
        result { () throws(InterfaceError) in
            let cardInfo = try CardInfoArgument(parsing: pCardInfo), address = try FileAddress(parsing: pFileAddr)
            return try beginCardRead(reader: ReaderChoice(iType: iType), cardInfo: cardInfo, fileAddress: address).interfaceText
        }
    }

    public func iReadCard_HSM_Step2(_ pKey: String) -> InterfaceResult {
        result { () throws(InterfaceError) in try completeCardRead(hsmKeys: HSMAuthenticationKey(parsing: pKey)) }
    }

    // MARK: Shared steps

    /// −22 unless the card in the reader is the one `cardInfo` names.
    static func check(_ cardInfo: CardInfoArgument, cardID: CardIdentificationCode, cardNumber: String) throws {
        guard cardInfo.cardIdentificationCode == cardID, cardInfo.cardNumber.value == cardNumber else {
            throw InterfaceError(.dataDiffersFromCard,
                                 detail: "卡片为 \(cardID.hex)|\(cardNumber)|",
                                 englishDetail: "the card is \(cardID.hex)|\(cardNumber)|")
        }
    }

    /// Internal authentication checked by `module`, then external authentication with `keyID`.
    static func authenticate(_ card: SocialSecurityCard, cardID: CardIdentificationCode, keyID: UInt8, module: any CardSecurityModule) throws {
        let factor = try SecureRandom.bytes(8)
        let raw = try SecureRandom.bytes(8)
        let answer = try card.internalAuthenticate(factor: factor, raw: raw)
        guard answer == (try module.expectedInternalAuthentication(cardID: cardID, factor: factor, raw: raw)) else {
            throw InterfaceError(.internalAuthenticationFailed)
        }
        let challenge = try card.getChallenge()
        try card.externalAuthenticate(keyID: keyID, data: module.externalAuthentication(cardID: cardID, keyID: keyID, challenge: challenge))
    }

    /// Step1 of every two-step function: the card checked, its random data gathered. Only
    /// the 卡识别码 (and 卡号, to check `cardInfo`) is read: SELECT SSSE, SELECT EF05, one or two
    /// READ RECORDs and GET CHALLENGE. EF05 stays current for Step2.
    func hsmChallenge(reader: ReaderChoice, cardInfo: CardInfoArgument?) throws(InterfaceError) -> HSMAuthenticationChallenge {
        try withCard(reader) { card in
            let id = try Self.readCardID(card, checking: cardInfo)
            return try HSMAuthenticationChallenge(
                cardIdentificationCode: id, historicalBytes: try AnswerToReset(bytes: card.channel.atr).historicalBytes,
                algorithmIdentifier: 0x03,
                internalAuthenticationFactor: try SecureRandom.bytes(8), internalAuthenticationRaw: try SecureRandom.bytes(8),
                externalAuthenticationFactor: CardKeyScheme.externalAuthFactor(cardID: id.bytes),
                externalAuthenticationRaw: try card.getChallenge())
        }
    }

    /// Step2 of every two-step function: the card's internal answer against the HSM's
    /// (−21), then EXTERNAL AUTHENTICATE with the HSM's data (the card's −SW on refusal).
    /// No other command may reach the card in between: its challenge is single-use.
    static func completeHSMAuthentication(_ card: SocialSecurityCard, step: HSMAuthenticationChallenge, keys: HSMAuthenticationKey, keyID: UInt8) throws {
        let answer = try card.internalAuthenticate(factor: step.internalAuthenticationFactor, raw: step.internalAuthenticationRaw)
        // pKey's internal part = the first 8 bytes of the card's answer ‖ the raw data.
        guard keys.internalAuthentication == Array(answer.prefix(8)) + step.internalAuthenticationRaw else {
            throw InterfaceError(.internalAuthenticationFailed)
        }
        try card.externalAuthenticate(keyID: keyID, data: keys.externalAuthentication)
    }

    /// Reads every element `address` names; an element the card lacks reads as empty. A file
    /// is selected unless it is `current` already (or was the one before).
    static func read(_ address: FileAddress, from card: SocialSecurityCard, current: SSSEFile? = nil) throws -> String {
        var values: [CardElement: String] = [:]
        var current = current
        for f in address.files {
            if f.file != current { try card.select(f.file) }
            current = f.file
            for element in f.elements {
                if let bytes = try card.readElement(element) {
                    values[element] = try element.interfaceValue(ofCardBytes: bytes)
                }
            }
        }
        return address.readOutput(values: values)
    }
}
