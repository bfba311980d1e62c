import SSCardDriver
import Synchronization

/// A card printer driven with Evolis Escape commands over any `PrinterTransport`: the real
/// printer over USB (`USBPrinterTransport`) or the virtual printer over a socket
/// (`SocketPrinterTransport`). Escape 协议制卡机.
///
/// Each call is a short dialogue, one command and one reply at a time (docs/escape-protocol.md):
///
/// | Call | Commands |
/// |---|---|
/// | first call, and after the link was lost | `setupCommands`: `Pem;2`, `Pneab;E`, `Pcrm;D` |
/// | `status()` | `Rse;f` (or `Rse;f;n` per hopper), `Rse;o`, `Rrt;count`, `Rlr;p`, `Rlr;h` |
/// | `loadCard(fromHopper: n)` | `Rlr;p`; `SMART CARD` → done; else `Pcim;F;n` (plain `Pcim;F` with one hopper), `Sis`, `Rlr;p` |
/// | `moveToPrint()` | `Rlr;p`; `Si` when the card is at the contact station |
/// | `printPanels(job)` | `Rlr;p`, [`Si`], `Pr;ymcko`, `Ss`, `Sr`, `Db;y;32;…` `Db;m;…` `Db;c;…` `Db;k;2;…` `Db;o;2;…`, `Se` |
/// | `eject(to: .good)` | `Rlr;p`; `Ss`, `Pneab;A;1`, `Se` |
/// | `eject(to: .reject)`, or any eject of a jammed card | `Rlr;p`; `Pneab;A;1`, `Pcrm;D`, `Ser` |
///
/// `Pneab;E` (no ejection at the end of a print) keeps the printed card at the print position
/// until `eject(to:)`, as `CardPrinterMechanics` requires. An `ERR…` reply becomes the
/// `PrinterError` its words and the operation say (`EscapeReply.printerError(during:command:)`);
/// a reply that does not come within the operation's timeout is `.timeout`; a broken link is
/// `.notConnected`.
///
/// Calls run one at a time (a lock) and block the calling thread for as long as the printer
/// takes, up to `printTimeout`: call them off the Swift cooperative pool. A print job's payload
/// that is not panels (`PanelSet(printJobPayload:)`) is a programmer error and traps; every
/// condition of the printer or the link throws.
public final class EscapePrinter: CardPrinterMechanics {
    public struct Configuration: Hashable, Sendable {
        /// Hoppers fitted, numbered 1…hopperCount. With one, hopper numbers pick nothing and
        /// the feeder commands carry no number.
        public var hopperCount: Int
        /// The hopper `loadCard(fromHopper: nil)` and iLoadCard(0) feed from.
        public var defaultHopper: Int
        /// How panels go on the wire (82,296-byte 1-bit panels by default).
        public var panelFormat: EscapePanelFormat
        /// Levels of the dye panels made from an "SSCF" payload: 32 (5 bits) by default.
        public var dyeLevels: EscapePanelLevels
        /// Sent before the first command and after the link was lost. A `ERROR CDE` refusal of
        /// one of them (a model without that setting) is ignored.
        public var setupCommands: [EscapeCommand]
        /// The eject-to-output sequence.
        public var ejectCommands: [EscapeCommand]
        /// The eject-to-reject-box sequence.
        public var rejectCommands: [EscapeCommand]
        /// Timeout of a query or a setting.
        public var commandTimeout: Duration
        /// Timeout of a card movement (`Sis`, `Si`, `Se` to eject, `Ser`) and of a panel download.
        public var movementTimeout: Duration
        /// Timeout of the `Se` that prints the downloaded panels.
        public var printTimeout: Duration
        /// A sensor reads "cards present" / "cover closed" at or above this voltage (`5,00
        /// Volts` vs `0,00 Volts`).
        public var sensorThresholdVolts: Double

        public init(
            hopperCount: Int = 1, defaultHopper: Int = 1, panelFormat: EscapePanelFormat = .exact,
            dyeLevels: EscapePanelLevels = .thirtyTwo,
            setupCommands: [EscapeCommand] = Self.defaultSetupCommands,
            ejectCommands: [EscapeCommand] = Self.defaultEjectCommands,
            rejectCommands: [EscapeCommand] = Self.defaultRejectCommands,
            commandTimeout: Duration = .seconds(5), movementTimeout: Duration = .seconds(30),
            printTimeout: Duration = .seconds(300), sensorThresholdVolts: Double = 2.5
        ) {
            precondition((1...9).contains(hopperCount), "a printer has 1–9 hoppers")
            precondition((1...hopperCount).contains(defaultHopper), "the default hopper \(defaultHopper) is not fitted")
            precondition(dyeLevels != .two, "dye panels have 32, 64 or 128 levels")
            self.hopperCount = hopperCount
            self.defaultHopper = defaultHopper
            self.panelFormat = panelFormat
            self.dyeLevels = dyeLevels
            self.setupCommands = setupCommands
            self.ejectCommands = ejectCommands
            self.rejectCommands = rejectCommands
            self.commandTimeout = commandTimeout
            self.movementTimeout = movementTimeout
            self.printTimeout = printTimeout
            self.sensorThresholdVolts = sensorThresholdVolts
        }

        /// `Pem;2` (the host handles errors), `Pneab;E` (keep the card after printing),
        /// `Pcrm;D` (rejects go to the reject box).
        public static let defaultSetupCommands: [EscapeCommand] = [
            .setErrorManagement(.host), .other(name: "Pneab", parameters: ["E"]), .other(name: "Pcrm", parameters: ["D"]),
        ]
        /// `Ss`, `Pneab;A;1` (allow ejection), `Se`.
        public static let defaultEjectCommands: [EscapeCommand] = [
            .startSequence, .other(name: "Pneab", parameters: ["A", "1"]), .endSequence,
        ]
        /// `Pneab;A;1`, `Pcrm;D`, `Ser`.
        public static let defaultRejectCommands: [EscapeCommand] = [
            .other(name: "Pneab", parameters: ["A", "1"]), .other(name: "Pcrm", parameters: ["D"]), .ejectToReject,
        ]
    }

    public let transport: any PrinterTransport
    public let configuration: Configuration

    private struct State {
        var isSetUp = false
        /// The hopper of the card last fed, for a jam report.
        var lastHopper = 0
    }

    private let state = Mutex(State())

    public init(transport: any PrinterTransport, configuration: Configuration = Configuration()) {
        self.transport = transport
        self.configuration = configuration
    }

    // MARK: CardPrinterMechanics

    public func status() throws(PrinterError) -> PrinterStatus {
        try session(.status) { s throws(PrinterError) -> PrinterStatus in
            var hoppers: [HopperStatus] = []
            for n in 1...configuration.hopperCount {
                let reply = try query(.readFeederSensor(configuration.hopperCount == 1 ? nil : n), .status, &s)
                hoppers.append(HopperStatus(number: n, hasCards: (reply.volts ?? 0) >= configuration.sensorThresholdVolts))
            }
            let cover = try query(.readCoverSensor, .status, &s)
            let coverOpen: Bool
            if let volts = cover.volts {
                coverOpen = volts < configuration.sensorThresholdVolts
            } else if case .error(let text) = cover, EscapeErrorKind(replyText: text) == .coverOpen {
                coverOpen = true
            } else {
                throw unexpected(cover, to: .readCoverSensor, during: .status)
            }
            let ribbonReply = try query(.readRibbonCount, .status, &s)
            var ribbon = ribbonReply.integer
            if case .error(let text) = ribbonReply, EscapeErrorKind(replyText: text) == .ribbon { ribbon = 0 }
            let position = try cardPosition(.status, &s)
            let reject = try query(.readRejectBox, .status, &s)
            let rejectFull: Bool
            switch reject {
            case .ok: rejectFull = false
            case .value("CARD"): rejectFull = true
            case .error(let text) where EscapeErrorKind(replyText: text) == .rejectBoxFull: rejectFull = true
            default: throw unexpected(reject, to: .readRejectBox, during: .status)
            }
            return PrinterStatus(hoppers: hoppers, defaultHopper: configuration.defaultHopper, coverOpen: coverOpen,
                                 ribbonPanelsRemaining: ribbon, cardPosition: position, rejectBoxFull: rejectFull)
        }
    }

    public func loadCard(fromHopper hopper: Int?) throws(PrinterError) {
        let requested = hopper ?? 0
        // A one-hopper printer feeds from its hopper whatever n says: "对于单卡盒的机器，不用理会
        // 参数n的值，都从默认卡盒进卡" (《广东省社会保障卡经办规程》附件9, iLoadCard).
        let number = requested == 0 || configuration.hopperCount == 1 ? configuration.defaultHopper : requested
        guard (1...configuration.hopperCount).contains(number) else { throw .invalidHopper(requested) }
        let operation = EscapeOperation.load(hopper: number)
        try session(operation) { s throws(PrinterError) in
            switch try cardPosition(operation, &s) {
            case .contactStation:
                return  // iLoadCard: a card already at the reader is success at once
            case .jammed:
                throw .jamAtLoad(hopper: s.lastHopper == 0 ? number : s.lastHopper)
            case .printPosition, .contactlessStation:
                // The card inside goes back to the contact station; no new card is fed.
                _ = try run(.insertToContactStation, operation, timeout: configuration.movementTimeout, &s)
            case .none:
                s.lastHopper = number
                _ = try run(.feedFromHopper(configuration.hopperCount == 1 ? nil : number), operation,
                            timeout: configuration.commandTimeout, &s)
                _ = try run(.insertToContactStation, operation, timeout: configuration.movementTimeout, &s)
            }
            let after = try cardPosition(operation, &s)
            switch after {
            case .contactStation: return
            case .jammed: throw .jamAtLoad(hopper: number)
            default: throw .notConnected(reason: "the card is at the \(after), not the contact station, after Sis")
            }
        }
    }

    public func moveToPrint() throws(PrinterError) {
        try session(.moveToPrint) { s throws(PrinterError) in
            try toPrintPosition(.moveToPrint, &s)
        }
    }

    public func printPanels(_ job: PrintJob) throws(PrinterError) {
        let panels: PanelSet
        do {
            panels = try PanelSet(printJobPayload: job.payload, format: configuration.panelFormat,
                                  dyeLevels: configuration.dyeLevels)
        } catch {
            preconditionFailure("print job “\(job.name)”: the payload is not panels: \(error)")
        }
        try session(.print) { s throws(PrinterError) in
            try toPrintPosition(.print, &s)
            guard !panels.isEmpty else { return }
            _ = try run(.setRibbon(panels.ribbon), .print, timeout: configuration.commandTimeout, &s)
            _ = try run(.startSequence, .print, timeout: configuration.commandTimeout, &s)
            _ = try run(.selectFront, .print, timeout: configuration.commandTimeout, &s)
            let downloads = panels.commands(format: configuration.panelFormat)
            for command in downloads {
                _ = try run(command, .print, timeout: configuration.movementTimeout, &s)
            }
            _ = try run(.endSequence, .print, timeout: configuration.printTimeout, &s)
        }
    }

    public func eject(to exit: CardExit) throws(PrinterError) {
        let operation = EscapeOperation.eject(exit)
        try session(operation) { s throws(PrinterError) in
            let position = try cardPosition(operation, &s)
            if position == .none { return }
            // A card that jammed is never handed out.
            let commands = exit == .good && position != .jammed ? configuration.ejectCommands : configuration.rejectCommands
            for command in commands {
                let moves = command == .endSequence || command == .ejectToReject
                _ = try run(command, operation, timeout: moves ? configuration.movementTimeout : configuration.commandTimeout, &s)
            }
        }
    }

    // MARK: Dialogue

    /// Runs `body` under the lock, after the setup commands when they are due.
    private func session<T>(_ operation: EscapeOperation, _ body: (inout State) throws(PrinterError) -> T) throws(PrinterError) -> T {
        try state.withLock { s throws(PrinterError) -> T in
            if !s.isSetUp {
                for command in configuration.setupCommands {
                    let reply = try exchange(command, .setup, timeout: configuration.commandTimeout, &s)
                    // A model without one of the settings refuses it; nothing else is wrong.
                    if case .error(let text) = reply, EscapeErrorKind(replyText: text) != .commandRefused {
                        throw reply.printerError(during: .setup, command: command)!
                    }
                }
                s.isSetUp = true
            }
            return try body(&s)
        }
    }

    /// One command and its reply; a transport failure other than a timeout means the printer
    /// may have been reset, so the setup is sent again next time.
    private func exchange(_ command: EscapeCommand, _ operation: EscapeOperation, timeout: Duration, _ s: inout State)
        throws(PrinterError) -> EscapeReply
    {
        do {
            return try transport.exchange(command, timeout: timeout)
        } catch {
            if case .timeout = error {} else { s.isSetUp = false }
            throw error.printerError(during: operation)
        }
    }

    /// One command whose reply must not be an error.
    private func run(_ command: EscapeCommand, _ operation: EscapeOperation, timeout: Duration, _ s: inout State)
        throws(PrinterError) -> EscapeReply
    {
        let reply = try exchange(command, operation, timeout: timeout, &s)
        if var error = reply.printerError(during: operation, command: command) {
            if case .jamAtLoad(0) = error { error = .jamAtLoad(hopper: s.lastHopper) }
            throw error
        }
        return reply
    }

    /// A query: its reply, errors included (the caller reads them).
    private func query(_ command: EscapeCommand, _ operation: EscapeOperation, _ s: inout State) throws(PrinterError) -> EscapeReply {
        try exchange(command, operation, timeout: configuration.commandTimeout, &s)
    }

    /// Where the card is (`Rlr;p`).
    private func cardPosition(_ operation: EscapeOperation, _ s: inout State) throws(PrinterError) -> CardPosition {
        let reply = try query(.readCardPosition, operation, &s)
        guard let position = reply.cardPosition else { throw unexpected(reply, to: .readCardPosition, during: operation) }
        return position
    }

    /// Brings the card to the print position (`Si` from a station); no card → `.noCardAtStation`.
    private func toPrintPosition(_ operation: EscapeOperation, _ s: inout State) throws(PrinterError) {
        switch try cardPosition(operation, &s) {
        case .none: throw .noCardAtStation
        case .printPosition: return
        case .jammed: throw .jamAtLoad(hopper: s.lastHopper)
        case .contactStation, .contactlessStation:
            _ = try run(.insert, operation, timeout: configuration.movementTimeout, &s)
        }
    }

    private func unexpected(_ reply: EscapeReply, to command: EscapeCommand, during operation: EscapeOperation) -> PrinterError {
        reply.printerError(during: operation, command: command)
            ?? .notConnected(reason: "the printer answered “\(reply.text)” to \(command) while \(operation)")
    }
}
