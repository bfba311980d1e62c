/// iWriteCard and its two-step HSM form.
extension SSCardInterface {
    /// iWriteCard: writes the values of the first file of `fileAddress` (the national text
    /// says iWriteCard handles only the first file), after external authentication with the
    /// write key (04), then reads them back: a card that does not hold what was written is −22.
    public func writeCard(reader: ReaderChoice, cardInfo: CardInfoArgument, fileAddress: FileAddress, data: WriteData) throws(InterfaceError) -> String {
        guard let module = securityModule else { throw InterfaceError(.noPSAM) }
        return try withCard(reader) { card in
            let cardID = try Self.readCardID(card, checking: cardInfo)
            try Self.authenticate(card, cardID: cardID, keyID: 0x04, module: module)
            return try Self.write(data, to: card, current: .ef05) {
                // Reading EF06–EF08 back needs the read key.
                try Self.authenticate(card, cardID: cardID, keyID: 0x0A, module: module)
            }
        }
    }

    /// iWriteCard_HSM_Step1: checks the card and gathers the HSM's random data.
    public func beginCardWrite(reader: ReaderChoice, cardInfo: CardInfoArgument, fileAddress: FileAddress) throws(InterfaceError) -> HSMAuthenticationChallenge {
        let step = try hsmChallenge(reader: reader, cardInfo: cardInfo)
        pendingStep = .writeCard(step, fileAddress)
        return step
    }

    /// iWriteCard_HSM_Step2: authenticates with the HSM's values (external key 04) and writes.
    public func completeCardWrite(hsmKeys: HSMAuthenticationKey, data pWriteData: String) throws(InterfaceError) -> String {
        guard case .writeCard(let step, let address) = pendingStep else {
            throw InterfaceError(.badParameter, detail: "请先调用 iWriteCard_HSM_Step1", englishDetail: "call iWriteCard_HSM_Step1 first")
        }
        pendingStep = nil
        let data = try WriteData(parsing: pWriteData, address: address)
        return try withCard(.contact) { card in
            try Self.completeHSMAuthentication(card, step: step, keys: hsmKeys, keyID: 0x04)
            // The HSM opened writing only; EF06–EF08 cannot be read back without its read key,
            // so only EF05 is compared here (the card's 9000 to each UPDATE RECORD stands).
            // Step1 left EF05 current (see `hsmChallenge`).
            return try Self.write(data, to: card, current: .ef05, openForReadBack: nil)
        }
    }

    public func iWriteCard(_ iType: Int, _ pCardInfo: String, _ pFileAddr: String, _ pWriteData: String) -> InterfaceResult {
        result { () throws(InterfaceError) in
            let address = try FileAddress(parsing: pFileAddr)
            let cardInfo = try CardInfoArgument(parsing: pCardInfo), data = try WriteData(parsing: pWriteData, address: address)
            return try writeCard(reader: ReaderChoice(iType: iType), cardInfo: cardInfo, fileAddress: address, data: data)
        }
    }

    public func iWriteCard_HSM_Step1(_ iType: Int, _ pCardInfo: String, _ pFileAddr: String) -> InterfaceResult {
        result { () throws(InterfaceError) in
            let cardInfo = try CardInfoArgument(parsing: pCardInfo), address = try FileAddress(parsing: pFileAddr)
            return try beginCardWrite(reader: ReaderChoice(iType: iType), cardInfo: cardInfo, fileAddress: address).interfaceText
        }
    }

    public func iWriteCard_HSM_Step2(_ pKey: String, _ pWriteData: String) -> InterfaceResult {
        result { () throws(InterfaceError) in try completeCardWrite(hsmKeys: HSMAuthenticationKey(parsing: pKey), data: pWriteData) }
    }

    /// UPDATE RECORD for each value of the first file, then READ RECORD to compare — after
    /// `openForReadBack` for a protected file; without it only EF05 is compared. The file is
    /// selected unless it is `current` already; authentication selects nothing, so it stays
    /// current for the read back. Returns the written file as pWriteData shows it.
    static func write(_ data: WriteData, to card: SocialSecurityCard, current: SSSEFile?, openForReadBack: (() throws -> Void)?) throws -> String {
        guard let first = data.files.first else { return "" }
        if first.file != current { try card.select(first.file) }
        for item in first.items {
            _ = try card.channel.expectSuccess(SSSECommands.updateRecord(
                number: item.element.record, record: SimpleTLV(tag: item.element.tag, value: item.cardBytes)))
        }
        if first.file != .ef05 {
            guard let openForReadBack else { return Self.interfaceText(of: first) }
            try openForReadBack()
        }
        for item in first.items {
            guard try card.readElement(item.element) == item.cardBytes else {
                throw InterfaceError(.dataDiffersFromCard,
                                     detail: "写入后读回的\(item.element.name)不一致", englishDetail: "\(item.element.name) read back differs from what was written")
            }
        }
        return interfaceText(of: first)
    }

    static func interfaceText(of file: WriteData.FileValues) -> String {
        file.file.interfaceName + "|" + file.items.map { $0.value + "|" }.joined() + "$"
    }
}
