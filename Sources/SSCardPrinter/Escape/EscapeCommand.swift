import SSCardDriver
/// One command of the Evolis "Escape" language: `ESC name;param;… CR` (Evolis Card Printers
/// Programming Guide A5013; docs/escape-protocol.md). 打印机 Escape 指令.
///
/// The cases are the commands the driver sends; `.other` carries any other command (the
/// `Pneab;E`-style settings, the virtual printer's private `X…` commands) and is what the
/// decoder returns for a name it does not know. Decoding canonicalises: `.other(name: "Ss",
/// parameters: [])` encodes to the same bytes as `.startSequence` and decodes as that.
///
/// Encoding a command whose text holds ESC, CR, NUL or `;` inside a field, or a hopper outside
/// 1–9, is a programmer error and traps; decoding bytes from the wire never traps.
public enum EscapeCommand: Hashable, Sendable, CustomStringConvertible {
    /// `Ss`: start of a command sequence.
    case startSequence
    /// `Se`: end of the sequence; prints what was downloaded, then ejects the card to the
    /// output hopper (unless end-of-print ejection is off: `Pneab;E`).
    case endSequence
    /// `Si`: insert a card (or move the card inside) to the print position.
    case insert
    /// `Sis`: insert a card (or move the card inside) to the contact-chip station.
    case insertToContactStation
    /// `Ser`: eject the card into the reject box (废卡盒).
    case ejectToReject
    /// `Sr`: the following downloads are for the front (recto).
    case selectFront
    /// `Sv`: the following downloads are for the back (verso).
    case selectBack
    /// `Pr;ymcko`: the ribbon type.
    case setRibbon(EscapeRibbon)
    /// `Pem;2`: error management (2 = the host handles every error).
    case setErrorManagement(EscapeErrorManagement)
    /// `Pcim;F` (nil: the printer's feeder) or `Pcim;F;n`: feed the next card from hopper n.
    /// The hopper parameter is this driver's choice for multi-hopper printers
    /// (docs/escape-protocol.md); a single-feeder printer gets plain `Pcim;F`.
    case feedFromHopper(Int?)
    /// `Rlr;p`: where the card is (`OK` none, `CARD` print position, `SMART CARD` contact station,
    /// `CONTACTLESS CARD`).
    case readCardPosition
    /// `Rlr;h`: the reject box is full (`CARD`) or not (`OK`).
    case readRejectBox
    /// `Rse;f` (nil) or `Rse;f;n`: the feeder sensor of hopper n, a voltage (`5,00 Volts` =
    /// cards present).
    case readFeederSensor(Int?)
    /// `Rse;o`: the cover sensor, a voltage (`0,00 Volts` = open).
    case readCoverSensor
    /// `Rrt;count`: ribbon panels left.
    case readRibbonCount
    /// `Db;panel;levels;data`: download one full panel bitmap.
    case downloadPanel(EscapePanelDownload)
    /// Any other command: name and parameters as sent.
    case other(name: String, parameters: [String])

    /// The command's name, e.g. "Sis", "Db".
    public var name: String { fields.name }

    /// The parameters after the name (for `Db` the panel and levels, without the data).
    public var parameters: [String] { fields.parameters }

    private var fields: (name: String, parameters: [String]) {
        switch self {
        case .startSequence: return ("Ss", [])
        case .endSequence: return ("Se", [])
        case .insert: return ("Si", [])
        case .insertToContactStation: return ("Sis", [])
        case .ejectToReject: return ("Ser", [])
        case .selectFront: return ("Sr", [])
        case .selectBack: return ("Sv", [])
        case .setRibbon(let r): return ("Pr", [r.rawValue])
        case .setErrorManagement(let m): return ("Pem", [String(m.rawValue)])
        case .feedFromHopper(let n): return ("Pcim", ["F"] + (n.map { [Self.hopperText($0)] } ?? []))
        case .readCardPosition: return ("Rlr", ["p"])
        case .readRejectBox: return ("Rlr", ["h"])
        case .readFeederSensor(let n): return ("Rse", ["f"] + (n.map { [Self.hopperText($0)] } ?? []))
        case .readCoverSensor: return ("Rse", ["o"])
        case .readRibbonCount: return ("Rrt", ["count"])
        case .downloadPanel(let d): return ("Db", [d.panel.rawValue, String(d.levels.rawValue)])
        case .other(let name, let parameters): return (name, parameters)
        }
    }

    private static func hopperText(_ n: Int) -> String {
        precondition((1...9).contains(n), "hopper numbers are 1–9, not \(n)")
        return String(n)
    }

    /// The bytes on the wire: `ESC name(;param)* CR`; for `Db`, `ESC Db;panel;levels;` +
    /// the panel data + `CR`.
    public var bytes: [UInt8] {
        let (name, parameters) = fields
        precondition(!name.isEmpty && Self.isField(name), "an Escape command name must be printable ASCII without ';': \(name)")
        for p in parameters {
            precondition(Self.isField(p), "an Escape parameter must be printable ASCII without ';': \(p)")
        }
        var out: [UInt8] = [EscapeFraming.escape]
        let header = ([name] + parameters).joined(separator: ";").utf8
        if case .downloadPanel(let d) = self {
            // Room for the whole command at once: a dye panel is 411 KB, and growing the array
            // for the data and then once more for the CR copied it twice.
            out.reserveCapacity(header.count + d.data.count + 3)
        }
        out += header
        if case .downloadPanel(let d) = self {
            out.append(EscapeFraming.separator)
            out += d.data
        }
        out.append(EscapeFraming.carriageReturn)
        return out
    }

    /// The command as a log shows it: `Sis`, `Pcim;F;2`, `Db;k;2;<84624 bytes>`.
    public var description: String {
        let text = ([name] + parameters).joined(separator: ";")
        if case .downloadPanel(let d) = self { return text + ";<\(d.data.count) bytes>" }
        return text
    }

    /// The command of a name and parameters as read from the wire (data only for `Db`).
    init(name: String, parameters: [String]) {
        switch (name, parameters) {
        case ("Ss", []): self = .startSequence
        case ("Se", []): self = .endSequence
        case ("Si", []): self = .insert
        case ("Sis", []): self = .insertToContactStation
        case ("Ser", []): self = .ejectToReject
        case ("Sr", []): self = .selectFront
        case ("Sv", []): self = .selectBack
        case ("Rlr", ["p"]): self = .readCardPosition
        case ("Rlr", ["h"]): self = .readRejectBox
        case ("Rse", ["o"]): self = .readCoverSensor
        case ("Rse", ["f"]): self = .readFeederSensor(nil)
        case ("Rrt", ["count"]): self = .readRibbonCount
        case ("Pcim", ["F"]): self = .feedFromHopper(nil)
        case ("Pr", let p) where p.count == 1 && EscapeRibbon(rawValue: p[0]) != nil:
            self = .setRibbon(EscapeRibbon(rawValue: p[0])!)
        case ("Pem", let p) where p.count == 1 && Int(p[0]).flatMap(EscapeErrorManagement.init(rawValue:)) != nil:
            self = .setErrorManagement(EscapeErrorManagement(rawValue: Int(p[0])!)!)
        case ("Pcim", let p) where p.count == 2 && p[0] == "F" && Self.hopper(p[1]) != nil:
            self = .feedFromHopper(Self.hopper(p[1]))
        case ("Rse", let p) where p.count == 2 && p[0] == "f" && Self.hopper(p[1]) != nil:
            self = .readFeederSensor(Self.hopper(p[1]))
        default: self = .other(name: name, parameters: parameters)
        }
    }

    private static func hopper(_ text: String) -> Int? {
        guard text.count == 1, let n = Int(text), (1...9).contains(n) else { return nil }
        return n
    }

    static func isField(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != EscapeFraming.separator }
    }
}

/// The framing bytes of the Escape language.
public enum EscapeFraming {
    /// ESC, 0x1B: every command starts with it.
    public static let escape: UInt8 = 0x1B
    /// CR, 0x0D: every command ends with it.
    public static let carriageReturn: UInt8 = 0x0D
    /// `;` between name and parameters.
    public static let separator: UInt8 = 0x3B
    /// Longest text command (without panel data) the decoder accepts before giving up on it.
    public static let maximumTextCommandLength = 1_024
}

/// Ribbon types of `Pr;…` (the panels in ribbon order).
public enum EscapeRibbon: String, Hashable, Sendable, CaseIterable {
    /// Y, M, C dye panels, resin black K, clear overlay O: one colour side.
    case ymcko
    /// YMCKO plus a second K for the back.
    case ymckok
    /// Black resin and overlay.
    case ko
    /// Black resin only.
    case k
}

/// `Pem;n`: who recovers from printer errors.
public enum EscapeErrorManagement: Int, Hashable, Sendable, CaseIterable {
    /// 0: the printer recovers by itself (its default).
    case printer = 0
    /// 2: the host is told of every error and sends every command (`EVOLIS_EM_SOFTWARE`); what
    /// this driver sets, so that a fault never moves a card the driver does not know about.
    case host = 2
}

/// The panels of a YMCKO ribbon, as `Db` names them.
public enum EscapePanelKind: String, Hashable, Sendable, CaseIterable, Comparable {
    case yellow = "y", magenta = "m", cyan = "c", black = "k", overlay = "o"

    /// Download order: Y, M, C, K, O (the ribbon's panel order).
    public static func < (a: Self, b: Self) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// The number of levels per dot of a downloaded panel: 2 (1 bit, K and O) or 32/64/128 (5/6/7
/// bits, the Y, M, C dye panels).
public enum EscapePanelLevels: Int, Hashable, Sendable, CaseIterable {
    case two = 2, thirtyTwo = 32, sixtyFour = 64, oneHundredTwentyEight = 128

    /// Bits per dot: 1, 5, 6, 7.
    public var bitsPerDot: Int {
        switch self {
        case .two: return 1
        case .thirtyTwo: return 5
        case .sixtyFour: return 6
        case .oneHundredTwentyEight: return 7
        }
    }
}

/// The argument of `Db`: which panel, how many levels, and the panel data as it goes on the
/// wire (`EscapePanelFormat.byteCount(levels:)` bytes).
public struct EscapePanelDownload: Hashable, Sendable, CustomStringConvertible {
    public var panel: EscapePanelKind
    public var levels: EscapePanelLevels
    public var data: [UInt8]

    public init(panel: EscapePanelKind, levels: EscapePanelLevels, data: [UInt8]) {
        self.panel = panel
        self.levels = levels
        self.data = data
    }

    public var description: String { "Db;\(panel.rawValue);\(levels.rawValue);<\(data.count) bytes>" }
}

/// Why bytes from the wire are not an Escape command. The decoder skips the bad bytes and goes
/// on at the next ESC.
public enum EscapeDecodingError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Bytes other than NUL padding before an ESC.
    case garbageBeforeEscape(count: Int)
    /// A text command longer than `EscapeFraming.maximumTextCommandLength` without a CR, or
    /// with bytes that are not printable ASCII.
    case malformedCommand(String)
    /// A `Db` header with an unknown panel or level count.
    case badPanelHeader(String)
    /// The byte after a panel's data is not CR: the sender's panel size differs from ours.
    case panelNotTerminated(panel: EscapePanelKind, expectedBytes: Int)
    /// The stream ended inside a command.
    case truncated(count: Int)

    public var description: String {
        switch self {
        case .garbageBeforeEscape(let n): return "\(n) bytes before ESC skipped"
        case .malformedCommand(let t): return "malformed Escape command “\(t)”"
        case .badPanelHeader(let t): return "bad panel download header “\(t)”"
        case .panelNotTerminated(let p, let n):
            return "panel \(p.rawValue) not followed by CR after \(n) bytes of data (panel size mismatch?)"
        case .truncated(let n): return "the stream ended \(n) bytes into a command"
        }
    }
}

/// Cuts a byte stream into Escape commands: what the virtual printer reads from its socket,
/// and how a print job's payload is read back (`PanelSet(payload:format:)`).
///
/// Panel data is binary and may hold CR, so a `Db` command is read by length: the header
/// `Db;panel;levels;` says how many bytes follow (`format.byteCount(levels:)`), then a CR must
/// come. NUL bytes between commands are padding and skipped silently.
public struct EscapeCommandDecoder: Sendable {
    public let format: EscapePanelFormat
    private var buffer: [UInt8] = []
    private var start = 0

    public init(format: EscapePanelFormat = .exact) {
        self.format = format
    }

    /// Adds bytes read from the wire.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 0 && start * 2 >= buffer.count {
            buffer.removeFirst(start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// Bytes held that are not yet a whole command.
    public var pendingByteCount: Int { buffer.count - start }

    /// The next whole command, an error for bytes that are not one (skipped), or nil when more
    /// bytes are needed.
    public mutating func next() -> Result<EscapeCommand, EscapeDecodingError>? {
        // Skip NUL padding and anything else before ESC.
        var garbage = 0
        while start < buffer.count && buffer[start] != EscapeFraming.escape {
            if buffer[start] != 0 { garbage += 1 }
            start += 1
        }
        if garbage > 0 { return .failure(.garbageBeforeEscape(count: garbage)) }
        guard start < buffer.count else { return nil }
        let body = start + 1

        // A panel download: read the header, then the data by length.
        if hasPrefix("Db;", at: body) {
            var fieldsEnd = body + 3
            var separators = 0
            while fieldsEnd < buffer.count && separators < 2 && fieldsEnd - body < 16 {
                if buffer[fieldsEnd] == EscapeFraming.separator { separators += 1 }
                fieldsEnd += 1
            }
            if separators < 2 {
                if fieldsEnd - body >= 16 { return skipCommand(.badPanelHeader(text(body, fieldsEnd))) }
                return nil
            }
            let header = text(body, fieldsEnd - 1)  // "Db;k;2"
            let parts = header.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, let panel = EscapePanelKind(rawValue: parts[1]),
                  let levelCount = Int(parts[2]), let levels = EscapePanelLevels(rawValue: levelCount)
            else { return skipCommand(.badPanelHeader(header)) }
            let size = format.byteCount(levels: levels)
            guard buffer.count >= fieldsEnd + size + 1 else { return nil }
            guard buffer[fieldsEnd + size] == EscapeFraming.carriageReturn else {
                start = fieldsEnd + size
                return .failure(.panelNotTerminated(panel: panel, expectedBytes: size))
            }
            let data = Array(buffer[fieldsEnd..<(fieldsEnd + size)])
            start = fieldsEnd + size + 1
            return .success(.downloadPanel(EscapePanelDownload(panel: panel, levels: levels, data: data)))
        }

        // A text command: up to CR.
        var end = body
        while end < buffer.count && buffer[end] != EscapeFraming.carriageReturn {
            if buffer[end] == EscapeFraming.escape || end - body > EscapeFraming.maximumTextCommandLength {
                let bad = text(body, end)
                start = end
                return .failure(.malformedCommand(bad))
            }
            end += 1
        }
        guard end < buffer.count else { return nil }
        let line = text(body, end)
        start = end + 1
        guard !line.isEmpty, buffer[body..<end].allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else {
            return .failure(.malformedCommand(line))
        }
        let parts = line.split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        guard !parts[0].isEmpty else { return .failure(.malformedCommand(line)) }
        return .success(EscapeCommand(name: parts[0], parameters: Array(parts.dropFirst())))
    }

    /// Decodes a whole byte string; throws on the first bad command or a truncated end.
    public static func decodeAll(_ bytes: [UInt8], format: EscapePanelFormat = .exact)
        throws(EscapeDecodingError) -> [EscapeCommand]
    {
        var decoder = EscapeCommandDecoder(format: format)
        decoder.append(bytes)
        var out: [EscapeCommand] = []
        while let result = decoder.next() {
            switch result {
            case .success(let c): out.append(c)
            case .failure(let e): throw e
            }
        }
        if decoder.buffer[decoder.start...].contains(where: { $0 != 0 }) {
            throw .truncated(count: decoder.pendingByteCount)
        }
        return out
    }

    private func hasPrefix(_ s: String, at i: Int) -> Bool {
        let p = Array(s.utf8)
        guard buffer.count - i >= p.count else {
            // Not enough bytes to tell: a prefix of "Db;" keeps waiting as a text command would.
            return false
        }
        return Array(buffer[i..<(i + p.count)]) == p
    }

    private func text(_ from: Int, _ to: Int) -> String {
        String(decoding: buffer[from..<min(max(from, to), buffer.count)], as: UTF8.self)
    }

    private mutating func skipCommand(_ error: EscapeDecodingError) -> Result<EscapeCommand, EscapeDecodingError> {
        start += 1
        return .failure(error)
    }
}
