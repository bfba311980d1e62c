import Foundation
import SSCardDriver
import Synchronization

/// A desktop card printer (制卡机) in process: up to 9 hoppers of simulated pre-made cards, a
/// contact station that puts the card's chip into a vpcd reader, a print position, a good exit
/// and a reject box, a ribbon and a cover, with injectable faults (docs/printer.md).
///
/// After `loadCard(fromHopper: 2)` the reader of the configured vpcd slot holds hopper 2's
/// first card, served by a `VPCDConnector`; moving the card to print or ejecting it takes it
/// out of the reader. A card never disappears: `inventory()` says where every card is and
/// `invariantViolations()` checks that each card ever put into a hopper is in exactly one
/// place.
///
/// Thread-safe: all state sits in one `Mutex` and each operation, mechanical delay and vpcd
/// connection included, runs under it, one at a time, like a printer's command queue.
/// Programmer errors trap (a hopper number that is not installed in `addCards`, the same card
/// added twice); printer conditions throw `PrinterError`.
public final class VirtualPrinter: CardPrinterMechanics {
    /// Where the contact station serves the chip.
    public enum ChipContactSetting: Sendable, Hashable {
        /// Into vpcd: the reader of that slot sees the card (the default: slot 0 on localhost).
        case vpcd(VPCDConnector.Configuration)
        /// Nowhere: read the card in process through `cardAtContactStation`.
        case unwired
    }

    public struct Configuration: Sendable, Hashable {
        /// Installed hoppers, numbered 1…hopperCount (at most 9).
        public var hopperCount: Int
        /// The hopper `loadCard(fromHopper: nil)` and iLoadCard(0) feed from.
        public var defaultHopper: Int
        /// Cards the reject box takes before the printer refuses to feed.
        public var rejectBoxCapacity: Int
        /// Ribbon panels of a new ribbon: 1,000 = 200 YMCKO prints.
        public var ribbonPanels: Int
        /// Time each card movement and each print takes.
        public var mechanicalDelay: Duration
        /// Where the contact station serves the chip.
        public var chipContact: ChipContactSetting
        /// Longest wait for vpcd to accept the card at the contact station.
        public var chipContactTimeout: Duration

        public init(
            hopperCount: Int = 2, defaultHopper: Int = 1, rejectBoxCapacity: Int = 50, ribbonPanels: Int = 1_000,
            mechanicalDelay: Duration = .zero, chipContact: ChipContactSetting = .vpcd(.slot(0)),
            chipContactTimeout: Duration = .seconds(5)
        ) {
            self.hopperCount = hopperCount
            self.defaultHopper = defaultHopper
            self.rejectBoxCapacity = rejectBoxCapacity
            self.ribbonPanels = ribbonPanels
            self.mechanicalDelay = mechanicalDelay
            self.chipContact = chipContact
            self.chipContactTimeout = chipContactTimeout
        }
    }

    /// Where a card is.
    public enum Place: Hashable, Sendable, CustomStringConvertible {
        /// In hopper n, waiting to be fed.
        case hopper(Int)
        /// At the contact station.
        case contactStation
        /// Under the print head.
        case printPosition
        /// Stuck between the hopper and the contact station after a jam at load.
        case jammed
        /// In the good-exit tray (出卡口).
        case goodExit
        /// In the reject box (废卡盒).
        case rejectBox
        /// Taken out of the good exit or the reject box by the operator.
        case takenOut

        public var description: String {
            switch self {
            case .hopper(let n): return "hopper \(n)"
            case .contactStation: return "contact station"
            case .printPosition: return "print position"
            case .jammed: return "jammed"
            case .goodExit: return "good exit"
            case .rejectBox: return "reject box"
            case .takenOut: return "taken out"
            }
        }
    }

    /// One card and where it is.
    public struct InventoryEntry: Sendable {
        public let card: SimulatedSSCard
        public let place: Place
        /// Names of the print jobs printed on the card, in order.
        public let printedJobs: [String]
    }

    /// The card in the print path.
    struct PathCard {
        enum Spot: Equatable { case contactStation, printPosition, jammed }
        var card: SimulatedSSCard
        var spot: Spot
        var fromHopper: Int
    }

    struct State {
        var hoppers: [VirtualHopper]
        var path: PathCard?
        /// The contacts are down on the path card's chip (it is in the reader).
        var chipPressed = false
        var goodExit: [SimulatedSSCard] = []
        var rejectBox: [SimulatedSSCard] = []
        var takenOut: [SimulatedSSCard] = []
        var ribbonPanelsRemaining: Int
        var mechanicalDelay: Duration
        var faults = VirtualPrinterFaults()
        /// Every card ever put into a hopper, in order.
        var allCards: [SimulatedSSCard] = []
        var known: Set<ObjectIdentifier> = []
        var printedJobs: [ObjectIdentifier: [String]] = [:]
    }

    public let configuration: Configuration
    private let contact: any ChipContact
    private let state: Mutex<State>

    /// A printer with empty hoppers and a new ribbon; fill it with `addCards(_:toHopper:)`.
    public convenience init(configuration: Configuration = Configuration()) {
        let contact: any ChipContact
        switch configuration.chipContact {
        case .vpcd(let vpcd): contact = VPCDChipContact(configuration: vpcd, connectTimeout: configuration.chipContactTimeout)
        case .unwired: contact = UnwiredChipContact()
        }
        self.init(configuration: configuration, contact: contact)
    }

    /// A printer whose contact station is `contact` (tests record presses and lifts with it).
    package init(configuration: Configuration, contact: any ChipContact) {
        precondition((1...9).contains(configuration.hopperCount), "a printer has 1–9 hoppers")
        precondition((1...configuration.hopperCount).contains(configuration.defaultHopper),
                     "default hopper \(configuration.defaultHopper) is not installed")
        precondition(configuration.rejectBoxCapacity >= 1, "the reject box must hold a card")
        precondition(configuration.ribbonPanels >= 0, "ribbon panels cannot be negative")
        self.configuration = configuration
        self.contact = contact
        state = Mutex(State(
            hoppers: (1...configuration.hopperCount).map { VirtualHopper(number: $0) },
            ribbonPanelsRemaining: configuration.ribbonPanels, mechanicalDelay: configuration.mechanicalDelay))
    }

    deinit {
        contact.lift()
    }

    // MARK: CardPrinterMechanics

    public func status() throws(PrinterError) -> PrinterStatus {
        try state.withLock { s throws(PrinterError) in
            try s.faults.checkConnection("status")
            let position: CardPosition
            switch s.path?.spot {
            case nil: position = .none
            case .contactStation: position = .contactStation
            case .printPosition: position = .printPosition
            case .jammed: position = .jammed
            }
            return PrinterStatus(
                hoppers: s.hoppers.map { HopperStatus(number: $0.number, hasCards: !$0.isEmpty, cardCount: $0.count) },
                defaultHopper: configuration.defaultHopper,
                coverOpen: s.faults.isArmed(.coverOpen),
                ribbonPanelsRemaining: s.faults.isArmed(.ribbonOut) ? 0 : s.ribbonPanelsRemaining,
                cardPosition: position,
                rejectBoxFull: s.rejectBox.count >= configuration.rejectBoxCapacity)
        }
    }

    public func loadCard(fromHopper hopper: Int?) throws(PrinterError) {
        let requested = hopper ?? 0
        // A one-hopper printer feeds from its hopper whatever n says: "对于单卡盒的机器，不用理会
        // 参数n的值，都从默认卡盒进卡" (《广东省社会保障卡经办规程》附件9, iLoadCard).
        let number = requested == 0 || configuration.hopperCount == 1 ? configuration.defaultHopper : requested
        guard (1...configuration.hopperCount).contains(number) else { throw .invalidHopper(requested) }
        try state.withLock { s throws(PrinterError) in
            try s.faults.checkConnection("loading a card")
            if var path = s.path {
                switch path.spot {
                case .contactStation:
                    // iLoadCard: a card already at the reader is success at once. Contacts that
                    // failed to reach the encoder last time are pressed again.
                    if !s.chipPressed { try press(&s) }
                    return
                case .printPosition:
                    // Back to the contact station (Evolis `Sis`); no new card is fed.
                    if s.faults.trips(.coverOpen) { throw .coverOpen }
                    pause(s)
                    path.spot = .contactStation
                    s.path = path
                    try press(&s)
                    return
                case .jammed:
                    throw .jamAtLoad(hopper: path.fromHopper)
                }
            }
            if s.faults.trips(.coverOpen) { throw .coverOpen }
            // Never feed a card the printer could not reject.
            guard s.rejectBox.count < configuration.rejectBoxCapacity else { throw .rejectBoxFull }
            guard let card = s.hoppers[number - 1].feed() else { throw .hopperEmpty(hopper: number) }
            pause(s)
            if s.faults.trips(.jamAtLoad) {
                s.path = PathCard(card: card, spot: .jammed, fromHopper: number)
                throw .jamAtLoad(hopper: number)
            }
            s.path = PathCard(card: card, spot: .contactStation, fromHopper: number)
            try press(&s)
        }
    }

    public func moveToPrint() throws(PrinterError) {
        try state.withLock { s throws(PrinterError) in
            try s.faults.checkConnection("moving the card to print")
            guard var path = s.path else { throw .noCardAtStation }
            switch path.spot {
            case .printPosition: return
            case .jammed: throw .jamAtLoad(hopper: path.fromHopper)
            case .contactStation:
                if s.faults.trips(.coverOpen) { throw .coverOpen }
                lift(&s)
                pause(s)
                path.spot = .printPosition
                s.path = path
            }
        }
    }

    public func printPanels(_ job: PrintJob) throws(PrinterError) {
        try state.withLock { s throws(PrinterError) in
            try s.faults.checkConnection("printing")
            guard var path = s.path else { throw .noCardAtStation }
            if path.spot == .jammed { throw .jamAtLoad(hopper: path.fromHopper) }
            if s.faults.trips(.coverOpen) { throw .coverOpen }
            if path.spot == .contactStation {
                lift(&s)
                pause(s)
                path.spot = .printPosition
                s.path = path
            }
            if s.faults.trips(.ribbonOut) || s.ribbonPanelsRemaining < job.ribbonPanels { throw .ribbonOut }
            pause(s)
            s.ribbonPanelsRemaining -= job.ribbonPanels
            if s.faults.trips(.jamAtPrint) {
                s.rejectBox.append(path.card)
                s.path = nil
                throw .jamAtPrint
            }
            s.printedJobs[ObjectIdentifier(path.card), default: []].append(job.name)
        }
    }

    public func eject(to exit: CardExit) throws(PrinterError) {
        try state.withLock { s throws(PrinterError) in
            try s.faults.checkConnection("ejecting the card")
            guard let path = s.path else { return }
            lift(&s)
            pause(s)
            // A card that jammed is never handed out.
            if exit == .good && path.spot != .jammed {
                s.goodExit.append(path.card)
            } else {
                s.rejectBox.append(path.card)
            }
            s.path = nil
        }
    }

    // MARK: The operator

    /// Puts `cards` at the back of hopper `hopper`. A hopper that is not installed, or a card
    /// already in the printer, is a programmer error (traps).
    public func addCards(_ cards: [SimulatedSSCard], toHopper hopper: Int) {
        precondition((1...configuration.hopperCount).contains(hopper), "hopper \(hopper) is not installed")
        state.withLock { s in
            for card in cards {
                let id = ObjectIdentifier(card)
                precondition(!s.known.contains(id), "a card cannot be put into the printer twice")
                s.known.insert(id)
                s.allCards.append(card)
            }
            s.hoppers[hopper - 1].add(cards)
        }
    }

    /// The operator empties hopper `hopper` (its feeder then sees no card); the cards stay in
    /// the inventory as `.takenOut` until `putBack(_:inHopper:)`.
    @discardableResult
    public func takeCards(fromHopper hopper: Int) -> [SimulatedSSCard] {
        precondition((1...configuration.hopperCount).contains(hopper), "hopper \(hopper) is not installed")
        return state.withLock { s in
            let cards = s.hoppers[hopper - 1].takeAll()
            s.takenOut += cards
            return cards
        }
    }

    /// The operator puts cards taken out of this printer back into hopper `hopper`. A card
    /// that is not out of the printer is a programmer error (traps).
    public func putBack(_ cards: [SimulatedSSCard], inHopper hopper: Int) {
        precondition((1...configuration.hopperCount).contains(hopper), "hopper \(hopper) is not installed")
        state.withLock { s in
            for card in cards {
                guard let index = s.takenOut.firstIndex(where: { $0 === card }) else {
                    preconditionFailure("only a card taken out of the printer can be put back")
                }
                s.takenOut.remove(at: index)
            }
            s.hoppers[hopper - 1].add(cards)
        }
    }

    /// Takes the cards out of the good exit (to hand them out); they stay in the inventory as
    /// `.takenOut`.
    @discardableResult
    public func collectGoodExit() -> [SimulatedSSCard] {
        state.withLock { s in
            defer { s.takenOut += s.goodExit; s.goodExit.removeAll() }
            return s.goodExit
        }
    }

    /// The operator puts a card that came out of the printer (taken from the good exit or the
    /// reject box) back in through the manual feed slot, for 制卡补登: it goes straight to the
    /// contact station and its chip into the reader. False (nothing moves) while another card
    /// is in the path.
    @discardableResult
    public func feedByHand(_ card: SimulatedSSCard) throws(PrinterError) -> Bool {
        try state.withLock { s throws(PrinterError) in
            try s.faults.checkConnection("feeding a card by hand")
            guard s.path == nil else { return false }
            let id = ObjectIdentifier(card)
            guard let taken = s.takenOut.firstIndex(where: { $0 === card }) else {
                precondition(!s.known.contains(id), "only a card taken out of the printer can be fed back by hand")
                s.known.insert(id)
                s.allCards.append(card)
                s.path = PathCard(card: card, spot: .contactStation, fromHopper: 0)
                try press(&s)
                return true
            }
            s.takenOut.remove(at: taken)
            s.path = PathCard(card: card, spot: .contactStation, fromHopper: 0)
            try press(&s)
            return true
        }
    }

    /// Empties the reject box; the cards stay in the inventory as `.takenOut`.
    @discardableResult
    public func emptyRejectBox() -> [SimulatedSSCard] {
        state.withLock { s in
            defer { s.takenOut += s.rejectBox; s.rejectBox.removeAll() }
            return s.rejectBox
        }
    }

    /// Fits a new ribbon of `panels` panels.
    public func replaceRibbon(panels: Int? = nil) {
        precondition((panels ?? 0) >= 0, "ribbon panels cannot be negative")
        state.withLock { $0.ribbonPanelsRemaining = panels ?? configuration.ribbonPanels }
    }

    /// Arms `fault` (replacing its mode when already armed).
    public func inject(_ fault: VirtualPrinterFault, mode: VirtualPrinterFaultMode = .once) {
        state.withLock { $0.faults.inject(fault, mode: mode) }
    }

    /// Disarms `fault` (closes the cover for `.coverOpen`).
    public func clearFault(_ fault: VirtualPrinterFault) {
        state.withLock { $0.faults.clear(fault) }
    }

    public func clearAllFaults() {
        state.withLock { $0.faults.clearAll() }
    }

    /// The armed faults and their modes.
    public var armedFaults: [VirtualPrinterFault: VirtualPrinterFaultMode] {
        state.withLock { $0.faults.armed }
    }

    /// Time each card movement and print takes; changeable while running.
    public var mechanicalDelay: Duration {
        get { state.withLock { $0.mechanicalDelay } }
        set { state.withLock { $0.mechanicalDelay = newValue } }
    }

    // MARK: Looking inside

    /// The card at the contact station, for in-process reading (`SimulatedCardChannel`).
    public var cardAtContactStation: SimulatedSSCard? {
        state.withLock { s in s.path.flatMap { $0.spot == .contactStation ? $0.card : nil } }
    }

    /// The card in the print path (contact station, print position or jammed), if any.
    public var cardInPrintPath: SimulatedSSCard? {
        state.withLock { $0.path?.card }
    }

    /// The cards of hopper `number`, next to feed first.
    public func cards(inHopper number: Int) -> [SimulatedSSCard] {
        state.withLock { s in s.hoppers.first { $0.number == number }?.cards ?? [] }
    }

    /// Where every card ever put into a hopper is: hoppers in number and feed order, the
    /// print path, the good exit, the reject box, then the cards taken out.
    public func inventory() -> [InventoryEntry] {
        state.withLock { s in Self.entries(of: s) }
    }

    /// Every way the printer's state breaks its rules; empty when it keeps them: each card
    /// ever put into a hopper is in exactly one place and no unknown card is anywhere; the
    /// contacts are down only on a card at the contact station; the reject box holds at most
    /// its capacity; the ribbon count is not negative.
    public func invariantViolations() -> [String] {
        state.withLock { s in
            var problems: [String] = []
            var seen: [ObjectIdentifier: [Place]] = [:]
            for entry in Self.entries(of: s) {
                seen[ObjectIdentifier(entry.card), default: []].append(entry.place)
            }
            for (index, card) in s.allCards.enumerated() {
                let places = seen[ObjectIdentifier(card)] ?? []
                if places.count != 1 {
                    problems.append("card #\(index + 1) is in \(places.count) places: \(places)")
                }
            }
            for (id, places) in seen where !s.known.contains(id) {
                problems.append("an unknown card is in \(places)")
            }
            if s.known.count != s.allCards.count {
                problems.append("\(s.allCards.count) cards recorded but \(s.known.count) identities")
            }
            if s.chipPressed && s.path?.spot != .contactStation {
                problems.append("chip contacts are down with no card at the contact station")
            }
            if s.rejectBox.count > configuration.rejectBoxCapacity {
                problems.append("reject box holds \(s.rejectBox.count) cards, capacity \(configuration.rejectBoxCapacity)")
            }
            if s.ribbonPanelsRemaining < 0 {
                problems.append("ribbon has \(s.ribbonPanelsRemaining) panels")
            }
            return problems
        }
    }

    // MARK: Helpers (called with the lock held)

    private static func entries(of s: State) -> [InventoryEntry] {
        func entry(_ card: SimulatedSSCard, _ place: Place) -> InventoryEntry {
            InventoryEntry(card: card, place: place, printedJobs: s.printedJobs[ObjectIdentifier(card)] ?? [])
        }
        var all: [InventoryEntry] = []
        for hopper in s.hoppers {
            all += hopper.cards.map { entry($0, .hopper(hopper.number)) }
        }
        if let path = s.path {
            let place: Place
            switch path.spot {
            case .contactStation: place = .contactStation
            case .printPosition: place = .printPosition
            case .jammed: place = .jammed
            }
            all.append(entry(path.card, place))
        }
        all += s.goodExit.map { entry($0, .goodExit) }
        all += s.rejectBox.map { entry($0, .rejectBox) }
        all += s.takenOut.map { entry($0, .takenOut) }
        return all
    }

    /// Presses the contacts onto the card at the contact station.
    private func press(_ s: inout State) throws(PrinterError) {
        guard let path = s.path, path.spot == .contactStation else { return }
        try contact.press(onto: path.card)
        s.chipPressed = true
    }

    /// Lifts the contacts (no effect when they are up).
    private func lift(_ s: inout State) {
        guard s.chipPressed else { return }
        contact.lift()
        s.chipPressed = false
    }

    private func pause(_ s: State) {
        let delay = s.mechanicalDelay
        if delay > .zero { Thread.sleep(forTimeInterval: delay.seconds) }
    }
}
