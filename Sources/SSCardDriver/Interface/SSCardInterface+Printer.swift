import Foundation

/// iLoadCard and iPrint: the printer side of instant issuance (《广东省社会保障卡经办规程》附件9).
extension SSCardInterface {
    /// iLoadCard(n): feeds a pre-made card from hopper `n` (0 = the default, 1–9 a hopper) to
    /// the contact station; returns at once when a card is already there.
    public func loadCard(hopper: Int) throws(InterfaceError) {
        guard (0...9).contains(hopper) else {
            throw .badParameter("n=\(hopper) 不是 0–9", "n=\(hopper) is not 0–9")
        }
        let printer = try requirePrinter()
        lock.lock()
        defer { lock.unlock() }
        do {
            try printer.loadCard(fromHopper: hopper == 0 ? nil : hopper)
        } catch {
            throw Self.interfaceError(error)
        }
        // The encoder sees the card only once its reader reports it (pcscd polls every 400 ms).
        try waitForContactCard(present: true)
    }

    /// iReadCardBas_HSM_Step1 of the card the printer has just put at the contact station.
    /// pcscd reports a card within its presence poll (400 ms), and the reader's handle still
    /// belongs to the card before, which answers "no card" once and is then dropped; so "no
    /// card" (or a reader pcscd is not showing yet) is tried again, at once and then every
    /// 20 ms, until `timeout`.
    public func beginBasicReadOfFedCard(timeout: Duration) throws(InterfaceError) -> HSMAuthenticationChallenge {
        let deadline = ContinuousClock.now + timeout
        var tries = 0
        while true {
            do {
                return try beginBasicRead(iType: ReaderChoice.contact.rawValue)
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

    /// iPrint(n, items…): renders the card face, moves the card from the reader to the
    /// printer, prints the panels, and ALWAYS ejects — to the good exit when printing
    /// succeeded, to the reject box when it failed. When every item is empty nothing is
    /// printed and `exit` (1 good, 2 reject) chooses where the card goes.
    ///
    /// Items that cannot print — malformed (−14), a character with no glyph, a private-use
    /// code point or an unresolved `[PINYIN]` placeholder (−41), a bad photo or a box off the
    /// card or over the chip (−14), an unusable font (−5) — are refused before the card
    /// moves: it stays at the contact station and iPrint can be called again with corrected
    /// items (docs/card-face.md).
    public func printCard(exit: Int, items: [String]) throws(InterfaceError) {
        let printer = try requirePrinter()
        let job = try PrintItems(items, units: PrintUnits(configuration.printUnits))
        lock.lock()
        defer { lock.unlock() }
        if job.isEmpty {
            guard let chosen = CardExit(rawValue: exit) else {
                throw .badParameter("n=\(exit) 不是 1 或 2", "n=\(exit) is not 1 or 2")
            }
            do { try printer.eject(to: chosen) } catch { throw Self.interfaceError(error) }
            try waitForContactCard(present: false)
            return
        }
        let face: RenderedFace
        do throws(CardFaceError) {
            face = try CardFaceRenderer(configuration: configuration).render(job)
        } catch {
            throw error.interfaceError
        }
        do {
            try printer.moveToPrint()
            try waitForContactCard(present: false)
            try printer.printPanels(PrintJob(name: "card face", payload: face.printJobPayload))
            try printer.eject(to: .good)
        } catch {
            // Printed or not, the card leaves the printer: a failed card goes to the reject box.
            try? printer.eject(to: .reject)
            throw Self.interfaceError(error)
        }
    }

    public func iLoadCard(_ n: Int) -> InterfaceResult {
        result { () throws(InterfaceError) in
            try loadCard(hopper: n)
            return ""
        }
    }

    public func iPrint(_ n: Int, _ items: [String]) -> InterfaceResult {
        result { () throws(InterfaceError) in
            try printCard(exit: n, items: items)
            return ""
        }
    }

    /// Waits until the contact reader has (or no longer has) a card, up to the card timeout.
    /// Only for PC/SC readers; a simulated channel source has nothing to wait for.
    private func waitForContactCard(present: Bool) throws(InterfaceError) {
        guard !usesChannelSource else { return }
        do {
            let context = try PCSCContext()
            let pattern = configuration.contactReader
            guard let reader = try context.readers().first(where: { pattern.map($0.contains) ?? true }) else {
                throw InterfaceError(.readerConnectError, detail: "找不到制卡机的读卡器", englishDetail: "the printer's encoder reader is absent")
            }
            _ = try context.waitForCard(in: reader, present: present, timeout: .milliseconds(Int(configuration.cardTimeoutSeconds * 1000)))
        } catch let error as InterfaceError {
            throw error
        } catch PCSCError.timeout {
            throw InterfaceError(present ? .noCard : .readerConnectError,
                                 detail: present ? "卡片未到达读卡位置" : "卡片未离开读卡位置",
                                 englishDetail: present ? "the card did not reach the contact station" : "the card did not leave the contact station")
        } catch {
            throw InterfaceError(from: error)
        }
    }

    /// The printer, or the refusal a desk without one gets.
    package func requirePrinter() throws(InterfaceError) -> any CardPrinterMechanics {
        guard let printer else {
            throw InterfaceError(.unsupported, detail: "未配置制卡机", englishDetail: "no card printer is configured")
        }
        return printer
    }

    static func interfaceError(_ error: any Error) -> InterfaceError {
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
