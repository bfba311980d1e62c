import COpenSSL

/// A secret — a key, a PIN, an admin PIN — in one allocation that only this value owns and that
/// is zeroed when the value ends.
///
/// `[UInt8]` and `String` are copy-on-write values: every copy made on the way (an argument kept,
/// a `+`, a dictionary read) is its own buffer, and wiping one leaves the others in memory.
/// `SecretBytes` is non-copyable, so there is exactly one owner: it is moved, or lent
/// (`borrowing`), and a second copy exists only where `copy()` is written out. Its storage is
/// overwritten with `OPENSSL_cleanse` (a write the optimiser cannot drop) in `deinit`.
///
/// There is no `description`: a non-copyable value cannot be interpolated into a string, so a
/// secret cannot reach a log line or an error message by accident. The bytes are read through
/// `withUnsafeBytes`; an API that needs an array (the SM4 functions, `CommandAPDU`) gets one from
/// `withTemporaryArray`, which wipes it when the closure returns — the closure must not keep it.
public struct SecretBytes: ~Copyable, @unchecked Sendable {
    // Never shared: one owner (non-copyable), read only through borrowing accessors.
    private let base: UnsafeMutableRawPointer
    /// How many bytes the secret has.
    public let count: Int

    /// `count` bytes written by `initializer` into zeroed storage; the storage is wiped and freed
    /// if it throws.
    public init<E: Error>(count: Int, initializingWith initializer: (UnsafeMutableRawBufferPointer) throws(E) -> Void) throws(E) {
        precondition(count >= 0, "a secret cannot have a negative size")
        let storage = UnsafeMutableRawPointer.allocate(byteCount: Swift.max(count, 1), alignment: 16)
        storage.initializeMemory(as: UInt8.self, repeating: 0, count: Swift.max(count, 1))
        do {
            try initializer(UnsafeMutableRawBufferPointer(start: storage, count: count))
        } catch {
            OPENSSL_cleanse(storage, Swift.max(count, 1))
            storage.deallocate()
            throw error
        }
        self.base = storage
        self.count = count
    }

    /// A copy of `bytes` (the caller's buffer is not touched).
    public init(copying bytes: UnsafeRawBufferPointer) {
        self.init(count: bytes.count) { $0.copyMemory(from: bytes) }
    }

    /// Takes the bytes of `bytes` and wipes the array (`KeyMaterial.wipe`), leaving it empty.
    /// Copies of the array made before this call are not reached.
    public init(wiping bytes: inout [UInt8]) {
        self.init(count: bytes.count) { out in bytes.withUnsafeBytes { out.copyMemory(from: $0) } }
        KeyMaterial.wipe(&bytes)
        bytes.removeAll()
    }

    /// The UTF-8 bytes of `text` (an admin PIN that arrived in a JSON string). A Swift `String`
    /// cannot be wiped: keep such strings short-lived and convert them at once.
    public init(utf8 text: String) {
        var text = text
        self.init(count: text.utf8.count) { out in text.withUTF8 { out.copyMemory(from: UnsafeRawBufferPointer($0)) } }
    }

    /// The bytes of an even number of hex digits (either case), decoded straight into the
    /// secret's storage with no intermediate array; nil for anything else.
    public init?(hex text: some StringProtocol) {
        let utf8 = text.utf8
        guard utf8.count % 2 == 0 else { return nil }
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: c - 0x30
            case 0x41...0x46: c - 0x41 + 10
            case 0x61...0x66: c - 0x61 + 10
            default: nil
            }
        }
        do {
            self = try SecretBytes(count: utf8.count / 2) { (out: UnsafeMutableRawBufferPointer) throws(NotHex) in
                var i = 0
                var high: UInt8? = nil
                for c in utf8 {
                    guard let n = nibble(c) else { throw NotHex() }
                    if let h = high {
                        out[i] = h << 4 | n
                        i += 1
                        high = nil
                    } else {
                        high = n
                    }
                }
            }
        } catch {
            return nil
        }
    }

    deinit {
        OPENSSL_cleanse(base, Swift.max(count, 1))
        base.deallocate()
    }

    /// True for a secret of no bytes.
    public var isEmpty: Bool { count == 0 }

    /// Lends the bytes to `body`; the pointer must not outlive the call.
    public borrowing func withUnsafeBytes<R: ~Copyable, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        try body(UnsafeRawBufferPointer(start: base, count: count))
    }

    /// Lends `body` the bytes as an array, for APIs that take `[UInt8]`, and wipes that array when
    /// `body` returns or throws. `body` must not keep the array (a kept copy would not be wiped).
    public borrowing func withTemporaryArray<R, E: Error>(_ body: ([UInt8]) throws(E) -> R) throws(E) -> R {
        var array = [UInt8](UnsafeRawBufferPointer(start: base, count: count))
        defer { KeyMaterial.wipe(&array) }
        return try body(array)
    }

    /// A second, independently wiped secret with the same bytes.
    public borrowing func copy() -> SecretBytes {
        SecretBytes(copying: UnsafeRawBufferPointer(start: base, count: count))
    }

    /// True when `other` holds the same bytes, compared without an early exit.
    public borrowing func isEqual(to other: borrowing SecretBytes) -> Bool {
        other.withUnsafeBytes { theirs in
            guard theirs.count == count else { return false }
            var diff: UInt8 = 0
            for i in 0..<count { diff |= base.load(fromByteOffset: i, as: UInt8.self) ^ theirs[i] }
            return diff == 0
        }
    }

    /// True when every byte satisfies `predicate` (e.g. "is an ASCII digit").
    public borrowing func allSatisfy(_ predicate: (UInt8) -> Bool) -> Bool {
        withUnsafeBytes { $0.allSatisfy(predicate) }
    }
}

/// `SecretBytes(hex:)` met a character that is not a hex digit.
private struct NotHex: Error {}
