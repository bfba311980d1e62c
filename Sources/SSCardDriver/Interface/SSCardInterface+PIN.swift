/// iVerifyPIN, iChangePIN, iReloadPIN, iUnblockPIN and the three-step HSM forms of the last
/// two (docs/pin-functions.md).
///
/// Where the PIN comes from, first match wins:
/// 1. the `pinEntry` the caller passes;
/// 2. for verify and change, the reader's PIN pad (PC/SC part 10 FEATURE_VERIFY_PIN_DIRECT /
///    MODIFY_PIN_DIRECT), when the reader announces it;
/// 3. the process-wide `PINEntryRegistry.current` (the C PIN callback);
/// 4. `TerminalPINEntry` on /dev/tty.
/// RELOAD PIN needs a MAC over the new PIN, which a PIN pad cannot add, so iReloadPIN never
/// uses the pad.
///
/// No PIN goes into a `String`: not into pOutInfo, an error message or a log. PINs live in
/// `SecretBytes` (non-copyable, zeroed when it ends) held by `PINPrompt` until the function
/// ends (for the HSM forms, by the pending step until Step3); the arrays built from them — the
/// command's data field — are wiped as soon as the command has been sent.
extension SSCardInterface {
    /// How a PIN pad is asked for the SSSE PIN: 6 digits, 60 seconds per entry.
    public static let pinPadFormat = PINPadFormat()

    // MARK: iVerifyPIN / iChangePIN

    /// iVerifyPIN: presents the holder's PIN to the card. A locked PIN answers −52 before
    /// anyone is asked; a PIN not of 4–16 digits −33 (nothing sent); a wrong one −51 with the
    /// tries left, or −52 when that try locked it.
    public func verifyPIN(reader: ReaderChoice, pinEntry: (any PINEntry)? = nil) throws(InterfaceError) {
        let prompt = PINPrompt(explicit: pinEntry)
        defer { prompt.wipe() }
        try withCard(reader) { card in
            try Self.selectSSSEForPIN(card)
            try Self.refuseIfLocked(card)
            if pinEntry == nil, let pad = Self.pinPad(of: card, \.verifyPINDirect) {
                let answer = try pad.channel.pinPadControl(
                    code: pad.code, data: PINVerifyStructure(ssseVerify: Self.pinPadFormat).bytes,
                    timeout: .seconds(Self.pinPadFormat.timeoutSeconds))
                if let error = PINPadOutcome(readerAnswer: answer).interfaceError { throw error }
                return
            }
            let pin = try prompt.pin(.currentPIN)
            try refuseInitialPINOutsideCounter(pin)
            guard var command = SSSECommands.verifyPIN(pin.secret) else { throw InterfaceError(.pinLength) }
            defer { KeyMaterial.wipe(&command.data) }
            try Self.checkPINAnswer(card.channel.transmit(command).statusWord)
        }
    }

    /// −35 初始密码不能交易 for the initial PIN when `initialPIN` is "counter-only" and this is
    /// not the counter's interface: the holder's own PIN, set at the counter, comes first
    /// (《广东省社会保障卡经办规程》第十八条). Compared in constant time; nothing is sent. A PIN
    /// pad's entry never reaches the driver, so the rule cannot apply there.
    func refuseInitialPINOutsideCounter(_ pin: HeldPIN) throws(InterfaceError) {
        guard configuration.initialPIN == .counterOnly, !isCounter else { return }
        if PINRules.isInitialPIN(pin.secret) {
            throw InterfaceError(.initialPINCannotTransact, detail: "请持卡人先在卡经办网点设置社保应用密码",
                                 englishDetail: "the holder sets their own PIN at the counter first")
        }
    }

    /// iChangePIN: current PIN, new PIN, new PIN again. −33 a PIN not of 4–16 digits, −36 a
    /// new PIN equal to the initial 123456, −34 the two new entries differ (nothing sent for
    /// any of these); then the card's verdict on the current PIN: −51 with tries left, −52.
    /// On a PIN pad the reader compares the two entries (−34) but the driver never sees the
    /// new PIN, so the −36 rule is not applied there.
    public func changePIN(reader: ReaderChoice, pinEntry: (any PINEntry)? = nil) throws(InterfaceError) {
        let prompt = PINPrompt(explicit: pinEntry)
        defer { prompt.wipe() }
        try withCard(reader) { card in
            try Self.selectSSSEForPIN(card)
            try Self.refuseIfLocked(card)
            if pinEntry == nil, let pad = Self.pinPad(of: card, \.modifyPINDirect) {
                let answer = try pad.channel.pinPadControl(
                    code: pad.code, data: PINModifyStructure(ssseChange: Self.pinPadFormat).bytes,
                    timeout: .seconds(3 * Self.pinPadFormat.timeoutSeconds))
                if let error = PINPadOutcome(readerAnswer: answer).interfaceError { throw error }
                return
            }
            let old = try prompt.pin(.currentPIN)
            guard PINRules.isWellFormed(old.secret) else { throw InterfaceError(.pinLength) }
            let new = try Self.newPIN(prompt)
            guard var command = SSSECommands.changePIN(old: old.secret, new: new.secret) else { throw InterfaceError(.pinLength) }
            defer { KeyMaterial.wipe(&command.data) }
            try Self.checkPINAnswer(card.channel.transmit(command).statusWord)
        }
    }

    // MARK: iReloadPIN / iUnblockPIN with the terminal's security module

    /// iReloadPIN (PIN重置): after checking `cardInfo` against the card (−22) and the card's
    /// genuineness (−21), asks for the new PIN twice (−33, −36, −34 as iChangePIN) and sets it
    /// with RELOAD PIN, MACed by the security module with the card's PUK. The try counter is
    /// full afterwards. −2201 without a security module, −24 with one that holds no PUK.
    public func reloadPIN(reader: ReaderChoice, cardInfo: CardInfoArgument, pinEntry: (any PINEntry)? = nil) throws(InterfaceError) {
        let module = try pinSecurityModule()
        let prompt = PINPrompt(explicit: pinEntry)
        defer { prompt.wipe() }
        try withCard(reader) { card in
            let id = try Self.checkedCard(card, cardInfo)
            try Self.proveGenuine(card, cardID: id, module: module)
            let packed = try Self.newPINPacked(prompt)
            try packed.withBytes { data in
                try Self.sendPINReset(.reload, data: data, card: card) { input in
                    try module.pinCommandMAC(cardID: id, macInput: input)
                }
            }
        }
    }

    /// iUnblockPIN (PIN解锁): after the same checks as iReloadPIN, resets the try counter with
    /// UNBLOCK PIN; the PIN stays what it was. No PIN is asked for.
    public func unblockPIN(reader: ReaderChoice, cardInfo: CardInfoArgument) throws(InterfaceError) {
        let module = try pinSecurityModule()
        try withCard(reader) { card in
            let id = try Self.checkedCard(card, cardInfo)
            try Self.proveGenuine(card, cardID: id, module: module)
            try Self.sendPINReset(.unblock, data: [], card: card) { input in
                try module.pinCommandMAC(cardID: id, macInput: input)
            }
        }
    }

    // MARK: The three HSM steps

    /// Step1 of iReloadPIN_HSM / iUnblockPIN_HSM: checks `cardInfo` against the card (−22),
    /// for a reload asks for the new PIN twice and keeps it (packed) in the driver, and returns
    /// the internal-authentication randoms for the HSM. Replaces any pending two-step call.
    public func beginPINReset(_ kind: PINResetKind, reader: ReaderChoice, cardInfo: CardInfoArgument,
                              pinEntry: (any PINEntry)? = nil) throws(InterfaceError) -> PINResetChallenge {
        lock.lock()
        defer { lock.unlock() }
        pendingStep = nil
        let prompt = PINPrompt(explicit: pinEntry)
        defer { prompt.wipe() }
        let (challenge, held) = try withCard(reader) { card -> (PINResetChallenge, HeldPIN?) in
            let id = try Self.checkedCard(card, cardInfo)
            let held = kind == .reload ? try Self.newPINPacked(prompt) : nil
            let challenge = try PINResetChallenge(
                cardIdentificationCode: id, historicalBytes: try AnswerToReset(bytes: card.channel.atr).historicalBytes,
                algorithmIdentifier: 0x03,
                internalAuthenticationFactor: try SecureRandom.bytes(8), internalAuthenticationRaw: try SecureRandom.bytes(8))
            return (challenge, held)
        }
        pendingStep = .pin(PendingPINStep(kind: kind, reader: reader, newPIN: held, stage: .awaitingAuthentication(challenge)))
        return challenge
    }

    /// Step2: checks the card with the HSM's internal-authentication value (−21), takes a
    /// 16-byte challenge from the card and returns the command's MAC input for the HSM.
    public func authenticatePINReset(_ kind: PINResetKind, key: PINResetAuthentication) throws(InterfaceError) -> PINCommandMACRequest {
        lock.lock()
        defer { lock.unlock() }
        guard case .pin(var step) = pendingStep, step.kind == kind, case .awaitingAuthentication(let challenge) = step.stage else {
            throw InterfaceError(.badParameter, detail: "请先调用 \(kind.functionName)_Step1", englishDetail: "call \(kind.functionName)_Step1 first")
        }
        pendingStep = nil
        let request = try withCard(step.reader) { card -> PINCommandMACRequest in
            let id = challenge.cardIdentificationCode
            guard try Self.readCardID(card) == id else {
                throw InterfaceError(.dataDiffersFromCard, detail: "卡片已更换", englishDetail: "the card was changed between the steps")
            }
            let answer = try card.internalAuthenticate(factor: challenge.internalAuthenticationFactor, raw: challenge.internalAuthenticationRaw)
            guard key.internalAuthentication == Array(answer.prefix(8)) + challenge.internalAuthenticationRaw else {
                throw InterfaceError(.internalAuthenticationFailed)
            }
            let challenge = try card.getChallenge(length: 16)
            let (input, dataCount) = try Self.withHeldBytes(step.newPIN) { data in
                (PINCommandBlock.macInput(header: kind.header, data: data, challenge: challenge), data.count)
            }
            return try PINCommandMACRequest(cardIdentificationCode: id, commandHeader: kind.header + [UInt8(dataCount + CardKeyScheme.macSize)],
                                            macInput: input)
        }
        step.stage = .awaitingMAC(request)
        pendingStep = .pin(step)
        return request
    }

    /// Step3: sends RELOAD PIN (with the PIN kept since Step1) or UNBLOCK PIN with the HSM's
    /// MAC. A wrong MAC is the card's −SW (6988 → −27016). The pending state and the PIN are
    /// dropped whatever the outcome.
    public func completePINReset(_ kind: PINResetKind, mac: PINCommandMAC) throws(InterfaceError) {
        lock.lock()
        defer { lock.unlock() }
        guard case .pin(let step) = pendingStep, step.kind == kind, case .awaitingMAC(let request) = step.stage else {
            throw InterfaceError(.badParameter, detail: "请先调用 \(kind.functionName)_Step2", englishDetail: "call \(kind.functionName)_Step2 first")
        }
        pendingStep = nil
        try withCard(step.reader) { card in
            let h = request.commandHeader
            var payload = try Self.withHeldBytes(step.newPIN) { data in
                var payload: [UInt8] = []
                payload.reserveCapacity(data.count + mac.mac.count)
                payload.append(contentsOf: data)
                payload.append(contentsOf: mac.mac)
                return payload
            }
            defer { KeyMaterial.wipe(&payload) }
            let sw = try card.channel.transmit(CommandAPDU(cla: h[0], ins: h[1], p1: h[2], p2: h[3], data: payload)).statusWord
            guard sw.isSuccess else { throw InterfaceError(statusWord: sw) }
        }
    }

    // MARK: String forms (pOutInfo is empty on success)

    public func iVerifyPIN(_ iType: Int, pinEntry: (any PINEntry)? = nil) -> InterfaceResult {
        result { () throws(InterfaceError) in try verifyPIN(reader: ReaderChoice(iType: iType), pinEntry: pinEntry); return "" }
    }

    public func iChangePIN(_ iType: Int, pinEntry: (any PINEntry)? = nil) -> InterfaceResult {
        result { () throws(InterfaceError) in try changePIN(reader: ReaderChoice(iType: iType), pinEntry: pinEntry); return "" }
    }

    public func iReloadPIN(_ iType: Int, _ pCardInfo: String, pinEntry: (any PINEntry)? = nil) -> InterfaceResult {
        result { () throws(InterfaceError) in
            let cardInfo = try CardInfoArgument(parsing: pCardInfo)
            try reloadPIN(reader: ReaderChoice(iType: iType), cardInfo: cardInfo, pinEntry: pinEntry)
            return ""
        }
    }

    public func iUnblockPIN(_ iType: Int, _ pCardInfo: String) -> InterfaceResult {
        result { () throws(InterfaceError) in
            let cardInfo = try CardInfoArgument(parsing: pCardInfo)
            try unblockPIN(reader: ReaderChoice(iType: iType), cardInfo: cardInfo)
            return ""
        }
    }

    public func iReloadPIN_HSM_Step1(_ iType: Int, _ pCardInfo: String, pinEntry: (any PINEntry)? = nil) -> InterfaceResult {
        result { () throws(InterfaceError) in
            let cardInfo = try CardInfoArgument(parsing: pCardInfo)
            return try beginPINReset(.reload, reader: ReaderChoice(iType: iType), cardInfo: cardInfo, pinEntry: pinEntry).interfaceText
        }
    }

    public func iReloadPIN_HSM_Step2(_ pKey: String) -> InterfaceResult {
        result { () throws(InterfaceError) in try authenticatePINReset(.reload, key: PINResetAuthentication(parsing: pKey)).interfaceText }
    }

    public func iReloadPIN_HSM_Step3(_ pKey: String) -> InterfaceResult {
        result { () throws(InterfaceError) in try completePINReset(.reload, mac: PINCommandMAC(parsing: pKey)); return "" }
    }

    public func iUnblockPIN_HSM_Step1(_ iType: Int, _ pCardInfo: String) -> InterfaceResult {
        result { () throws(InterfaceError) in
            let cardInfo = try CardInfoArgument(parsing: pCardInfo)
            return try beginPINReset(.unblock, reader: ReaderChoice(iType: iType), cardInfo: cardInfo).interfaceText
        }
    }

    public func iUnblockPIN_HSM_Step2(_ pKey: String) -> InterfaceResult {
        result { () throws(InterfaceError) in try authenticatePINReset(.unblock, key: PINResetAuthentication(parsing: pKey)).interfaceText }
    }

    public func iUnblockPIN_HSM_Step3(_ pKey: String) -> InterfaceResult {
        result { () throws(InterfaceError) in try completePINReset(.unblock, mac: PINCommandMAC(parsing: pKey)); return "" }
    }

    // MARK: Shared steps

    /// The card's answer to a PIN presentation as the interface reports it: −51 with the tries
    /// left, −52 when locked (6983, or 63C0: that try locked it), else −SW.
    static func pinRefusal(_ sw: StatusWord) -> InterfaceError {
        if let n = sw.triesLeft { return n == 0 ? InterfaceError(.pinLocked) : .pinWrong(triesLeft: n) }
        if sw == .authenticationMethodBlocked { return InterfaceError(.pinLocked) }
        return InterfaceError(statusWord: sw)
    }

    private static func checkPINAnswer(_ sw: StatusWord) throws(InterfaceError) {
        guard sw.isSuccess else { throw pinRefusal(sw) }
    }

    /// SELECT SSSE; a card without one is −1.
    private static func selectSSSEForPIN(_ card: SocialSecurityCard) throws {
        do {
            try card.selectSSSE()
        } catch CardError.refused(0xA4, let sw) where sw == .fileNotFound {
            throw InterfaceError(.wrongCardType, detail: "不是社会保障卡", englishDetail: "not a social security card")
        }
    }

    /// −52 at once for a locked PIN (VERIFY without data spends no try). Cards that do not
    /// answer that form are let through: the presentation itself will tell.
    private static func refuseIfLocked(_ card: SocialSecurityCard) throws {
        if case .locked = try card.pinTriesLeft() { throw InterfaceError(.pinLocked) }
    }

    /// The reader's PIN pad and the control code of `feature`, if it has both.
    private static func pinPad(of card: SocialSecurityCard, _ feature: KeyPath<ReaderFeatures, UInt32?>) -> (channel: any PINPadChannel, code: UInt32)? {
        guard let channel = card.channel as? any PINPadChannel,
              let features = try? channel.pinPadFeatures(), let code = features[keyPath: feature] else { return nil }
        return (channel, code)
    }

    /// The new PIN, asked twice: −33 not 4–16 digits, −36 the initial PIN, −34 entries differ.
    private static func newPIN(_ prompt: PINPrompt) throws(InterfaceError) -> HeldPIN {
        let new = try prompt.pin(.newPIN)
        guard PINRules.isWellFormed(new.secret) else { throw InterfaceError(.pinLength) }
        guard !PINRules.isInitialPIN(new.secret) else { throw InterfaceError(.cannotChangeToInitialPIN) }
        let again = try prompt.pin(.newPINAgain)
        guard new.secret.isEqual(to: again.secret) else { throw InterfaceError(.pinsDiffer) }
        return new
    }

    /// The new PIN packed as RELOAD PIN carries it, in a `SecretBytes` of its own.
    private static func newPINPacked(_ prompt: PINPrompt) throws(InterfaceError) -> HeldPIN {
        guard var packed = SSSECommands.packPIN(try newPIN(prompt).secret) else { throw InterfaceError(.pinLength) }
        return HeldPIN(SecretBytes(wiping: &packed))
    }

    /// `body` with the bytes of `held` (wiped afterwards), or with no bytes when there is none.
    private static func withHeldBytes<R>(_ held: HeldPIN?, _ body: ([UInt8]) throws -> R) throws -> R {
        guard let held else { return try body([]) }
        return try held.withBytes(body)
    }

    /// Reads the 卡识别码 and 卡号 from EF05 and compares pCardInfo (−22); returns the 卡识别码.
    private static func checkedCard(_ card: SocialSecurityCard, _ info: CardInfoArgument) throws -> CardIdentificationCode {
        do {
            return try readCardID(card, checking: info)
        } catch let error as InterfaceError where error.code == .dataDiffersFromCard {
            throw InterfaceError(.dataDiffersFromCard, detail: "卡识别码或卡号与卡内不符", englishDetail: "the 卡识别码 or 卡号 is not the card's")
        }
    }

    /// INTERNAL AUTHENTICATE with fresh randoms, checked by the module (−21).
    private static func proveGenuine(_ card: SocialSecurityCard, cardID: CardIdentificationCode, module: any CardSecurityModule) throws {
        let factor = try SecureRandom.bytes(8), raw = try SecureRandom.bytes(8)
        let answer = try card.internalAuthenticate(factor: factor, raw: raw)
        guard answer == (try module.expectedInternalAuthentication(cardID: cardID, factor: factor, raw: raw)) else {
            throw InterfaceError(.internalAuthenticationFailed)
        }
    }

    /// GET CHALLENGE (16 bytes), the MAC from `mac(macInput)`, then the command.
    private static func sendPINReset(_ kind: PINResetKind, data: [UInt8], card: SocialSecurityCard,
                                     mac: ([UInt8]) throws -> [UInt8]) throws {
        let input = PINCommandBlock.macInput(header: kind.header, data: data, challenge: try card.getChallenge(length: 16))
        let code = try mac(input)
        guard code.count == CardKeyScheme.macSize else {
            throw InterfaceError(.dataLength, detail: "安全模块返回的MAC长度错", englishDetail: "the security module's MAC is not 4 bytes")
        }
        let h = kind.header
        var payload = data + code
        defer { KeyMaterial.wipe(&payload) }
        let sw = try card.channel.transmit(CommandAPDU(cla: h[0], ins: h[1], p1: h[2], p2: h[3], data: payload)).statusWord
        guard sw.isSuccess else { throw InterfaceError(statusWord: sw) }
    }

    /// The module for iReloadPIN / iUnblockPIN: −2201 none, −24 one without the PUK.
    private func pinSecurityModule() throws(InterfaceError) -> any PINSecurityModule {
        guard let module = securityModule else { throw InterfaceError(.noPSAM) }
        guard let pinModule = module as? any PINSecurityModule else {
            throw InterfaceError(.keyLevelTooLow, detail: "安全模块不能计算PIN重置/解锁的MAC", englishDetail: "the security module cannot MAC PIN reload/unblock commands")
        }
        return pinModule
    }
}

/// The PINs of one interface call, each asked once even when the call is retried on another
/// reader or after a reset, and dropped together when the call ends: each is a `SecretBytes`
/// zeroed when its last reference goes.
final class PINPrompt {
    private let explicit: (any PINEntry)?
    private lazy var entry: any PINEntry = explicit ?? PINEntryRegistry.current ?? TerminalPINEntry()
    private var answers: [PINPurpose: HeldPIN] = [:]

    init(explicit: (any PINEntry)?) { self.explicit = explicit }

    func pin(_ purpose: PINPurpose) throws(InterfaceError) -> HeldPIN {
        if let known = answers[purpose] { return known }
        do {
            let digits = HeldPIN(try entry.readSecretPIN(for: purpose))
            answers[purpose] = digits
            return digits
        } catch {
            throw error.interfaceError
        }
    }

    /// Drops every PIN asked for; each is zeroed when no step holds it any more.
    func wipe() {
        answers.removeAll()
    }
}
