import Foundation
import SSCardDriver

/// The stock and ledger calls the issuance workflow and its recovery (制卡失败, 制卡补登,
/// an interrupted 领卡启用) make, and the clerk's stock work (入库, 装卡, 卸卡, 作废, 清单, 盘点,
/// 订卡: `issue-station inventory`, `printer status`, the web desk's stock page), synchronous
/// because the workflow runs on a thread of its own.
/// The station takes it from the books its configuration chose (`StationConfiguration.storage`):
/// `EmbeddedStationStock` (the desk's SQLite file, today's code) by default, or the outlet's
/// PostgreSQL books (`OutletStorage`, docs/outlet.md). The desk's crash journal is not here: it
/// stays in the desk's own SQLite file whatever the books.
///
/// Each call is one transaction on the books. `reserve` refuses an application that already
/// holds a card at another desk; the PostgreSQL store gives back the card this desk already
/// reserved for it (a reservation whose answer was lost with the connection).
public protocol StationStock: Sendable {
    /// "sqlite" or "postgresql", for messages and reports.
    var storeName: String { get }
    /// Sets aside one card of `bank` from this desk's hoppers (`hopper` only, when given).
    func reserve(bank: String, applicationID: String, fromHopper hopper: Hopper?, by clerk: String) throws -> PreMadeCard
    /// The card with this 社保卡号, nil when the books do not have it.
    func card(_ cardNumber: CardNumber) throws -> PreMadeCard?
    /// The card with this 卡识别码 (read from a fed chip), nil when the books do not have it.
    func card(identifiedBy code: CardIdentificationCode) throws -> PreMadeCard?
    /// The card reserved for `applicationID`, if any.
    func reservation(for applicationID: String) throws -> PreMadeCard?
    /// The printer fed `fedCardNumber` (maybe not the reserved card): the reservation follows the
    /// fed card, which must be in the same hopper of this desk.
    func confirmFedCard(_ fedCardNumber: CardNumber, applicationID: String, by clerk: String) throws -> PreMadeCard
    func markIssued(_ cardNumber: CardNumber, applicationID: String, by clerk: String) throws
    func markSpoiled(_ cardNumber: CardNumber, reason: String, by clerk: String) throws
    /// 退库: a card out of its hopper but blank goes back to the safe.
    func returnToStock(_ cardNumber: CardNumber, by clerk: String) throws
    /// The reserved card never left its hopper: the reservation is given back.
    func releaseReservation(applicationID: String, by clerk: String) throws
    /// A 台账 entry for an issuance outcome (制卡成功, 制卡失败, 制卡补登, 领卡启用).
    func appendLedger(clerk: String, action: String, subject: String, details: String) throws
    /// Lets go of the books (the connection of a shared store); the desk's database is closed apart.
    func close()

    // MARK: The clerk's stock work (`issue-station inventory`, `printer status`, the web desk's stock page)

    /// Nil for the desk's own books; the outlet and desk for the outlet's shared books, whose
    /// stock-take counts the outlet's safe and this desk's hoppers only.
    var sharedScope: SharedStockScope? { get }
    /// 入库: a return file (回盘文件, YZKCG) into the safe, all cards or none; a file or card the
    /// books already have is refused (`YZKCGImportError`, on the outlet's books with the desk and
    /// time of the first import).
    func importReturnFile(at url: URL, by clerk: String) throws -> YZKCGImportReceipt
    func importReturnFile(_ file: YZKCGFile, by clerk: String) throws -> YZKCGImportReceipt
    /// 装卡: `count` cards of `bank` from the safe into this desk's `hopper` (returned cards first).
    func loadHopper(_ hopper: Hopper, bank: String, count: Int, by clerk: String) throws -> [PreMadeCard]
    /// 卸卡: this desk's hopper's unreserved cards back to the safe (`returned`).
    func unloadHopper(_ hopper: Hopper, by clerk: String) throws -> [PreMadeCard]
    /// 作废 by the clerk: refused for a card already issued or spoiled (unlike `markSpoiled`,
    /// which the workflow may repeat).
    func spoilCard(_ cardNumber: CardNumber, reason: String, by clerk: String) throws -> PreMadeCard
    /// The cards on the books in import order, by state and bank, at most `limit`.
    func cards(state: PreMadeCardState.Kind?, bank: String?, limit: Int?) throws -> [PreMadeCard]
    /// The cards the books put in this desk's `hopper` (free and reserved).
    func cards(inHopper hopper: Hopper) throws -> [PreMadeCard]
    /// The banks with cards on the books, sorted.
    func banks() throws -> [String]
    /// The counts now, recorded nowhere.
    func stockReport() throws -> StockTakeReport
    /// 盘点, recorded in the 台账 (`stock.take`); the report's ledger head is that entry.
    func takeStock(by clerk: String) throws -> StockTakeReport
    /// 盘点 with a physical count, compared with the books and recorded (`stock.count`).
    func takeStock(counted count: PhysicalStockCount, by clerk: String) throws -> StockCountResult
    /// The check that the books add up.
    func checkInvariants() throws -> InventoryInvariantReport
    /// The counts of the 预制卡申请表 (`PreMadeCardOrder`).
    func orderSheet(windowDays: Int, coverDays: Int, packSize: Int) throws -> PreMadeCardOrder
    /// 《广东省社会保障卡经办规程》第三十六条一（四） 每天盘点数量: the day (YYYY-MM-DD, China time)
    /// this desk worked yesterday without a stock-take, recorded in the 台账 as
    /// `stock.takeMissed` so only the day's first command warns; nil when nothing is due. On the
    /// outlet's books "this desk" is the desk's own entries in the outlet's chain: another desk's
    /// stock-take counts the safe but not this desk's hoppers.
    func missedStockTakeYesterday() throws -> String?
}

/// Whose stock a shared store's stock-take counts: the outlet's safe and one desk's hoppers.
public struct SharedStockScope: Hashable, Sendable {
    public var outlet: String
    public var desk: String
    public init(outlet: String, desk: String) { self.outlet = outlet; self.desk = desk }
}

/// The desk's own SQLite books: the station's `PreMadeCardInventory` and `AuditLedger`, called
/// exactly as the workflow always did.
public struct EmbeddedStationStock: StationStock {
    public let inventory: PreMadeCardInventory
    public let ledger: AuditLedger
    public var storeName: String { "sqlite" }

    public init(inventory: PreMadeCardInventory, ledger: AuditLedger) {
        self.inventory = inventory
        self.ledger = ledger
    }

    public func reserve(bank: String, applicationID: String, fromHopper hopper: Hopper?, by clerk: String) throws -> PreMadeCard {
        try inventory.reserve(bank: bank, applicationID: applicationID, fromHopper: hopper, by: clerk)
    }
    public func card(_ cardNumber: CardNumber) throws -> PreMadeCard? { try inventory.card(cardNumber) }
    public func card(identifiedBy code: CardIdentificationCode) throws -> PreMadeCard? { try inventory.card(identifiedBy: code) }
    public func reservation(for applicationID: String) throws -> PreMadeCard? { try inventory.reservation(for: applicationID) }
    public func confirmFedCard(_ fedCardNumber: CardNumber, applicationID: String, by clerk: String) throws -> PreMadeCard {
        try inventory.confirmFedCard(fedCardNumber, applicationID: applicationID, by: clerk)
    }
    public func markIssued(_ cardNumber: CardNumber, applicationID: String, by clerk: String) throws {
        try inventory.markIssued(cardNumber, applicationID: applicationID, by: clerk)
    }
    public func markSpoiled(_ cardNumber: CardNumber, reason: String, by clerk: String) throws {
        try inventory.markSpoiled(cardNumber, reason: reason, by: clerk)
    }
    public func returnToStock(_ cardNumber: CardNumber, by clerk: String) throws {
        try inventory.returnToStock(cardNumber, by: clerk)
    }
    public func releaseReservation(applicationID: String, by clerk: String) throws {
        try inventory.releaseReservation(applicationID: applicationID, by: clerk)
    }
    public func appendLedger(clerk: String, action: String, subject: String, details: String) throws {
        _ = try ledger.append(clerk: clerk, action: action, subject: subject, details: details)
    }
    /// Nothing to let go: the station closes its database itself.
    public func close() {}

    public var sharedScope: SharedStockScope? { nil }
    public func importReturnFile(at url: URL, by clerk: String) throws -> YZKCGImportReceipt {
        try inventory.importReturnFile(at: url, by: clerk)
    }
    public func importReturnFile(_ file: YZKCGFile, by clerk: String) throws -> YZKCGImportReceipt {
        try inventory.importReturnFile(file, by: clerk)
    }
    public func loadHopper(_ hopper: Hopper, bank: String, count: Int, by clerk: String) throws -> [PreMadeCard] {
        try inventory.loadHopper(hopper, bank: bank, count: count, by: clerk)
    }
    public func unloadHopper(_ hopper: Hopper, by clerk: String) throws -> [PreMadeCard] {
        try inventory.unloadHopper(hopper, by: clerk)
    }
    public func spoilCard(_ cardNumber: CardNumber, reason: String, by clerk: String) throws -> PreMadeCard {
        try inventory.markSpoiled(cardNumber, reason: reason, by: clerk)
    }
    public func cards(state: PreMadeCardState.Kind?, bank: String?, limit: Int?) throws -> [PreMadeCard] {
        try inventory.cards(state: state, bank: bank, limit: limit)
    }
    public func cards(inHopper hopper: Hopper) throws -> [PreMadeCard] { try inventory.cards(in: hopper) }
    public func banks() throws -> [String] { try inventory.banks() }
    public func stockReport() throws -> StockTakeReport { try inventory.stockReport() }
    public func takeStock(by clerk: String) throws -> StockTakeReport { try inventory.takeStock(by: clerk) }
    public func takeStock(counted count: PhysicalStockCount, by clerk: String) throws -> StockCountResult {
        try inventory.takeStock(counted: count, by: clerk)
    }
    public func checkInvariants() throws -> InventoryInvariantReport { try inventory.checkInvariants() }
    public func missedStockTakeYesterday() throws -> String? { try inventory.missedStockTakeYesterday() }
    public func orderSheet(windowDays: Int, coverDays: Int, packSize: Int) throws -> PreMadeCardOrder {
        try inventory.orderSheet(windowDays: windowDays, coverDays: coverDays, packSize: packSize)
    }
}

extension PreMadeCard {
    /// A card as another store (the outlet's PostgreSQL books) holds it.
    public init(outletCard cardNumber: CardNumber, cardIdentificationCode: CardIdentificationCode, resetCode: String, bank: String,
                bankCardNumber: String, packingPosition: String, state: PreMadeCardState, hopper: Hopper?,
                desk: String? = nil, updatedAt: StationTimestamp, updatedBy: String) {
        self.cardNumber = cardNumber; self.cardIdentificationCode = cardIdentificationCode; self.resetCode = resetCode
        self.bank = bank; self.bankCardNumber = bankCardNumber; self.packingPosition = packingPosition
        self.state = state; self.hopper = hopper; self.desk = desk; self.updatedAt = updatedAt; self.updatedBy = updatedBy
    }
}
