import Foundation

/// iLoadCard and the ready-to-feed check: the printer side of instant issuance that needs no
/// renderer (《广东省社会保障卡经办规程》附件9). iPrint, which renders the face, is in SSCardPrinter.
extension SSCardInterface {
    /// iLoadCard(n): feeds a pre-made card from hopper `n` (0 = the default, 1–9 a hopper) to
    /// the contact station (at once when a card is already there) and powers it afresh. A
    /// printer with one hopper ignores `n`, whatever it is: "对于单卡盒的机器，不用理会参数n的值，
    /// 都从默认卡盒进卡" (《广东省社会保障卡经办规程》附件9, iLoadCard).
    public func loadCard(hopper: Int) throws(InterfaceError) {
        let printer = try requirePrinter()
        var requested: Int? = hopper == 0 ? nil : hopper
        if !(0...9).contains(hopper) {
            // Out of range is an error only where n means something: on several hoppers.
            let fitted: Int
            do { fitted = try printer.status().hoppers.count } catch { throw Self.interfaceError(error) }
            guard fitted == 1 else {
                throw .badParameter("n=\(hopper) 不是 0–9", "n=\(hopper) is not 0–9")
            }
            requested = nil
        }
        lock.lock()
        defer { lock.unlock() }
        do {
            try printer.loadCard(fromHopper: requested)
        } catch {
            throw Self.interfaceError(error)
        }
        // The card is powered afresh now rather than waited for until pcscd notices it (its
        // 400 ms presence polls); vpcd can even show a swap pcscd never saw as the old card,
        // unpowered, with the old ATR.
        try powerCycleFedCard(timeout: configuration.cardTimeout)
        fedCardPowered = true
    }

    /// The printer moved the card away from the contact station (to print, or out): the
    /// driver lets go of it at once instead of waiting for pcscd to see it leave; the next
    /// `loadCard` powers the new card afresh (`PCSCCardSession.powerCycle`).
    package func releaseContactCard() {
        guard !usesChannelSource else { return }
        lock.lock()
        defer { lock.unlock() }
        (contactChannel as? PCSCCardSession)?.cardLeft()
        fedCardPowered = false
    }

    /// The card at the contact station, powered afresh through the contact reader, up to
    /// `timeout` ("card did not reach the contact station" after it).
    func powerCycleFedCard(timeout: Duration) throws(InterfaceError) {
        guard !usesChannelSource, let session = contactChannel as? PCSCCardSession else { return }
        do {
            try session.powerCycle(waitingUpTo: timeout)
        } catch let error as PCSCError where error != .noService && error != .serviceStopped {
            throw InterfaceError(.noCard, detail: "卡片未到达读卡位置", englishDetail: "the card did not reach the contact station", underlying: error)
        } catch {
            throw InterfaceError(from: error)
        }
    }

    /// iReadCardBas_HSM_Step1 of the card the printer has just put at the contact station.
    /// pcscd reports a card within its presence poll (400 ms), and the reader's handle may
    /// still belong to the card before, which answers "no card" once and is then dropped; so
    /// "no card" (or a reader pcscd is not showing yet) is tried again, at once and then every
    /// 20 ms, until `timeout`.
    public func beginBasicReadOfFedCard(timeout: Duration) throws(InterfaceError) -> HSMAuthenticationChallenge {
        let deadline = ContinuousClock.now + timeout
        // A card fed by hand or before this process started is powered afresh first, as
        // `loadCard` does for the card it feeds.
        lock.lock()
        do {
            defer { lock.unlock() }
            if !fedCardPowered { try powerCycleFedCard(timeout: timeout) }
            fedCardPowered = false
        }
        var tries = 0
        while true {
            do {
                return try beginBasicRead(reader: .contact)
            } catch {
                guard error.code == .noCard || error.code == .readerConnectError, ContinuousClock.now < deadline else { throw error }
            }
            tries += 1
            if tries > 1 { Thread.sleep(forTimeInterval: 0.02) }
        }
    }

    /// Before a card moves: the printer can feed from `hopper` (0 = the default) and finish a
    /// card (cover closed, cards in the hopper, ribbon left, room in the reject box) and the
    /// encoder reader is there, so a fault is found while the card is still in its hopper.
    public func checkReadyToFeed(hopper: Int) throws(InterfaceError) {
        let printer = try requirePrinter()
        let status: PrinterStatus
        do { status = try printer.status() } catch { throw Self.interfaceError(error) }
        let number = hopper == 0 ? status.defaultHopper : hopper
        let problem: PrinterError? =
            status.coverOpen ? .coverOpen
            : status.hopper(number)?.hasCards == false ? .hopperEmpty(hopper: number)
            : status.ribbonPanelsRemaining == 0 ? .ribbonOut
            : status.rejectBoxFull ? .rejectBoxFull
            : nil
        if let problem { throw Self.interfaceError(problem) }
        guard !usesChannelSource else { return }
        let readers: [String]
        do { readers = try PCSCContext().readers() } catch { throw InterfaceError(from: error) }
        guard readers.contains(where: { configuration.contactReader.map($0.contains) ?? true }) else {
            throw InterfaceError(.readerConnectError, detail: "找不到制卡机的读卡器", englishDetail: "the printer's encoder reader is absent")
        }
    }

    public func iLoadCard(_ n: Int) -> InterfaceResult {
        result { () throws(InterfaceError) in
            try loadCard(hopper: n)
            return ""
        }
    }

    /// The printer, or the refusal a desk without one gets.
    package func requirePrinter() throws(InterfaceError) -> any CardPrinterMechanics {
        guard let printer else {
            throw InterfaceError(.unsupported, detail: "未配置制卡机", englishDetail: "no card printer is configured")
        }
        return printer
    }

    package static func interfaceError(_ error: any Error) -> InterfaceError {
        if let printerError = error as? PrinterError {
            // Printer codes (docs/printer.md) carry their own messages.
            var mapped = InterfaceError(InterfaceCode(rawValue: printerError.code), underlying: printerError)
            mapped.message = printerError.chineseMessage
            mapped.englishMessage = printerError.englishMessage
            return mapped
        }
        return InterfaceError(from: error)
    }
}
