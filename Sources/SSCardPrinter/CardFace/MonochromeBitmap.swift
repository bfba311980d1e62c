import SSCardDriver
/// A 1-bit panel (resin black K, overlay O): `width × height` pixels, 1 = ink (or varnish),
/// packed MSB first — the leftmost pixel of each group of 8 is bit 7 — row-major from the
/// top-left, each row `rowBytes` = ⌈width / 8⌉ bytes. For the 1016 × 648 canvas: rows of 127
/// bytes, 82,296 bytes in all.
public struct MonochromeBitmap: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public var bytes: [UInt8]

    public var rowBytes: Int { (width + 7) / 8 }

    /// All 0 (`filled` false) or all 1.
    public init(width: Int = CardCanvas.width, height: Int = CardCanvas.height, filled: Bool = false) {
        precondition(width > 0 && height > 0, "a bitmap needs a positive size")
        self.width = width
        self.height = height
        bytes = Array(repeating: filled ? 0xFF : 0, count: (width + 7) / 8 * height)
        if filled && width % 8 != 0 {
            // Padding bits stay 0.
            let keep = UInt8(truncatingIfNeeded: 0xFF << (8 - width % 8))
            for row in 0..<height { bytes[row * rowBytes + rowBytes - 1] = keep }
        }
    }

    /// Wraps packed bytes; nil when the count does not match the size.
    public init?(width: Int, height: Int, bytes: [UInt8]) {
        guard width > 0, height > 0, bytes.count == (width + 7) / 8 * height else { return nil }
        self.width = width
        self.height = height
        self.bytes = bytes
    }

    public subscript(x: Int, y: Int) -> Bool {
        guard x >= 0, y >= 0, x < width, y < height else { return false }
        return bytes[y * rowBytes + (x >> 3)] & (0x80 >> UInt8(x & 7)) != 0
    }

    /// Sets pixel (x, y) to 1; outside the bitmap nothing happens (glyphs may overhang).
    public mutating func set(x: Int, y: Int) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        bytes[y * rowBytes + (x >> 3)] |= 0x80 >> UInt8(x & 7)
    }

    /// Sets pixel (x, y) to 0.
    public mutating func clear(x: Int, y: Int) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        bytes[y * rowBytes + (x >> 3)] &= ~(0x80 >> UInt8(x & 7))
    }

    /// Number of 1 pixels.
    public var count: Int { bytes.reduce(0) { $0 + $1.nonzeroBitCount } }
}
