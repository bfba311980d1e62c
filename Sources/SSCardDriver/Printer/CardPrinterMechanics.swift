/// What the driver needs of a desktop card printer (制卡机) with hoppers of pre-made cards and a
/// contact-chip encoder inside: feed a card to the contact station, move it under the print
/// head, print, and eject it to the good exit or the reject box (docs/printer.md).
///
/// The national interface's `iLoadCard(n)` maps to `loadCard(fromHopper:)` and `iPrint` to
/// `moveToPrint()` + `printPanels(_:)` + `eject(to:)` (both are the province's additions to the
/// national interface, 《广东省社会保障卡经办规程》附件9). Implementations: the
/// virtual printer of SSCardSimulator; the Evolis Escape transport comes with the printer issue.
///
/// Every call blocks until the mechanics have finished (or failed) and runs one at a time;
/// call it off the cooperative thread pool when a real printer is behind it. Failures are
/// `PrinterError`s; no call traps on a runtime condition of the printer.
public protocol CardPrinterMechanics: Sendable {
    /// The printer's sensors: hoppers, cover, ribbon, where the card is, reject box.
    func status() throws(PrinterError) -> PrinterStatus

    /// Feeds the first card of `hopper` (1–9; nil or 0 = the printer's default hopper) to the
    /// contact station and presses the chip contacts onto it, so the encoder's reader sees a
    /// card. Returns at once when a card is already at the contact station (iLoadCard's rule).
    /// Returning does not wait for PC/SC to report the card present: wait on the reader.
    func loadCard(fromHopper hopper: Int?) throws(PrinterError)

    /// Lifts the chip contacts and moves the card from the contact station to the print
    /// position. No effect when the card is already there; `.noCardAtStation` when no card is
    /// in the printer.
    func moveToPrint() throws(PrinterError)

    /// Prints `job` on the card at the print position (a card at the contact station is moved
    /// there first). The card stays at the print position until `eject(to:)`.
    func printPanels(_ job: PrintJob) throws(PrinterError)

    /// Ejects the card in the print path to `exit`; no effect when there is none. When it
    /// returns, no card is left in the print path (contact station, print position, or a
    /// jammed position). Throws only when the printer cannot be reached.
    func eject(to exit: CardExit) throws(PrinterError)
}

/// Where `eject(to:)` sends the card: iPrint's `n` (1 good, 2 reject).
public enum CardExit: Int, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// The output hopper (出卡口): a card to hand to the applicant.
    case good = 1
    /// The reject box (废卡盒): a card that failed and must not be handed out.
    case reject = 2

    public var description: String { self == .good ? "good exit" : "reject box" }
}

/// Where the card in the printer is, as the printer's sensors tell (Evolis `Rlr;p`:
/// `OK` none, `SMART CARD` contact station, `CONTACTLESS CARD`, `CARD` print position).
public enum CardPosition: Hashable, Sendable, CustomStringConvertible {
    /// No card inside the printer.
    case none
    /// At the contact-chip encoder (接触式芯片工位), contacts down.
    case contactStation
    /// At the contactless encoder.
    case contactlessStation
    /// Under the print head, ready to print.
    case printPosition
    /// Stuck in the card path; `eject(to:)` or a technician clears it.
    case jammed

    public var description: String {
        switch self {
        case .none: return "no card"
        case .contactStation: return "contact station"
        case .contactlessStation: return "contactless station"
        case .printPosition: return "print position"
        case .jammed: return "jammed"
        }
    }
}

/// One hopper (卡箱) as the printer sees it.
public struct HopperStatus: Hashable, Sendable {
    /// 1–9.
    public var number: Int
    /// The feeder sensor sees cards (Evolis `Rse;f`).
    public var hasCards: Bool
    /// How many cards, when the printer knows (the virtual printer does; real feeders only
    /// have an empty and a near-empty sensor).
    public var cardCount: Int?

    public init(number: Int, hasCards: Bool, cardCount: Int? = nil) {
        self.number = number
        self.hasCards = hasCards
        self.cardCount = cardCount
    }
}

/// The printer's sensors at one moment.
public struct PrinterStatus: Hashable, Sendable {
    /// The installed hoppers, in number order.
    public var hoppers: [HopperStatus]
    /// The hopper `loadCard(fromHopper: nil)` feeds from.
    public var defaultHopper: Int
    /// The cover is open: nothing moves until it is closed.
    public var coverOpen: Bool
    /// Ribbon panels left (Evolis `Rrt`); nil when the printer does not say.
    public var ribbonPanelsRemaining: Int?
    /// Where the card in the printer is.
    public var cardPosition: CardPosition
    /// The reject box cannot take another card (Evolis `Rlr;h`).
    public var rejectBoxFull: Bool

    public init(hoppers: [HopperStatus], defaultHopper: Int, coverOpen: Bool, ribbonPanelsRemaining: Int?,
                cardPosition: CardPosition, rejectBoxFull: Bool) {
        self.hoppers = hoppers
        self.defaultHopper = defaultHopper
        self.coverOpen = coverOpen
        self.ribbonPanelsRemaining = ribbonPanelsRemaining
        self.cardPosition = cardPosition
        self.rejectBoxFull = rejectBoxFull
    }

    /// The status of hopper `number`, nil when it is not installed.
    public func hopper(_ number: Int) -> HopperStatus? {
        hoppers.first { $0.number == number }
    }
}

/// What to print on one card: opaque to the mechanics. The card-face renderer (printer issue)
/// fills the payload with the panel data (Evolis: Y, M, C, K, O panels of 1016 × 648 dots).
public struct PrintJob: Hashable, Sendable {
    /// For logs and the virtual printer's record of what each card got, e.g. "张三 X00000019".
    public var name: String
    /// The panel data as the transport sends it.
    public var payload: [UInt8]
    /// Ribbon panels the job uses: 5 for one YMCKO side.
    public var ribbonPanels: Int

    public init(name: String, payload: [UInt8] = [], ribbonPanels: Int = 5) {
        precondition(ribbonPanels >= 0, "a print job cannot use a negative number of ribbon panels")
        self.name = name
        self.payload = payload
        self.ribbonPanels = ribbonPanels
    }
}
