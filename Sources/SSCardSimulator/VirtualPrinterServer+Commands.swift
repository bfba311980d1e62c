import Foundation
import SSCardDriver
import SSCardPrinter

/// The virtual printer's command set: the Escape commands as a printer carries them out, and
/// the private `X…` control commands (docs/escape-protocol.md).
extension VirtualPrinterServer {
    /// What the connection does after a command: answer, say nothing, or hang up.
    enum Outcome { case reply(EscapeReply), silence, hangUp }

    /// Runs one command as the printer would, with the link faults armed on the server.
    func handle(_ command: EscapeCommand) -> Outcome {
        // Control commands are never subject to the link faults they control.
        if command.name.hasPrefix("X") { return .reply(control(command)) }
        let link = session.withLock { s -> Outcome? in
            if Self.trips(.notConnected, &s.linkFaults) { return .hangUp }
            if Self.trips(.timeout, &s.linkFaults) { return .silence }
            return nil
        }
        if let link { return link }
        do {
            return .reply(try execute(command))
        } catch {
            return Self.reply(to: error).map(Outcome.reply) ?? .silence
        }
    }

    func execute(_ command: EscapeCommand) throws(PrinterError) -> EscapeReply {
        switch command {
        case .startSequence:
            session.withLock { s in s.sequenceOpen = true; s.downloads.removeAll() }
            return .ok
        case .selectFront, .selectBack:
            return .ok
        case .downloadPanel(let d):
            session.withLock { s in
                s.downloads.removeAll { $0.panel == d.panel }
                s.downloads.append(d)
            }
            return .ok
        case .endSequence:
            return try endSequence()
        case .insert:
            if printer.cardInPrintPath == nil {
                try printer.loadCard(fromHopper: session.withLock { $0.selectedFeeder })
            }
            try printer.moveToPrint()
            return .ok
        case .insertToContactStation:
            try printer.loadCard(fromHopper: session.withLock { $0.selectedFeeder })
            return .ok
        case .ejectToReject:
            try printer.eject(to: .reject)
            session.withLock { s in s.sequenceOpen = false; s.downloads.removeAll() }
            return .ok
        case .setRibbon(let ribbon):
            session.withLock { $0.ribbon = ribbon }
            return .ok
        case .setErrorManagement:
            return .ok
        case .feedFromHopper(let n):
            let hopper = n ?? printer.configuration.defaultHopper
            guard hopper <= printer.configuration.hopperCount else { return .error(EscapeErrorKind.commandRefused.replyText) }
            session.withLock { $0.selectedFeeder = hopper }
            return .ok
        case .readCardPosition:
            switch try printer.status().cardPosition {
            case .none: return .ok
            case .contactStation: return .value("SMART CARD")
            case .contactlessStation: return .value("CONTACTLESS CARD")
            case .printPosition: return .value("CARD")
            case .jammed: return .error(EscapeErrorKind.jam.replyText)
            }
        case .readRejectBox:
            return try printer.status().rejectBoxFull ? .value("CARD") : .ok
        case .readFeederSensor(let n):
            let hopper = n ?? session.withLock { $0.selectedFeeder }
            guard let status = try printer.status().hopper(hopper) else { return .error(EscapeErrorKind.commandRefused.replyText) }
            return .value(status.hasCards ? "5,00 Volts" : "0,00 Volts")
        case .readCoverSensor:
            return .value(try printer.status().coverOpen ? "0,00 Volts" : "5,00 Volts")
        case .readRibbonCount:
            return .value(String(try printer.status().ribbonPanelsRemaining ?? 0))
        case .other(let name, let parameters):
            switch (name, parameters) {
            case ("Pneab", ["E"]):
                session.withLock { $0.ejectAtEndOfPrint = false }
                return .ok
            case ("Pneab", ["D"]):
                session.withLock { $0.ejectAtEndOfPrint = true }
                return .ok
            case ("Pneab", _), ("Pcrm", _), ("Pcim", _), ("Pcem", _), ("Pc", _), ("Pmi", _), ("Psmgr", _), ("Pbc", _):
                return .ok
            default:
                return .error(EscapeErrorKind.commandRefused.replyText)
            }
        }
    }

    /// `Se`: prints what was downloaded (then ejects unless `Pneab;E`), or ejects when nothing was.
    func endSequence() throws(PrinterError) -> EscapeReply {
        let (downloads, ejectAfterPrint) = session.withLock { s in
            defer { s.sequenceOpen = false; s.downloads.removeAll() }
            return (s.downloads, s.ejectAtEndOfPrint)
        }
        if downloads.isEmpty {
            try printer.eject(to: .good)
            return .ok
        }
        let panels: PanelSet
        do {
            panels = try PanelSet(downloads: downloads, format: configuration.panelFormat)
        } catch {
            emit(.decodingError(error.description))
            return .error(EscapeErrorKind.commandRefused.replyText)
        }
        let card = printer.cardInPrintPath
        let cardNumber = card.flatMap { try? SocialSecurityCard(channel: SimulatedCardChannel(card: $0)).readIssuerData().cardNumber }
        let sequence = session.withLock { $0.printed.count + 1 }
        try printer.printPanels(PrintJob(name: "Escape print \(sequence)", ribbonPanels: panels.ribbonPanelCount))
        var printed = PrintedCard(sequence: sequence, cardNumber: cardNumber, panels: panels, files: [])
        if let directory = configuration.outputDirectory {
            writeFiles(of: &printed, to: directory)
        }
        session.withLock { $0.printed.append(printed) }
        emit(.printed(printed))
        if ejectAfterPrint { try printer.eject(to: .good) }
        return .ok
    }

    /// `card-0001-SIM000001`: the card number is read from the chip, so it is checked
    /// (`FileNamePart.isCardNumber`) before it joins a file name; nil when it fails.
    static func fileStem(sequence: Int, cardNumber: String?) -> String? {
        if let cardNumber, !FileNamePart.isCardNumber(cardNumber) { return nil }
        return String(format: "card-%04d", sequence) + (cardNumber.map { "-\($0)" } ?? "")
    }

    func writeFiles(of card: inout PrintedCard, to directory: URL) {
        guard let stem = Self.fileStem(sequence: card.sequence, cardNumber: card.cardNumber) else {
            card.outputError = "卡号“\(card.cardNumber ?? "")”不能用作文件名，未写卡面图片 / the card number \"\(card.cardNumber ?? "")\" cannot name a file; no face written"
            return
        }
        do throws(PNGWriteError) {
            if let k = card.panels.black {
                let url = directory.appendingPathComponent(stem + "-k.png")
                try PNGWriter.write(PNGWriter.picture(of: k), to: url.path)
                card.files.append(url)
            }
            let face = directory.appendingPathComponent(stem + "-face.png")
            try PNGWriter.write(card.panels.printedPicture, to: face.path)
            card.files.append(face)
        } catch {
            card.outputError = error.description
        }
    }

    /// Runs one of the private `X…` control commands (as a client sending it would), for a
    /// console; anything else is refused with `ERROR CDE`.
    public func control(_ command: EscapeCommand) -> EscapeReply {
        let refused = EscapeReply.error(EscapeErrorKind.commandRefused.replyText)
        switch (command.name, command.parameters) {
        case ("Xfault", let p) where (1...2).contains(p.count):
            guard let fault = Self.fault(named: p[0]) else { return refused }
            let mode: VirtualPrinterFaultMode
            switch p.count == 2 ? p[1] : "once" {
            case "once": mode = .once
            case "sticky": mode = .sticky
            default: return refused
            }
            if fault == .notConnected || fault == .timeout {
                session.withLock { $0.linkFaults[fault] = mode }
            } else {
                printer.inject(fault, mode: mode)
            }
            return .ok
        case ("Xclear", []):
            printer.clearAllFaults()
            session.withLock { $0.linkFaults.removeAll() }
            return .ok
        case ("Xclear", let p) where p.count == 1:
            guard let fault = Self.fault(named: p[0]) else { return refused }
            printer.clearFault(fault)
            session.withLock { $0.linkFaults[fault] = nil }
            return .ok
        case ("Xribbon", let p) where p.count <= 1:
            if let text = p.first {
                guard let panels = Int(text), panels >= 0 else { return refused }
                printer.replaceRibbon(panels: panels)
            } else {
                printer.replaceRibbon()
            }
            return .ok
        case ("Xcollect", []):
            printer.collectGoodExit()
            printer.emptyRejectBox()
            return .ok
        case ("Xstatus", []):
            return .value(summary())
        default:
            return refused
        }
    }

    /// `hopper1=10 hopper2=9 path=contact station good=0 reject=1 printed=1 faults=coverOpen`.
    public func summary() -> String {
        let inventory = printer.inventory()
        var parts = (1...printer.configuration.hopperCount).map { "hopper\($0)=\(printer.cards(inHopper: $0).count)" }
        let path = inventory.first { [.contactStation, .printPosition, .jammed].contains($0.place) }
        parts.append("path=\(path.map { "\($0.place)" } ?? "empty")")
        parts.append("good=\(inventory.filter { $0.place == .goodExit }.count)")
        parts.append("reject=\(inventory.filter { $0.place == .rejectBox }.count)")
        let (printed, linkFaults) = session.withLock { ($0.printed.count, $0.linkFaults) }
        parts.append("printed=\(printed)")
        let faults = Set(printer.armedFaults.keys).union(linkFaults.keys).map(Self.name(of:)).sorted()
        parts.append("faults=\(faults.isEmpty ? "none" : faults.joined(separator: ","))")
        return parts.joined(separator: " ")
    }

    // MARK: Names and replies

    /// The reply a printer error gets; nil = none (a timeout is played by not answering).
    static func reply(to error: PrinterError) -> EscapeReply? {
        switch error {
        case .coverOpen: return .error(EscapeErrorKind.coverOpen.replyText)
        case .hopperEmpty: return .error(EscapeErrorKind.feederEmpty.replyText)
        case .jamAtLoad, .jamAtPrint: return .error(EscapeErrorKind.jam.replyText)
        case .ribbonOut: return .error(EscapeErrorKind.ribbon.replyText)
        case .rejectBoxFull: return .error(EscapeErrorKind.rejectBoxFull.replyText)
        case .noCardAtStation: return .error(EscapeErrorKind.noCard.replyText)
        case .invalidHopper: return .error(EscapeErrorKind.commandRefused.replyText)
        case .notConnected(let reason, _):
            let clean = String(reason.map { $0 == "\r" || $0 == "\n" || $0 == "\0" ? " " : $0 })
            return .error(EscapeErrorKind.encoder.replyText + " " + clean)
        case .timeout: return nil
        }
    }

    /// The fault of a control-command name: the `VirtualPrinterFault` case names.
    static func fault(named name: String) -> VirtualPrinterFault? {
        VirtualPrinterFault.allCases.first { Self.name(of: $0) == name }
    }

    static func name(of fault: VirtualPrinterFault) -> String {
        switch fault {
        case .jamAtLoad: return "jamAtLoad"
        case .jamAtPrint: return "jamAtPrint"
        case .coverOpen: return "coverOpen"
        case .ribbonOut: return "ribbonOut"
        case .notConnected: return "notConnected"
        case .timeout: return "timeout"
        }
    }

    static func trips(_ fault: VirtualPrinterFault, _ faults: inout [VirtualPrinterFault: VirtualPrinterFaultMode]) -> Bool {
        guard let mode = faults[fault] else { return false }
        if mode == .once { faults[fault] = nil }
        return true
    }
}
