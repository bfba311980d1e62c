/// Why the card printer could not do what was asked: a stable negative code for the national
/// interface (iLoadCard / iPrint return it, docs/printer.md has the table) and a message in
/// Chinese and English for pOutInfo and the technician.
///
/// The codes sit in −3001…−3009, clear of the national table (−1…−52, −2201…−2204) and of
/// the −SW range of card refusals (−24832 and below); a bad hopper number is the national
/// −14 (bad parameter).
public enum PrinterError: Error, Hashable, Sendable, CustomStringConvertible {
    /// −3001: the printer (or its chip encoder) does not answer: unplugged, off, or the
    /// transport failed. `reason` says which; `underlying` keeps the error that said so (the
    /// transport's `LibUSBError` or `SocketError`, the encoder's error) with its code.
    case notConnected(reason: String, underlying: ErrorCause? = nil)
    /// −3002: the printer did not finish `operation` in time; where the card is is unknown
    /// until the next `status()`.
    case timeout(operation: String)
    /// −3003: the cover is open; nothing moves until it is closed.
    case coverOpen
    /// −3004: hopper `hopper` has no card.
    case hopperEmpty(hopper: Int)
    /// −3005: the card fed from `hopper` jammed before the contact station. It stays jammed
    /// until `eject(to:)` (which sends it to the reject box) or a technician clears it.
    case jamAtLoad(hopper: Int)
    /// −3006: the card jammed under the print head; the printer rejected it.
    case jamAtPrint
    /// −3007: the ribbon has not enough panels for the job; the card was not printed.
    case ribbonOut
    /// −3008: the reject box is full: the printer will not feed a card it could not reject.
    case rejectBoxFull
    /// −3009: the operation needs a card at the contact station or print position and there is
    /// none.
    case noCardAtStation
    /// −14 (national "bad parameter"): `hopper` is not 0–9 or not installed in this printer.
    case invalidHopper(Int)

    /// The national interface's return code: negative, stable across releases.
    public var code: Int {
        switch self {
        case .notConnected: return -3001
        case .timeout: return -3002
        case .coverOpen: return -3003
        case .hopperEmpty: return -3004
        case .jamAtLoad: return -3005
        case .jamAtPrint: return -3006
        case .ribbonOut: return -3007
        case .rejectBoxFull: return -3008
        case .noCardAtStation: return -3009
        case .invalidHopper: return -14
        }
    }

    /// The message in Chinese, for pOutInfo.
    public var chineseMessage: String {
        switch self {
        case .notConnected(let reason, _): return "制卡机未连接（\(reason)）"
        case .timeout(let operation): return "制卡机操作超时：\(operation)"
        case .coverOpen: return "制卡机上盖打开，请关闭上盖"
        case .hopperEmpty(let h): return "\(h)号卡箱无卡，请补充预制卡"
        case .jamAtLoad(let h): return "从\(h)号卡箱进卡时卡片卡住，请清除卡片"
        case .jamAtPrint: return "打印时卡片卡住，卡片已送入废卡盒"
        case .ribbonOut: return "色带已用完，请更换色带"
        case .rejectBoxFull: return "废卡盒已满，请清空废卡盒"
        case .noCardAtStation: return "工位上没有卡片"
        case .invalidHopper(let h): return "卡箱号\(h)无效（应为0至9且已安装）"
        }
    }

    /// The message in English.
    public var englishMessage: String {
        switch self {
        case .notConnected(let reason, _): return "the card printer is not connected (\(reason))"
        case .timeout(let operation): return "the card printer did not finish \(operation) in time"
        case .coverOpen: return "the printer cover is open; close it"
        case .hopperEmpty(let h): return "hopper \(h) is empty; refill it with pre-made cards"
        case .jamAtLoad(let h): return "the card from hopper \(h) jammed on its way to the contact station; clear it"
        case .jamAtPrint: return "the card jammed while printing and went to the reject box"
        case .ribbonOut: return "the ribbon is used up; replace it"
        case .rejectBoxFull: return "the reject box is full; empty it"
        case .noCardAtStation: return "there is no card at the contact station or print position"
        case .invalidHopper(let h): return "hopper \(h) is not valid (0–9, and installed)"
        }
    }

    /// The error underneath a `.notConnected`, e.g. a `LibUSBError` whose code says why:
    /// `if let usb = error.underlyingError as? LibUSBError, usb == .access { … }`.
    public var underlyingError: (any Error & Sendable)? {
        if case .notConnected(_, let cause?) = self { return cause.error }
        return nil
    }

    /// "中文 / English", as the driver's other messages.
    public var description: String { "\(chineseMessage) / \(englishMessage)" }
}
