import SSCardDriver
/// A printer's answer to one Escape command: ASCII text, `OK`, an error (`ERR…`, `ERROR…`), or
/// a value (`SMART CARD`, `5,00 Volts`, `245`). 打印机应答.
public enum EscapeReply: Hashable, Sendable, CustomStringConvertible {
    /// `OK`: done (for `Rlr;p` and `Rlr;h` it also means "no card").
    case ok
    /// A refusal: the whole text, starting `ERR` or `ERROR` (`ERROR CDE` = unknown command).
    case error(String)
    /// Any other answer: the value of a query.
    case value(String)

    /// The reply of the text the printer sent (surrounding white space dropped).
    public init(text: String) {
        let t = text.trimmingWhitespace
        if t == "OK" {
            self = .ok
        } else if t.hasPrefix("ERR") {
            self = .error(t)
        } else {
            self = .value(t)
        }
    }

    /// The reply of raw bytes (one reply, terminator already removed). Bytes that are not
    /// ASCII are kept as U+FFFD.
    public init(bytes: [UInt8]) {
        self.init(text: String(decoding: bytes, as: UTF8.self))
    }

    public var text: String {
        switch self {
        case .ok: return "OK"
        case .error(let t), .value(let t): return t
        }
    }

    public var description: String { text }

    /// The bytes the virtual printer sends for this reply: the text and a CR.
    public var wireBytes: [UInt8] { Array(text.utf8) + [EscapeFraming.carriageReturn] }

    /// The reply as a voltage: `5,00 Volts` → 5.0 (comma or point as decimal mark); nil when
    /// the text does not start with a number.
    public var volts: Double? {
        guard case .value(let t) = self else { return nil }
        let number = t.prefix { $0.isNumber || $0 == "," || $0 == "." || $0 == "-" }
        return Double(number.replacingAll(",", with: "."))
    }

    /// The reply as a whole number (`Rrt;count` → 245); nil otherwise.
    public var integer: Int? {
        guard case .value(let t) = self else { return nil }
        return Int(t)
    }

    /// Where the card is, for a reply to `Rlr;p`: `OK` none, `CARD` print position,
    /// `SMART CARD` contact station, `CONTACTLESS CARD`; an error naming a jam is `.jammed`.
    /// nil for anything else.
    public var cardPosition: CardPosition? {
        switch self {
        case .ok: return CardPosition.none
        case .value("CARD"): return .printPosition
        case .value("SMART CARD"): return .contactStation
        case .value("CONTACTLESS CARD"): return .contactlessStation
        case .error:
            return EscapeErrorKind(replyText: text) == .jam ? .jammed : nil
        default: return nil
        }
    }
}

/// What an `ERR…` reply is about, read from its words, since the firmware's exact texts are
/// not public except `ERROR CDE` (unknown command) and `ERR RIB DETECTION` (no ribbon). The
/// virtual printer sends the texts of `EscapeErrorKind.replyText`; a real printer's texts are
/// matched by the keywords in docs/escape-protocol.md.
public enum EscapeErrorKind: Hashable, Sendable, CaseIterable {
    case coverOpen
    case ribbon
    case rejectBoxFull
    case jam
    case feederEmpty
    case noCard
    case encoder
    case commandRefused

    /// The kind of `text` by keyword (case-insensitive), first match in this order: COVER;
    /// RIB; REJECT or HOPPER FULL; JAM, MECHANICAL or BLOCKED; FEEDER or EMPTY; NO CARD;
    /// ENCODER or SMART; anything else (`ERROR CDE` among them) is a refused command.
    public init(replyText text: String) {
        let t = text.uppercased()
        func has(_ words: String...) -> Bool { words.contains { t.contains($0) } }
        if has("COVER") { self = .coverOpen }
        else if has("RIB") { self = .ribbon }
        else if has("REJECT", "HOPPER FULL") { self = .rejectBoxFull }
        else if has("JAM", "MECHANICAL", "BLOCKED") { self = .jam }
        else if has("FEEDER", "EMPTY") { self = .feederEmpty }
        else if has("NO CARD") { self = .noCard }
        else if has("ENCODER", "SMART") { self = .encoder }
        else { self = .commandRefused }
    }

    /// The text the virtual printer answers with.
    public var replyText: String {
        switch self {
        case .coverOpen: return "ERR COVER OPEN"
        case .ribbon: return "ERR RIBBON OUT"
        case .rejectBoxFull: return "ERR REJECT BOX FULL"
        case .jam: return "ERR CARD JAM"
        case .feederEmpty: return "ERR FEEDER EMPTY"
        case .noCard: return "ERR NO CARD"
        case .encoder: return "ERR ENCODER"
        case .commandRefused: return "ERROR CDE"
        }
    }
}

/// What the driver was doing when a reply came: it decides which `PrinterError` an `ERR`
/// means (a jam while loading is `jamAtLoad`, while printing `jamAtPrint`).
public enum EscapeOperation: Hashable, Sendable, CustomStringConvertible {
    case status
    case load(hopper: Int)
    case moveToPrint
    case print
    case eject(CardExit)
    case setup

    public var description: String {
        switch self {
        case .status: return "reading the printer's status"
        case .load(let h): return "loading a card from hopper \(h)"
        case .moveToPrint: return "moving the card to the print position"
        case .print: return "printing"
        case .eject(let exit): return "ejecting the card to the \(exit)"
        case .setup: return "setting the printer up"
        }
    }
}

extension EscapeReply {
    /// The `PrinterError` an error reply means during `operation` after `command`; nil for
    /// `OK` and values. An error the keywords do not place (`ERROR CDE`, an unknown text) is
    /// `.notConnected` with the command and the printer's text as the reason, because the
    /// printer is not doing what the driver needs.
    public func printerError(during operation: EscapeOperation, command: EscapeCommand) -> PrinterError? {
        guard case .error(let text) = self else { return nil }
        switch EscapeErrorKind(replyText: text) {
        case .coverOpen: return .coverOpen
        case .ribbon: return .ribbonOut
        case .rejectBoxFull: return .rejectBoxFull
        case .jam:
            switch operation {
            case .print: return .jamAtPrint
            case .load(let h): return .jamAtLoad(hopper: h)
            default: return .jamAtLoad(hopper: 0)
            }
        case .feederEmpty:
            if case .load(let h) = operation { return .hopperEmpty(hopper: h) }
            return .hopperEmpty(hopper: 0)
        case .noCard: return .noCardAtStation
        case .encoder, .commandRefused:
            return .notConnected(reason: "the printer answered “\(text)” to \(command) while \(operation)")
        }
    }
}

/// Cuts the bytes a printer sends into replies. A reply ends at CR, LF or NUL (the open-source
/// drivers read up to NUL; the virtual printer ends with CR), or where a USB transfer ended
/// short (`endOfTransfer()`). Empty replies between terminators are dropped.
public struct EscapeReplyAssembler: Sendable {
    private var current: [UInt8] = []
    private var complete: [[UInt8]] = []

    public init() {}

    /// Adds received bytes.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        for b in bytes {
            if b == 0x0D || b == 0x0A || b == 0x00 {
                if !current.isEmpty { complete.append(current); current.removeAll() }
            } else {
                current.append(b)
            }
        }
    }

    /// A USB transfer ended short: what was gathered is a whole reply.
    public mutating func endOfTransfer() {
        if !current.isEmpty { complete.append(current); current.removeAll() }
    }

    /// The oldest whole reply, nil when none is complete yet.
    public mutating func nextReply() -> [UInt8]? {
        complete.isEmpty ? nil : complete.removeFirst()
    }

    /// Bytes of a reply still incomplete.
    public var partialByteCount: Int { current.count }

    /// Forgets everything (after a timeout, before the next command).
    public mutating func reset() {
        current.removeAll()
        complete.removeAll()
    }
}

extension String {
    fileprivate var trimmingWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return String(s)
    }
}

extension StringProtocol {
    fileprivate func replacingAll(_ target: Character, with replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
