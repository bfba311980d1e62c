import SSCardDriver
/// Moving panel dots between the face's order (rows of 1016, top to bottom) and the wire's
/// (1016 lines of 648 dots, `EscapePanelFormat.dotOrder`) a block at a time: a print sends
/// 1.4 MB of panels and the virtual printer reads them back, so a loop per dot and bit (the
/// `wireIndex` definition) costs milliseconds a card. Same bits as `wireIndex` says
/// (EscapePanelTests compares them with a per-dot reference).
enum EscapePanelPacking {
    static let width = CardCanvas.width           // 1016 = 127 × 8
    static let height = CardCanvas.height         // 648 = 81 × 8
    static let rowBytes = width / 8               // 127
    static let lineBytes = EscapePanelFormat.dotsPerLine / 8   // 81

    /// The 8 × 8 bit block `x` (row i = byte i counted from the most significant, bit j of a
    /// row counted from its MSB) transposed: bit j of row i becomes bit i of row j
    /// (Hacker's Delight, transpose8).
    @inline(__always)
    static func transpose8(_ x: UInt64) -> UInt64 {
        var x = x
        var t = (x ^ (x >> 7)) & 0x00AA_00AA_00AA_00AA
        x = x ^ t ^ (t << 7)
        t = (x ^ (x >> 14)) & 0x0000_CCCC_0000_CCCC
        x = x ^ t ^ (t << 14)
        t = (x ^ (x >> 28)) & 0x0000_0000_F0F0_F0F0
        return x ^ t ^ (t << 28)
    }

    /// A 1-bit face bitmap (rows of 127 bytes) to wire lines, into `wire` (≥ 82,296 bytes, zero).
    /// Face block (column byte `xb`, rows 8g…8g+7 counted in wire dot order) ↔ wire block
    /// (lines xb·8…xb·8+7, byte g of each line): a transpose.
    static func faceToWire(_ face: UnsafeBufferPointer<UInt8>, _ wire: UnsafeMutableBufferPointer<UInt8>, order: EscapeDotOrder) {
        for xb in 0..<rowBytes {
            for g in 0..<lineBytes {
                var block: UInt64 = 0
                for k in 0..<8 {
                    block = block << 8 | UInt64(face[faceRow(dot: g * 8 + k, order: order) * rowBytes + xb])
                }
                guard block != 0 else { continue }
                let lines = transpose8(block)
                for c in 0..<8 {
                    wire[wireLine(x: xb * 8 + c, order: order) * lineBytes + g] = UInt8(truncatingIfNeeded: lines >> (56 - 8 * c))
                }
            }
        }
    }

    /// Wire lines back to a 1-bit face bitmap (rows of 127 bytes), into `face`.
    static func wireToFace(_ wire: UnsafeBufferPointer<UInt8>, _ face: UnsafeMutableBufferPointer<UInt8>, order: EscapeDotOrder) {
        for xb in 0..<rowBytes {
            for g in 0..<lineBytes {
                var block: UInt64 = 0
                for c in 0..<8 {
                    block = block << 8 | UInt64(wire[wireLine(x: xb * 8 + c, order: order) * lineBytes + g])
                }
                let rows = transpose8(block)
                for k in 0..<8 {
                    face[faceRow(dot: g * 8 + k, order: order) * rowBytes + xb] = UInt8(truncatingIfNeeded: rows >> (56 - 8 * k))
                }
            }
        }
    }

    /// Wire lines handled together by `dotsToWire` and `wireToDots`: 64, so that each face row
    /// is read (or written) a cache line at a time, not eight bytes at a time.
    static let linesPerBlock = 64

    /// Dye levels (one byte a dot, rows of 1016) to wire lines of `bits` bits a dot, into
    /// `wire` (≥ 1016 × 648 × bits / 8 bytes). A block of wire lines at a time: their face
    /// columns are neighbouring bytes of each face row, read eight at a time into line buffers;
    /// then every eight dots of a line (8 × bits bits) become `bits` whole bytes.
    static func dotsToWire(_ dots: UnsafeBufferPointer<UInt8>, bits: Int, _ wire: UnsafeMutableBufferPointer<UInt8>, order: EscapeDotOrder) {
        let dotsPerLine = EscapePanelFormat.dotsPerLine
        let bytesPerLine = dotsPerLine &* bits / 8
        let source = UnsafeRawPointer(dots.baseAddress!)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: linesPerBlock * dotsPerLine) { lines in
            for blockStart in Swift.stride(from: 0, to: EscapePanelFormat.lineCount, by: linesPerBlock) {
                let blockLines = min(linesPerBlock, EscapePanelFormat.lineCount &- blockStart)
                for dot in 0..<dotsPerLine {
                    let row = faceRow(dot: dot, order: order) &* width
                    for group in Swift.stride(from: 0, to: blockLines, by: 8) {
                        let word = UInt64(littleEndian: source.loadUnaligned(
                            fromByteOffset: row &+ firstColumn(lines: blockStart &+ group, order: order), as: UInt64.self))
                        for c in 0..<8 {
                            // Byte c of the word (counted from the least significant) is the
                            // group's face column c.
                            let line = group &+ (order == .faceRotatedClockwise ? c : 7 &- c)
                            lines[line &* dotsPerLine &+ dot] = UInt8(truncatingIfNeeded: word &>> UInt64(c &* 8))
                        }
                    }
                }
                for line in 0..<blockLines {
                    let out = wire.baseAddress! + (blockStart &+ line) &* bytesPerLine
                    let dotsOfLine = UnsafePointer(lines.baseAddress! + line &* dotsPerLine)
                    // A constant bit count for each case, so the shifts are constants too.
                    switch bits {
                    case 5: pack(dotsOfLine, into: out, bits: 5)
                    case 6: pack(dotsOfLine, into: out, bits: 6)
                    default: pack(dotsOfLine, into: out, bits: 7)
                    }
                }
            }
        }
    }

    /// Wire lines of `bits` bits a dot back to dye levels (rows of 1016), into `dots`: the
    /// steps of `dotsToWire` backwards.
    static func wireToDots(_ wire: UnsafeBufferPointer<UInt8>, bits: Int, _ dots: UnsafeMutableBufferPointer<UInt8>, order: EscapeDotOrder) {
        let dotsPerLine = EscapePanelFormat.dotsPerLine
        let bytesPerLine = dotsPerLine &* bits / 8
        let target = UnsafeMutableRawPointer(dots.baseAddress!)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: linesPerBlock * dotsPerLine) { lines in
            for blockStart in Swift.stride(from: 0, to: EscapePanelFormat.lineCount, by: linesPerBlock) {
                let blockLines = min(linesPerBlock, EscapePanelFormat.lineCount &- blockStart)
                for line in 0..<blockLines {
                    let from = wire.baseAddress! + (blockStart &+ line) &* bytesPerLine
                    let dotsOfLine = lines.baseAddress! + line &* dotsPerLine
                    switch bits {
                    case 5: unpack(from, into: dotsOfLine, bits: 5)
                    case 6: unpack(from, into: dotsOfLine, bits: 6)
                    default: unpack(from, into: dotsOfLine, bits: 7)
                    }
                }
                for dot in 0..<dotsPerLine {
                    let row = faceRow(dot: dot, order: order) &* width
                    for group in Swift.stride(from: 0, to: blockLines, by: 8) {
                        var word: UInt64 = 0
                        for c in 0..<8 {
                            let line = group &+ (order == .faceRotatedClockwise ? c : 7 &- c)
                            word |= UInt64(lines[line &* dotsPerLine &+ dot]) &<< UInt64(c &* 8)
                        }
                        target.storeBytes(of: word.littleEndian, toByteOffset: row &+ firstColumn(lines: blockStart &+ group, order: order),
                                          as: UInt64.self)
                    }
                }
            }
        }
    }

    /// One wire line: every eight dots (levels below 2^bits) become `bits` bytes, most
    /// significant bit first.
    @inline(__always)
    private static func pack(_ dots: UnsafePointer<UInt8>, into out: UnsafeMutablePointer<UInt8>, bits: Int) {
        var out = out
        for group in Swift.stride(from: 0, to: EscapePanelFormat.dotsPerLine, by: 8) {
            var packed: UInt64 = 0
            for k in 0..<8 { packed = packed &<< UInt64(bits) | UInt64(dots[group &+ k]) }
            for b in 0..<bits { out[b] = UInt8(truncatingIfNeeded: packed &>> UInt64((bits &- 1 &- b) &* 8)) }
            out += bits
        }
    }

    /// One wire line back to its dots: `pack` backwards.
    @inline(__always)
    private static func unpack(_ wire: UnsafePointer<UInt8>, into dots: UnsafeMutablePointer<UInt8>, bits: Int) {
        let mask = UInt64(1) &<< UInt64(bits) &- 1
        var from = wire
        for group in Swift.stride(from: 0, to: EscapePanelFormat.dotsPerLine, by: 8) {
            var packed: UInt64 = 0
            for b in 0..<bits { packed = packed &<< 8 | UInt64(from[b]) }
            for k in 0..<8 { dots[group &+ k] = UInt8(truncatingIfNeeded: (packed &>> UInt64((7 &- k) &* bits)) & mask) }
            from += bits
        }
    }

    /// The first (leftmost) face column of the eight wire lines from `lines`.
    @inline(__always)
    static func firstColumn(lines: Int, order: EscapeDotOrder) -> Int {
        order == .faceRotatedClockwise ? lines : width - 8 - lines
    }

    /// The face row of dot `dot` (0–647) of a wire line.
    @inline(__always)
    static func faceRow(dot: Int, order: EscapeDotOrder) -> Int {
        order == .faceRotatedClockwise ? height - 1 - dot : dot
    }

    /// The wire line of face column `x`.
    @inline(__always)
    static func wireLine(x: Int, order: EscapeDotOrder) -> Int {
        order == .faceRotatedClockwise ? x : width - 1 - x
    }
}
