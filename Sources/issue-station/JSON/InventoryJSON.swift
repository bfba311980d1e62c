import Foundation
import InstantIssue

/// `issue-station inventory list --json`: the cards on the books. Like the list for people it
/// never holds a bank card number or account.
struct InventoryListDocument: Encodable {
    struct Card: Encodable {
        var cardNumber: String
        var bank: String
        /// `inStock`, `inHopper`, `reserved`, `issued`, `spoiled` or `returned`.
        var state: String
        /// The application a reserved or issued card belongs to.
        var applicationID: String?
        var spoiledReason: String?
        var hopper: Int?
        /// On the outlet's shared books: the desk whose hopper holds the card (absent in the safe
        /// and on a desk's own books).
        var desk: String?
        var packingPosition: String
        /// UTC, ISO 8601 with milliseconds, e.g. `2026-12-06T09:30:00.000Z`.
        var updatedAt: String
        var updatedBy: String
    }

    var format = JSONOutput.format
    var cards: [Card]
    /// More cards match than `--limit` let through.
    var truncated: Bool

    init(_ cards: [PreMadeCard], truncated: Bool) {
        self.cards = cards.map { c in
            var card = Card(cardNumber: c.cardNumber.value, bank: c.bank, state: c.state.kind.rawValue,
                            hopper: c.hopper.map { Int($0.rawValue) }, desk: c.desk, packingPosition: c.packingPosition,
                            updatedAt: c.updatedAt.text, updatedBy: c.updatedBy)
            switch c.state {
            case .reserved(let id), .issued(let id): card.applicationID = id
            case .spoiled(let reason): card.spoiledReason = reason
            default: break
            }
            return card
        }
        self.truncated = truncated
    }
}

/// `issue-station inventory stocktake --json`: the count per state and bank, the hoppers' cards,
/// the ledger head and whether the books add up (exit status 2 when they do not).
struct StocktakeDocument: Encodable {
    struct HopperCard: Encodable {
        var hopper: Int
        var bank: String
        var cardNumber: String
        var reservedFor: String?
    }
    struct LedgerHead: Encodable {
        var seq: Int64
        var hash: String
    }

    var format = JSONOutput.format
    var takenAt: String
    /// The clerk; absent for `--dry-run`, which records nothing.
    var takenBy: String?
    /// Written to the ledger (false for `--dry-run`).
    var recorded: Bool
    var imported: Int
    /// Cards per state; every state is present.
    var totals: [String: Int]
    /// Cards per bank and state; every state is present for each bank.
    var byBank: [String: [String: Int]]
    var hopperCards: [HopperCard]
    var ledgerHead: LedgerHead?
    var booksAddUp: Bool
    /// What does not add up, each in Chinese and English (empty when the books add up).
    var violations: [String]
    /// The physical count compared with the books (`--counted`, `--hopper`, `--safe`, `--count-file`).
    var count: [CountedPlace]?
    /// On the outlet's shared books: the outlet whose safe and the desk whose hoppers were counted.
    var scope: Scope?
    struct Scope: Encodable {
        var outlet: String
        var desk: String
    }
    struct CountedPlace: Encodable {
        /// `hopper1`…`hopper9`, `safe` or `all`.
        var place: String
        var books: Int
        var counted: Int
        var difference: Int
    }

    init(_ report: StockTakeReport, _ check: InventoryInvariantReport) {
        func counts(_ byKind: [PreMadeCardState.Kind: Int]) -> [String: Int] {
            Dictionary(uniqueKeysWithValues: PreMadeCardState.Kind.allCases.map { ($0.rawValue, byKind[$0] ?? 0) })
        }
        takenAt = report.takenAt.text
        takenBy = report.takenBy
        recorded = report.takenBy != nil
        imported = report.imported
        totals = counts(report.totals)
        byBank = report.byBank.mapValues(counts)
        hopperCards = report.hopperCards.map {
            HopperCard(hopper: Int($0.hopper.rawValue), bank: $0.bank, cardNumber: $0.cardNumber.value, reservedFor: $0.reservedFor)
        }
        ledgerHead = report.ledgerHead.map { LedgerHead(seq: $0.seq, hash: $0.hash) }
        booksAddUp = check.holds
        violations = check.violations
    }
}
