import Synchronization

/// What a PIN is asked for. The raw values are the `purpose` argument of the C PIN callback
/// (`SSCARD_PIN_*` in include/SSCardDriver.h).
public enum PINPurpose: Int, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    /// 当前密码: the card's PIN now (iVerifyPIN, the first entry of iChangePIN).
    case currentPIN = 1
    /// 新密码: the PIN the card is to take (iChangePIN, iReloadPIN).
    case newPIN = 2
    /// 再次输入新密码: the new PIN again, to catch a typing mistake.
    case newPINAgain = 3
    /// 管理员密码: the PKI application's admin PIN.
    case adminPIN = 4

    /// The prompt shown to the card holder, Chinese then English.
    public var prompt: String {
        switch self {
        case .currentPIN: return "请输入密码 / Enter the PIN"
        case .newPIN: return "请输入新密码 / Enter the new PIN"
        case .newPINAgain: return "请再次输入新密码 / Enter the new PIN again"
        case .adminPIN: return "请输入管理员密码 / Enter the admin PIN"
        }
    }

    public var description: String {
        switch self {
        case .currentPIN: return "current PIN"
        case .newPIN: return "new PIN"
        case .newPINAgain: return "new PIN again"
        case .adminPIN: return "admin PIN"
        }
    }
}

/// Why no PIN came back from a `PINEntry`. Never carries any digit that was typed.
public enum PINEntryError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The holder cancelled (−31 用户取消密码输入).
    case cancelled
    /// Nobody typed in time (−32 密码输入操作超时).
    case timedOut
    /// There is no way to ask: no terminal, no callback (−13 with the reason).
    case unavailable(String)

    public var description: String {
        switch self {
        case .cancelled: return "PIN entry cancelled"
        case .timedOut: return "PIN entry timed out"
        case .unavailable(let why): return "no PIN entry available: \(why)"
        }
    }

    /// The interface error the PIN functions return for this.
    public var interfaceError: InterfaceError {
        switch self {
        case .cancelled: return InterfaceError(.pinEntryCancelled)
        case .timedOut: return InterfaceError(.pinEntryTimeout)
        case .unavailable(let why):
            return InterfaceError(.unsupported, detail: "没有可用的密码输入方式（\(why)）", englishDetail: "no way to enter a PIN (\(why))")
        }
    }
}

/// Something that asks the card holder for a PIN: a terminal, a GUI dialog, a test.
///
/// The PIN functions ask through `readSecretPIN`, which hands the digits over as `SecretBytes`
/// (one owner, zeroed when it ends). Implementations that collect digits themselves
/// (`TerminalPINEntry`) fill the `SecretBytes` directly; the others implement only `readPIN`,
/// whose `[UInt8]` the default `readSecretPIN` moves into a `SecretBytes` and wipes at once.
/// Implementations return what was typed without judging it: the PIN functions check the length
/// (−33) and the digits themselves, so the rules live in one place. A PIN never goes into a
/// `String`, a log line or an error.
public protocol PINEntry: Sendable {
    func readPIN(for purpose: PINPurpose) throws(PINEntryError) -> [UInt8]
    func readSecretPIN(for purpose: PINPurpose) throws(PINEntryError) -> SecretBytes
}

extension PINEntry {
    /// `readPIN`'s digits moved into a `SecretBytes`; the array is wiped.
    public func readSecretPIN(for purpose: PINPurpose) throws(PINEntryError) -> SecretBytes {
        var digits = try readPIN(for: purpose)
        return SecretBytes(wiping: &digits)
    }
}

/// A `PINEntry` that calls a closure: for GUIs (which show their own dialog), for the C PIN
/// callback, and for tests.
public struct CallbackPINEntry: PINEntry {
    private let provide: @Sendable (PINPurpose) throws(PINEntryError) -> [UInt8]

    public init(_ provide: @escaping @Sendable (PINPurpose) throws(PINEntryError) -> [UInt8]) {
        self.provide = provide
    }

    public func readPIN(for purpose: PINPurpose) throws(PINEntryError) -> [UInt8] {
        try provide(purpose)
    }
}

/// The process-wide PIN entry the interface's PIN functions use when their caller names none.
/// nil (the default) means: the reader's PIN pad if it has one, else `TerminalPINEntry`.
/// The C ABI installs its callback here (`SSCardDriver_SetPINCallback`).
public enum PINEntryRegistry {
    private static let installed = Mutex<(any PINEntry)?>(nil)

    /// The installed entry, nil when none is.
    public static var current: (any PINEntry)? { installed.withLock { $0 } }

    /// Installs `entry` (nil restores the default).
    public static func install(_ entry: (any PINEntry)?) {
        installed.withLock { $0 = entry }
    }
}

/// The PIN rules of the national interface and the card (人社信息函〔2016〕38号: 4–16 decimal
/// digits, −36 不能改为初始密码); the initial PIN 123456 cannot be chosen as a new PIN.
public enum PINRules {
    public static let lengths = 4...16

    /// True for 4–16 ASCII digits.
    public static func isWellFormed(_ digits: [UInt8]) -> Bool {
        lengths.contains(digits.count) && digits.allSatisfy { (0x30...0x39).contains($0) }
    }

    /// True for 4–16 ASCII digits.
    public static func isWellFormed(_ digits: borrowing SecretBytes) -> Bool {
        lengths.contains(digits.count) && digits.allSatisfy { (0x30...0x39).contains($0) }
    }

    /// True for the initial PIN 123456, compared without stopping at the first difference.
    public static func isInitialPIN(_ digits: [UInt8]) -> Bool {
        digits.withUnsafeBytes { isInitialPIN($0) }
    }

    /// True for the initial PIN 123456, compared without stopping at the first difference.
    public static func isInitialPIN(_ digits: borrowing SecretBytes) -> Bool {
        digits.withUnsafeBytes { isInitialPIN($0) }
    }

    private static func isInitialPIN(_ digits: UnsafeRawBufferPointer) -> Bool {
        let initial: [UInt8] = [0x31, 0x32, 0x33, 0x34, 0x35, 0x36]
        guard digits.count == initial.count else { return false }
        var diff: UInt8 = 0
        for i in 0..<digits.count { diff |= digits[i] ^ initial[i] }
        return diff == 0
    }

    /// True when `a` and `b` hold the same digits, compared without an early exit.
    static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var diff: UInt8 = 0
        for i in a.indices { diff |= a[i] ^ b[i] }
        return diff == 0
    }
}

/// A PIN shared by reference between the steps of one interface call, or held between the
/// steps of a three-step HSM function: its `SecretBytes` is zeroed when the last reference goes
/// (the call ends, the step ends or is replaced), so a PIN left behind by an abandoned Step1
/// does not linger.
final class HeldPIN: @unchecked Sendable {
    /// The PIN (ASCII digits, or packed BCD as RELOAD PIN carries it). Immutable.
    let secret: SecretBytes

    init(_ secret: consuming SecretBytes) { self.secret = secret }

    /// Lends the bytes as a temporary array, wiped when `body` ends.
    func withBytes<R>(_ body: ([UInt8]) throws -> R) throws -> R {
        try secret.withTemporaryArray { (bytes: [UInt8]) throws -> R in try body(bytes) }
    }
}
