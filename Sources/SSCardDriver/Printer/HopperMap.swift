import Foundation

/// Which hopper (卡箱) holds which bank's pre-made cards: the station feeds the applicant's
/// bank's card, so different banks' cards sit in different hoppers
/// (《广东省社会保障卡经办规程》附件9, iLoadCard).
///
/// Bank names are matched after trimming surrounding white space, exactly otherwise (they are
/// the names the card-management system sends, e.g. "中国工商银行"). Several banks may share a
/// hopper.
public struct HopperMap: Hashable, Sendable {
    /// Bank name → hopper number (1–9).
    public private(set) var hopperByBank: [String: Int]
    /// The hopper for a bank not in the map, and for iLoadCard(0); nil = the printer's own
    /// default hopper.
    public private(set) var defaultHopper: Int?

    /// No bank named: every bank feeds from the printer's default hopper.
    public static let empty = HopperMap(unchecked: [:])

    private init(unchecked hopperByBank: [String: Int]) {
        self.hopperByBank = hopperByBank
        defaultHopper = nil
    }

    /// Throws `.invalidHopper` for a hopper number outside 1–9.
    public init(_ hopperByBank: [String: Int] = [:], defaultHopper: Int? = nil) throws(PrinterError) {
        for (_, hopper) in hopperByBank.sorted(by: { $0.key < $1.key }) where !(1...9).contains(hopper) {
            throw .invalidHopper(hopper)
        }
        if let d = defaultHopper, !(1...9).contains(d) { throw .invalidHopper(d) }
        var trimmed: [String: Int] = [:]
        for (bank, hopper) in hopperByBank { trimmed[Self.key(bank)] = hopper }
        self.hopperByBank = trimmed
        self.defaultHopper = defaultHopper
    }

    /// The map of the driver configuration's `hoppers` setting.
    public init(configuration: DriverConfiguration) throws(PrinterError) {
        try self.init(configuration.hoppers)
    }

    /// The hopper of `bank`, nil when the map does not name it.
    public func hopper(forBank bank: String) -> Int? {
        hopperByBank[Self.key(bank)]
    }

    /// The hopper to feed for `bank`: its own, else `defaultHopper` (nil = the printer's
    /// default), as `CardPrinterMechanics.loadCard(fromHopper:)` takes it.
    public func hopperToFeed(forBank bank: String) -> Int? {
        hopper(forBank: bank) ?? defaultHopper
    }

    /// The banks whose cards sit in `hopper`, sorted.
    public func banks(inHopper hopper: Int) -> [String] {
        hopperByBank.filter { $0.value == hopper }.map(\.key).sorted()
    }

    /// Puts `bank`'s cards into `hopper` (1–9).
    public mutating func assign(bank: String, toHopper hopper: Int) throws(PrinterError) {
        guard (1...9).contains(hopper) else { throw .invalidHopper(hopper) }
        hopperByBank[Self.key(bank)] = hopper
    }

    private static func key(_ bank: String) -> String {
        bank.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
