import SSCardDriver

/// One argument of a call into the driver library under test, as the probe passes it.
public enum DriverArgument: Hashable, Sendable {
    case int(Int32)
    /// A NUL-terminated string of these bytes (GB18030 or whatever the case means to send).
    case bytes([UInt8])
    /// A NULL pointer.
    case null
    /// A string holding secrets (pCaInfo's admin PIN and master key): passed like `bytes`,
    /// never shown in the report.
    case secret([UInt8])

    /// A string in GB18030, the national interface's encoding.
    public static func text(_ value: String) -> DriverArgument { .bytes(GB18030.encode(value) ?? Array(value.utf8)) }

    /// The probe's token: `i:<int>`, `s:<hex>`, `n`.
    var token: String {
        switch self {
        case .int(let v): return "i:\(v)"
        case .bytes(let b), .secret(let b): return "s:" + b.hexString
        case .null: return "n"
        }
    }

    /// How the report shows it: numbers as they are, strings in quotes (cut), NULL as NULL.
    var shown: String {
        switch self {
        case .int(let v): return String(v)
        case .null: return "NULL"
        case .secret(let b): return "<\(b.count) B, secret, not shown>"
        case .bytes(let b):
            let text = GB18030.decode(b) ?? "<\(b.count) bytes, not GB18030>"
            let cut = text.count > 40 ? String(text.prefix(40)) + "…(\(b.count) B)" : text
            return "\"\(cut)\""
        }
    }
}

/// What one call returned, as the probe measured it.
public struct DriverCallResult: Hashable, Sendable {
    /// The return code (`long`).
    public var code: Int
    /// How long the call took inside the probe.
    public var elapsed: Duration
    /// The output up to its first NUL (or the whole buffer when there is none).
    public var output: [UInt8]
    /// The first NUL inside the buffer, nil when the library wrote none.
    public var nulPosition: Int?
    /// A byte past the buffer changed.
    public var overran: Bool

    /// The output decoded as GB18030; nil when it is not.
    public var text: String? { GB18030.decode(output) }
    /// The output for a person: GB18030, or hex when it is not.
    public var shownText: String { text ?? "<not GB18030: \(Array(output.prefix(64)).hexString)>" }

    /// Parses `ret CODE NANOSECONDS NULPOS OVERRUN HEX`; every number is range-checked.
    init?(probeLine line: String, capacity: Int) {
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 6, parts[0] == "ret", let code = Int(parts[1]),
              let nanoseconds = Int64(parts[2]), nanoseconds >= 0,
              let nul = Int(parts[3]), nul >= -1, nul < max(capacity, 1),
              parts[4] == "0" || parts[4] == "1",
              let output = [UInt8](hex: String(parts[5])), output.count <= max(capacity, 0) else { return nil }
        self.code = code
        self.elapsed = .nanoseconds(nanoseconds)
        self.output = output
        self.nulPosition = nul >= 0 ? nul : nil
        self.overran = parts[4] == "1"
    }
}

/// A call as a case makes it: the function, its arguments (without pOutInfo and outSize) and
/// the size of the output buffer (nil: a NULL pOutInfo).
public struct DriverCall: Hashable, Sendable {
    public var function: String
    public var arguments: [DriverArgument]
    public var outputSize: Int?

    /// The national buffer size, SSCARD_OUT_SIZE.
    public static let standardOutputSize = 1024

    public init(_ function: String, _ arguments: [DriverArgument], outputSize: Int? = DriverCall.standardOutputSize) {
        self.function = function
        self.arguments = arguments
        self.outputSize = outputSize
    }

    var probeLine: String {
        (["call", function, String(outputSize ?? -1)] + arguments.map(\.token)).joined(separator: " ")
    }

    /// `iReadCardBas(1, out[1024])`, for the report.
    public var shown: String {
        let out = outputSize.map { "out[\($0)]" } ?? "NULL"
        let sized = function.hasSuffix("_n") ? [out, outputSize.map(String.init) ?? "0"] : [out]
        return "\(function)(\((arguments.map(\.shown) + sized).joined(separator: ", ")))"
    }
}
