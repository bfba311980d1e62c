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
    /// `wire` (≥ 1016 × 648 × bits / 8 bytes). Eight wire lines (eight neighbouring face
    /// columns) at a time: for every eight dots of them, eight face rows are read a word each,
    /// the 8 × 8 bytes transposed in registers into eight words of eight dots of one line, and
    /// each word packed to `bits` bytes of its line. The eight groups of a block of 64 lines
    /// go one after the other, so each face row is read a cache line at a time; a line's
    /// groups are written in order (`pack` relies on it).
    static func dotsToWire(_ dots: UnsafeBufferPointer<UInt8>, bits: Int, _ wire: UnsafeMutableBufferPointer<UInt8>, order: EscapeDotOrder) {
        switch bits {   // a constant bit count for each case, so the shifts are constants too
        case 5: dotsToWire(dots, constantBits: 5, wire, order: order)
        case 6: dotsToWire(dots, constantBits: 6, wire, order: order)
        default: dotsToWire(dots, constantBits: 7, wire, order: order)
        }
    }

    @inline(__always)
    private static func dotsToWire(_ dots: UnsafeBufferPointer<UInt8>, constantBits bits: Int, _ wire: UnsafeMutableBufferPointer<UInt8>,
                                   order: EscapeDotOrder) {
        let groups = EscapePanelFormat.dotsPerLine / 8, bytesPerLine = EscapePanelFormat.dotsPerLine &* bits / 8
        let source = UnsafeRawPointer(dots.baseAddress!), target = UnsafeMutableRawPointer(wire.baseAddress!)
        for block in Swift.stride(from: 0, to: EscapePanelFormat.lineCount, by: linesPerBlock) {
            for group in 0..<groups {
            for lineGroup in Swift.stride(from: block, to: min(block &+ linesPerBlock, EscapePanelFormat.lineCount), by: 8) {
                let column = firstColumn(lines: lineGroup, order: order)
                func row(_ k: Int) -> UInt64 {
                    UInt64(littleEndian: source.loadUnaligned(fromByteOffset: faceRow(dot: group &* 8 &+ k, order: order) &* width &+ column,
                                                             as: UInt64.self))
                }
                var w = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
                transpose8x8(&w)
                // Word c holds column c's eight dots: the group's part of line lineGroup + c
                // (clockwise) or lineGroup + 7 − c.
                let last = group &+ 1 == groups
                func put(_ word: UInt64, _ c: Int) {
                    let line = lineGroup &+ (order == .faceRotatedClockwise ? c : 7 &- c)
                    pack(word, into: target, at: line &* bytesPerLine &+ group &* bits, bits: bits, wholeWord: !last)
                }
                put(w.0, 0); put(w.1, 1); put(w.2, 2); put(w.3, 3); put(w.4, 4); put(w.5, 5); put(w.6, 6); put(w.7, 7)
            }}
        }
    }

    /// Wire lines of `bits` bits a dot back to dye levels (rows of 1016), into `dots`: the
    /// steps of `dotsToWire` backwards.
    static func wireToDots(_ wire: UnsafeBufferPointer<UInt8>, bits: Int, _ dots: UnsafeMutableBufferPointer<UInt8>, order: EscapeDotOrder) {
        switch bits {
        case 5: wireToDots(wire, constantBits: 5, dots, order: order)
        case 6: wireToDots(wire, constantBits: 6, dots, order: order)
        default: wireToDots(wire, constantBits: 7, dots, order: order)
        }
    }

    @inline(__always)
    private static func wireToDots(_ wire: UnsafeBufferPointer<UInt8>, constantBits bits: Int, _ dots: UnsafeMutableBufferPointer<UInt8>,
                                   order: EscapeDotOrder) {
        let groups = EscapePanelFormat.dotsPerLine / 8, bytesPerLine = EscapePanelFormat.dotsPerLine &* bits / 8
        let source = UnsafeRawPointer(wire.baseAddress!), target = UnsafeMutableRawPointer(dots.baseAddress!)
        for block in Swift.stride(from: 0, to: EscapePanelFormat.lineCount, by: linesPerBlock) {
            for group in 0..<groups {
            for lineGroup in Swift.stride(from: block, to: min(block &+ linesPerBlock, EscapePanelFormat.lineCount), by: 8) {
                let column = firstColumn(lines: lineGroup, order: order)
                let last = group &+ 1 == groups
                func take(_ c: Int) -> UInt64 {
                    let line = lineGroup &+ (order == .faceRotatedClockwise ? c : 7 &- c)
                    return unpack(source, at: line &* bytesPerLine &+ group &* bits, bits: bits, wholeWord: !last)
                }
                var w = (take(0), take(1), take(2), take(3), take(4), take(5), take(6), take(7))
                transpose8x8(&w)
                func put(_ word: UInt64, _ k: Int) {
                    target.storeBytes(of: word.littleEndian, toByteOffset: faceRow(dot: group &* 8 &+ k, order: order) &* width &+ column,
                                      as: UInt64.self)
                }
                put(w.0, 0); put(w.1, 1); put(w.2, 2); put(w.3, 3); put(w.4, 4); put(w.5, 5); put(w.6, 6); put(w.7, 7)
            }}
        }
    }

    /// The 8 × 8 bytes of eight words transposed: byte c of word k becomes byte k of word c
    /// (bytes counted from the least significant). Three rounds of swapping 1-, 2- and 4-byte
    /// blocks between pairs of words.
    @inline(__always)
    static func transpose8x8(_ w: inout (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)) {
        @inline(__always)
        func swap(_ a: inout UInt64, _ b: inout UInt64, _ shift: UInt64, _ mask: UInt64) {
            let t = ((a &>> shift) ^ b) & mask
            b ^= t
            a ^= t &<< shift
        }
        swap(&w.0, &w.1, 8, 0x00FF_00FF_00FF_00FF); swap(&w.2, &w.3, 8, 0x00FF_00FF_00FF_00FF)
        swap(&w.4, &w.5, 8, 0x00FF_00FF_00FF_00FF); swap(&w.6, &w.7, 8, 0x00FF_00FF_00FF_00FF)
        swap(&w.0, &w.2, 16, 0x0000_FFFF_0000_FFFF); swap(&w.1, &w.3, 16, 0x0000_FFFF_0000_FFFF)
        swap(&w.4, &w.6, 16, 0x0000_FFFF_0000_FFFF); swap(&w.5, &w.7, 16, 0x0000_FFFF_0000_FFFF)
        swap(&w.0, &w.4, 32, 0x0000_0000_FFFF_FFFF); swap(&w.1, &w.5, 32, 0x0000_0000_FFFF_FFFF)
        swap(&w.2, &w.6, 32, 0x0000_0000_FFFF_FFFF); swap(&w.3, &w.7, 32, 0x0000_0000_FFFF_FFFF)
    }

    /// Eight dots (byte k of `word`, from the least significant, is dot k; levels below
    /// 2^bits) as `bits` bytes at `target + at`, most significant bit first: the fields brought
    /// together in three steps (pairs, fours, eights), then stored as one big-endian word whose
    /// extra bytes the line's next group overwrites — or, for a line's last group
    /// (`wholeWord` false), a byte at a time, so nothing past the group is touched.
    @inline(__always)
    private static func pack(_ word: UInt64, into target: UnsafeMutableRawPointer, at: Int, bits: Int, wholeWord: Bool) {
        let b = UInt64(bits)
        let pairs = ((word & 0x00FF_00FF_00FF_00FF) &<< b) | ((word &>> 8) & 0x00FF_00FF_00FF_00FF)
        let fours = ((pairs & 0x0000_FFFF_0000_FFFF) &<< (2 &* b)) | ((pairs &>> 16) & 0x0000_FFFF_0000_FFFF)
        let packed = ((fours & 0xFFFF_FFFF) &<< (4 &* b)) | (fours &>> 32)   // dot 0 in the top field
        if wholeWord {
            target.storeBytes(of: (packed &<< (64 &- 8 &* b)).bigEndian, toByteOffset: at, as: UInt64.self)
        } else {
            for k in 0..<bits {
                target.storeBytes(of: UInt8(truncatingIfNeeded: packed &>> UInt64((bits &- 1 &- k) &* 8)), toByteOffset: at &+ k, as: UInt8.self)
            }
        }
    }

    /// `bits` bytes at `source + at` back to eight dots (`pack` backwards; any wire bits give
    /// levels below 2^bits). `wholeWord` false reads only those bytes.
    @inline(__always)
    private static func unpack(_ source: UnsafeRawPointer, at: Int, bits: Int, wholeWord: Bool) -> UInt64 {
        let b = UInt64(bits)
        var packed: UInt64 = 0
        if wholeWord {
            packed = UInt64(bigEndian: source.loadUnaligned(fromByteOffset: at, as: UInt64.self)) &>> (64 &- 8 &* b)
        } else {
            for k in 0..<bits { packed = packed &<< 8 | UInt64(source.load(fromByteOffset: at &+ k, as: UInt8.self)) }
        }
        let fours = (packed &>> (4 &* b)) | ((packed & ((1 &<< (4 &* b)) &- 1)) &<< 32)
        let pairs = ((fours &>> (2 &* b)) & 0x0000_FFFF_0000_FFFF) | ((fours & (((1 &<< (2 &* b)) &- 1) &* 0x0000_0001_0000_0001)) &<< 16)
        return ((pairs &>> b) & 0x00FF_00FF_00FF_00FF) | ((pairs & (((1 &<< b) &- 1) &* 0x0001_0001_0001_0001)) &<< 8)
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
