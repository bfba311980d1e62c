/// The two status bytes SW1 SW2 that end every response APDU (ISO/IEC 7816-4 §5.6).
public struct StatusWord: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public init(_ sw1: UInt8, _ sw2: UInt8) { rawValue = UInt16(sw1) << 8 | UInt16(sw2) }

    public var sw1: UInt8 { UInt8(rawValue >> 8) }
    public var sw2: UInt8 { UInt8(rawValue & 0xFF) }
    public var bytes: [UInt8] { [sw1, sw2] }

    /// 9000: normal processing.
    public var isSuccess: Bool { rawValue == 0x9000 }

    /// The national interface reports a card refusal as the negative status word in decimal
    /// (−27010 for 6982).
    public var interfaceCode: Int { -Int(rawValue) }

    public static let success = StatusWord(rawValue: 0x9000)
    public static let endOfFileReached = StatusWord(rawValue: 0x6282)
    public static let selectedFileInvalidated = StatusWord(rawValue: 0x6283)
    public static let memoryFailure = StatusWord(rawValue: 0x6581)
    public static let wrongLength = StatusWord(rawValue: 0x6700)
    public static let securityStatusNotSatisfied = StatusWord(rawValue: 0x6982)
    public static let authenticationMethodBlocked = StatusWord(rawValue: 0x6983)
    public static let referencedDataInvalidated = StatusWord(rawValue: 0x6984)
    public static let conditionsNotSatisfied = StatusWord(rawValue: 0x6985)
    public static let commandNotAllowedNoEF = StatusWord(rawValue: 0x6986)
    public static let secureMessagingMissing = StatusWord(rawValue: 0x6987)
    public static let secureMessagingIncorrect = StatusWord(rawValue: 0x6988)
    public static let wrongData = StatusWord(rawValue: 0x6A80)
    public static let functionNotSupported = StatusWord(rawValue: 0x6A81)
    public static let fileNotFound = StatusWord(rawValue: 0x6A82)
    public static let recordNotFound = StatusWord(rawValue: 0x6A83)
    public static let notEnoughMemory = StatusWord(rawValue: 0x6A84)
    public static let incorrectP1P2 = StatusWord(rawValue: 0x6A86)
    public static let referencedDataNotFound = StatusWord(rawValue: 0x6A88)
    public static let wrongP1P2 = StatusWord(rawValue: 0x6B00)
    public static let instructionNotSupported = StatusWord(rawValue: 0x6D00)
    public static let classNotSupported = StatusWord(rawValue: 0x6E00)
    public static let noPreciseDiagnosis = StatusWord(rawValue: 0x6F00)

    /// 61xx: SW2 more bytes are available with GET RESPONSE (00 means 256).
    public var isBytesAvailable: Bool { sw1 == 0x61 }
    /// 6Cxx: wrong Le; SW2 is the exact length to ask for (00 means 256).
    public var isWrongLe: Bool { sw1 == 0x6C }
    /// 63Cx: verification failed, x tries left.
    public var triesLeft: Int? { sw1 == 0x63 && sw2 & 0xF0 == 0xC0 ? Int(sw2 & 0x0F) : nil }

    /// What the status word means, in plain English.
    public var meaning: String {
        switch rawValue {
        case 0x9000: return "success"
        case 0x6282: return "end of file or record reached before reading Le bytes"
        case 0x6283: return "selected file invalidated"
        case 0x6581: return "memory failure"
        case 0x6700: return "wrong length"
        case 0x6882: return "secure messaging not supported"
        case 0x6982: return "security status not satisfied"
        case 0x6983: return "authentication method blocked (PIN or key locked)"
        case 0x6984: return "referenced data invalidated"
        case 0x6985: return "conditions of use not satisfied"
        case 0x6986: return "command not allowed (no current EF)"
        case 0x6987: return "expected secure messaging data objects missing"
        case 0x6988: return "incorrect secure messaging data objects"
        case 0x6A80: return "incorrect parameters in the data field"
        case 0x6A81: return "function not supported"
        case 0x6A82: return "file or application not found"
        case 0x6A83: return "record not found"
        case 0x6A84: return "not enough memory space in the file"
        case 0x6A86: return "incorrect parameters P1-P2"
        case 0x6A88: return "referenced data not found"
        case 0x6B00: return "wrong parameters P1-P2"
        case 0x6D00: return "instruction code not supported"
        case 0x6E00: return "class not supported"
        case 0x6F00: return "no precise diagnosis"
        default:
            if let n = triesLeft { return "verification failed, \(n) tries left" }
            if isBytesAvailable { return "\(sw2 == 0 ? 256 : Int(sw2)) bytes available" }
            if isWrongLe { return "wrong Le, \(sw2 == 0 ? 256 : Int(sw2)) bytes available" }
            return "unknown status"
        }
    }

    public var description: String { "\([sw1, sw2].hexString) (\(meaning))" }
}
