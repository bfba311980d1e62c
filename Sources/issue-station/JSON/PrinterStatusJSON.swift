import Foundation
import SSCardDriver

/// `issue-station printer status --json`: the printer's sensors beside the books.
struct PrinterStatusDocument: Encodable {
    struct HopperLevel: Encodable {
        var number: Int
        var hasCards: Bool
        /// How many cards the printer counts, when it knows.
        var cardCount: Int?
        /// How many the books put there (`inventory load`), when the station database is here.
        var booked: Int?
        var isDefault: Bool
    }

    var format = JSONOutput.format
    /// The printer kind and where it is, as in the driver configuration.
    var printer: String
    var coverOpen: Bool
    var ribbonPanelsRemaining: Int?
    /// `none`, `contactStation`, `contactlessStation`, `printPosition` or `jammed`.
    var cardPosition: String
    var rejectBoxFull: Bool
    var hoppers: [HopperLevel]
    /// What needs attention, as sentences in the chosen language (empty when nothing does).
    var attention: [String]

    init(_ status: PrinterStatus, printer: String, booked: [Int: Int]?, _ language: Language) {
        self.printer = printer
        coverOpen = status.coverOpen
        ribbonPanelsRemaining = status.ribbonPanelsRemaining
        switch status.cardPosition {
        case .none: cardPosition = "none"
        case .contactStation: cardPosition = "contactStation"
        case .contactlessStation: cardPosition = "contactlessStation"
        case .printPosition: cardPosition = "printPosition"
        case .jammed: cardPosition = "jammed"
        }
        rejectBoxFull = status.rejectBoxFull
        hoppers = status.hoppers.map {
            HopperLevel(number: $0.number, hasCards: $0.hasCards, cardCount: $0.cardCount, booked: booked?[$0.number],
                        isDefault: $0.number == status.defaultHopper)
        }
        attention = Messages.printerWarnings(status).map { $0.text(language) }
    }
}
