#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Asks for the PIN on the controlling terminal (`/dev/tty`), never on stdin/stdout, so it
/// works under a caller that redirects them. Echo is off (a `*` is shown per digit), the
/// terminal's settings are put back on every path, and the whole entry has a deadline.
///
/// Keys: digits; Enter ends; Backspace erases; Esc, Ctrl-C or Ctrl-D cancel (−31). Other keys
/// are ignored. At most 32 characters are kept (the PIN functions refuse more than 16, −33).
/// Ctrl-C does not raise SIGINT while the PIN is being typed (ISIG is off).
public struct TerminalPINEntry: PINEntry {
    /// The terminal device.
    public var devicePath: String
    /// How long the holder has for each PIN, from the prompt to Enter.
    public var timeout: Duration

    public init(devicePath: String = "/dev/tty", timeout: Duration = .seconds(60)) {
        self.devicePath = devicePath
        self.timeout = timeout
    }

    static let maximumKept = 32

    /// The digits as an array, for callers of the plain `PINEntry` form; the PIN functions use
    /// `readSecretPIN`, which never puts the digits in an array.
    public func readPIN(for purpose: PINPurpose) throws(PINEntryError) -> [UInt8] {
        let pin = try readSecretPIN(for: purpose)
        return pin.withUnsafeBytes { [UInt8]($0) }
    }

    public func readSecretPIN(for purpose: PINPurpose) throws(PINEntryError) -> SecretBytes {
        let fd = open(devicePath, O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { throw .unavailable("cannot open \(devicePath): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { throw .unavailable("\(devicePath) is not a terminal") }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ECHO | ECHONL | ICANON | ISIG | IEXTEN)
        raw.c_iflag &= ~tcflag_t(IXON | ICRNL)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(fd, TCSAFLUSH, &raw) == 0 else { throw .unavailable("cannot set up \(devicePath)") }
        defer {
            _ = tcsetattr(fd, TCSAFLUSH, &saved)
            Self.show(fd, "\r\n")
        }
        Self.show(fd, purpose.prompt + ": ")
        return try Self.collect(fd: fd, deadline: ContinuousClock.now + timeout)
    }

    /// Reads keys until Enter, cancel or the deadline, straight into a `SecretBytes` of
    /// `maximumKept` bytes (never reallocated, zeroed when it ends); the digits are then moved
    /// into a `SecretBytes` of their own size and the collecting one is dropped (and zeroed).
    private static func collect(fd: Int32, deadline: ContinuousClock.Instant) throws(PINEntryError) -> SecretBytes {
        var typed = 0
        var failure: PINEntryError? = nil
        let buffer = SecretBytes(count: maximumKept) { (digits: UnsafeMutableRawBufferPointer) in
            var key: UInt8 = 0
            defer { key = 0 }
            while true {
                let left = deadline - ContinuousClock.now
                let milliseconds = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
                guard milliseconds > 0 else { failure = .timedOut; return }
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                let ready = poll(&poller, 1, Int32(clamping: milliseconds))
                if ready < 0 && errno == EINTR { continue }
                if ready == 0 { continue }   // the deadline check above ends the wait
                guard ready > 0, read(fd, &key, 1) == 1 else { failure = .unavailable("the terminal closed"); return }
                switch key {
                case 0x0D, 0x0A:
                    return
                case 0x1B, 0x03, 0x04:
                    failure = .cancelled
                    return
                case 0x7F, 0x08:
                    if typed > 0 {
                        typed -= 1
                        digits[typed] = 0
                        show(fd, "\u{8} \u{8}")
                    }
                case 0x30...0x39 where typed < maximumKept:
                    digits[typed] = key
                    typed += 1
                    show(fd, "*")
                default:
                    break
                }
                key = 0
            }
        }
        if let failure { throw failure }
        return buffer.withUnsafeBytes { SecretBytes(copying: UnsafeRawBufferPointer(rebasing: $0[0..<typed])) }
    }

    private static func show(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
