import CJPEG
import Foundation
import SSCardDriver

/// An 8-bit RGB picture, row-major from the top-left, 3 bytes per pixel, no padding.
public struct RGBImage: Hashable, Sendable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    /// A picture of one colour (white by default).
    public init(width: Int, height: Int, fill: (UInt8, UInt8, UInt8) = (255, 255, 255)) {
        precondition(width > 0 && height > 0, "a picture needs a positive size")
        self.width = width
        self.height = height
        if fill.0 == fill.1 && fill.1 == fill.2 {
            pixels = [UInt8](repeating: fill.0, count: width * height * 3)
            return
        }
        pixels = [UInt8](repeating: 0, count: width * height * 3)
        for i in stride(from: 0, to: pixels.count, by: 3) {
            pixels[i] = fill.0; pixels[i + 1] = fill.1; pixels[i + 2] = fill.2
        }
    }

    /// Wraps `pixels`; nil when the count is not width × height × 3.
    public init?(width: Int, height: Int, pixels: [UInt8]) {
        guard width > 0, height > 0, pixels.count == width * height * 3 else { return nil }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public subscript(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        let i = (y * width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }

    /// This picture scaled to `width × height`. Shrinking averages the exact area each output
    /// pixel covers (a box filter, so a 358 × 441 photo keeps its detail without aliasing);
    /// enlarging interpolates bilinearly. Each axis is done separately; colour channels are
    /// filtered alike, so colours are kept (in the JPEG's sRGB values).
    public func resampled(width newWidth: Int, height newHeight: Int) -> RGBImage {
        precondition(newWidth > 0 && newHeight > 0, "a picture needs a positive size")
        if newWidth == width && newHeight == height { return self }
        let horizontal = Self.contributions(source: width, destination: newWidth)
        let vertical = Self.contributions(source: height, destination: newHeight)
        let sourceWidth = width, stride = newWidth * 3
        // Pass 1 (rows, width → newWidth, in Float) is done a source row at a time, when pass 2
        // (columns, height → newHeight) first needs the row, into a ring that holds the most
        // rows one output row takes: the same sums in the same order as a whole intermediate
        // picture, without its megabyte. Rows are needed in increasing order, so a row pushed
        // out of the ring is never needed again. A ring row has one Float more than its pixels:
        // each pixel is stored as a 4-lane vector, whose last lane the next pixel overwrites.
        var ringRows = 1
        for y in 0..<newHeight { ringRows = max(ringRows, vertical.offset[y + 1] - vertical.offset[y]) }
        let ringStride = stride + 1
        var ring = [Float](repeating: 0, count: ringRows * ringStride)
        var rowInSlot = [Int](repeating: -1, count: ringRows)
        var line = [Float](repeating: 0, count: stride)
        // The source row being filtered, as Floats (exact: bytes are small integers), and one
        // more so that a 4-lane load at the last pixel stays inside: each tap then loads R, G,
        // B (and a lane the sum ignores) at once instead of converting three bytes.
        var floats = [Float](repeating: 0, count: sourceWidth * 3 + 1)
        // Every output pixel of pass 1 gets the same number of taps, the most any has: the
        // missing ones weigh 0 and read the pixel's first tap again. Adding 0 × a finite value
        // leaves a sum of non-negative terms as it was, bit for bit, and a fixed count lets the
        // taps be unrolled.
        let taps = horizontal.maximumCount
        var tapOffset = [Int](repeating: 0, count: newWidth * taps)
        var tapWeight = [Float](repeating: 0, count: newWidth * taps)
        for x in 0..<newWidth {
            for t in 0..<taps {
                let k = horizontal.offset[x] + t
                let present = k < horizontal.offset[x + 1]
                tapOffset[x * taps + t] = (horizontal.start[x] + (present ? t : 0)) * 3 * MemoryLayout<Float>.stride
                tapWeight[x * taps + t] = present ? horizontal.weights[k] : 0
            }
        }
        let result = [UInt8](unsafeUninitializedCapacity: newHeight * stride) { out, initialised in
            pixels.withUnsafeBufferPointer { src in
            tapOffset.withUnsafeBufferPointer { tapOffset in
            tapWeight.withUnsafeBufferPointer { tapWeight in
            vertical.start.withUnsafeBufferPointer { vStart in
            vertical.offset.withUnsafeBufferPointer { vOffset in
            vertical.weights.withUnsafeBufferPointer { vWeights in
            ring.withUnsafeMutableBufferPointer { ring in
            rowInSlot.withUnsafeMutableBufferPointer { rowInSlot in
            line.withUnsafeMutableBufferPointer { acc in
            floats.withUnsafeMutableBufferPointer { floats in
                var rows: [UnsafePointer<Float>] = []
                rows.reserveCapacity(ringRows)
                for y in 0..<newHeight {
                    rows.removeAll(keepingCapacity: true)
                    var sourceRow = vStart[y]
                    for _ in vOffset[y]..<vOffset[y + 1] {
                        let slot = sourceRow % ringRows
                        let row = ring.baseAddress! + slot * ringStride
                        if rowInSlot[slot] != sourceRow {
                            // Wrapping index arithmetic (&+, &*): the indices are in range by
                            // construction, and overflow checks keep the loops from being vectorised.
                            let inRow = src.baseAddress! + sourceRow &* sourceWidth &* 3
                            for i in 0..<(sourceWidth &* 3) { floats[i] = Float(inRow[i]) }
                            let floatRow = UnsafeRawPointer(floats.baseAddress!)
                            // A constant tap count for the usual cases, so the taps unroll.
                            switch taps {
                            case 1: Self.filterRow(floatRow, into: row, width: newWidth, taps: 1, tapOffset, tapWeight)
                            case 2: Self.filterRow(floatRow, into: row, width: newWidth, taps: 2, tapOffset, tapWeight)
                            case 3: Self.filterRow(floatRow, into: row, width: newWidth, taps: 3, tapOffset, tapWeight)
                            case 4: Self.filterRow(floatRow, into: row, width: newWidth, taps: 4, tapOffset, tapWeight)
                            default: Self.filterRow(floatRow, into: row, width: newWidth, taps: taps, tapOffset, tapWeight)
                            }
                            rowInSlot[slot] = sourceRow
                        }
                        rows.append(UnsafePointer(row))
                        sourceRow += 1
                    }
                    // Pass 2: each output byte's column sum (0, then each row's weighted value
                    // added in row order, as a running sum would) rounded straight to the byte.
                    let outRow = out.baseAddress! + y &* stride
                    let w = vWeights.baseAddress! + vOffset[y]
                    switch rows.count {
                    case 1:
                        let r0 = rows[0], w0 = w[0]
                        for i in 0..<stride { outRow[i] = Self.byte(0 + w0 * r0[i]) }
                    case 2:
                        let r0 = rows[0], r1 = rows[1], w0 = w[0], w1 = w[1]
                        for i in 0..<stride { outRow[i] = Self.byte(0 + w0 * r0[i] + w1 * r1[i]) }
                    case 3:
                        let r0 = rows[0], r1 = rows[1], r2 = rows[2], w0 = w[0], w1 = w[1], w2 = w[2]
                        for i in 0..<stride { outRow[i] = Self.byte(0 + w0 * r0[i] + w1 * r1[i] + w2 * r2[i]) }
                    case 4:
                        let r0 = rows[0], r1 = rows[1], r2 = rows[2], r3 = rows[3]
                        let w0 = w[0], w1 = w[1], w2 = w[2], w3 = w[3]
                        for i in 0..<stride { outRow[i] = Self.byte(0 + w0 * r0[i] + w1 * r1[i] + w2 * r2[i] + w3 * r3[i]) }
                    default:
                        for i in 0..<stride { acc[i] = 0 }
                        for (k, row) in rows.enumerated() {
                            let weight = w[k]
                            for i in 0..<stride { acc[i] += weight * row[i] }
                        }
                        for i in 0..<stride { outRow[i] = Self.byte(acc[i]) }
                    }
                }
            }}}}}}}}}}
            initialised = newHeight * stride
        }
        return RGBImage(width: newWidth, height: newHeight, pixels: result)!
    }

    /// Pass 1 of one source row (as Floats): each output pixel's R, G, B summed side by side in
    /// a 4-lane vector, its `taps` weighted source pixels added in order to 0 (lane 3 holds the
    /// next pixel's R and is dropped: the next pixel's store overwrites it, the last pixel's
    /// lands in the ring row's spare Float).
    @inline(__always)
    private static func filterRow(_ floatRow: UnsafeRawPointer, into row: UnsafeMutablePointer<Float>, width: Int, taps: Int,
                                  _ tapOffset: UnsafeBufferPointer<Int>, _ tapWeight: UnsafeBufferPointer<Float>) {
        let target = UnsafeMutableRawPointer(row)
        for x in 0..<width {
            var sum = SIMD4<Float>(repeating: 0)
            let first = x &* taps
            for t in 0..<taps {
                sum += tapWeight[first &+ t] * floatRow.loadUnaligned(fromByteOffset: tapOffset[first &+ t], as: SIMD4<Float>.self)
            }
            target.storeBytes(of: sum, toByteOffset: x &* 3 &* MemoryLayout<Float>.stride, as: SIMD4<Float>.self)
        }
    }

    /// `UInt8(max(0, min(255, value + 0.5)))` — the value rounded, clamped to a byte — without
    /// the checks of a Float → integer conversion, which keep the loop from being vectorised:
    /// adding 2²³ puts the integer part, rounded to nearest, in the low mantissa bits; one less
    /// when that rounded up gives the truncation the conversion did.
    @inline(__always)
    static func byte(_ value: Float) -> UInt8 {
        let clamped = max(0, min(255, value + 0.5))
        let shifted = clamped + 8_388_608
        return UInt8(truncatingIfNeeded: shifted.bitPattern) &- (shifted - 8_388_608 > clamped ? 1 : 0)
    }

    /// Which source pixels make each destination pixel, and how much: destination `i` takes
    /// source pixels `start[i]…` with `weights[offset[i]..<offset[i + 1]]`.
    private struct Contributions {
        var start: [Int] = []
        var offset: [Int] = [0]
        var weights: [Float] = []

        /// The most source pixels any destination pixel takes.
        var maximumCount: Int {
            var most = 1
            for i in 0..<(offset.count - 1) { most = max(most, offset[i + 1] - offset[i]) }
            return most
        }
    }

    private static func contributions(source: Int, destination: Int) -> Contributions {
        let scale = Double(source) / Double(destination)
        var c = Contributions()
        for i in 0..<destination {
            if scale > 1 {
                // Box: the source interval [i·scale, (i+1)·scale), weighted by overlap.
                let from = Double(i) * scale, to = min(Double(source), from + scale)
                let first = Int(from.rounded(.down)), last = min(source - 1, Int(to.rounded(.up)) - 1)
                c.start.append(first)
                for j in first...last {
                    let overlap = min(to, Double(j + 1)) - max(from, Double(j))
                    c.weights.append(Float(max(0, overlap) / (to - from)))
                }
            } else {
                // Bilinear between the two nearest source pixel centres.
                let centre = (Double(i) + 0.5) * scale - 0.5
                let left = Int(centre.rounded(.down))
                let f = Float(centre - Double(left))
                let a = min(max(left, 0), source - 1), b = min(max(left + 1, 0), source - 1)
                c.start.append(a)
                if a == b { c.weights.append(1) } else { c.weights += [1 - f, f] }
            }
            c.offset.append(c.weights.count)
        }
        return c
    }
}

/// Why a photo item cannot be printed.
public enum PhotoError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The data is not base64 (after dropping white space).
    case notBase64
    /// The decoded JPEG is larger than `PhotoDecoder.maximumBytes`.
    case tooManyBytes(Int)
    /// The data does not start like a JPEG (`FF D8 FF`); `start` shows its first bytes.
    case notJPEG(start: String)
    /// libjpeg refused the data: `reason` is its message.
    case malformed(reason: String)
    /// The JPEG decodes only with warnings — truncated or corrupt — so part of the picture
    /// would be grey; `reason` is libjpeg's first warning.
    case truncatedOrCorrupt(reason: String)
    /// Wider or taller than `PhotoDecoder.maximumSide`.
    case tooLarge(width: Int, height: Int)
    /// Out of memory while decoding.
    case outOfMemory

    public var chineseMessage: String {
        switch self {
        case .notBase64: return "不是有效的Base64数据"
        case .tooManyBytes(let n): return "JPEG数据\(n)字节，超过上限\(PhotoDecoder.maximumBytes)字节"
        case .notJPEG(let start): return "不是JPEG图像（开头为 \(start)）"
        case .malformed(let reason): return "JPEG数据无效（\(reason)）"
        case .truncatedOrCorrupt(let reason): return "JPEG数据不完整或已损坏（\(reason)）"
        case .tooLarge(let w, let h): return "图像\(w)×\(h)像素，超过上限\(PhotoDecoder.maximumSide)×\(PhotoDecoder.maximumSide)"
        case .outOfMemory: return "内存不足"
        }
    }

    public var englishMessage: String {
        switch self {
        case .notBase64: return "the data is not valid base64"
        case .tooManyBytes(let n): return "the JPEG has \(n) bytes, more than the limit of \(PhotoDecoder.maximumBytes)"
        case .notJPEG(let start): return "not a JPEG image (it starts with \(start))"
        case .malformed(let reason): return "the JPEG data is invalid (\(reason))"
        case .truncatedOrCorrupt(let reason): return "the JPEG data is truncated or corrupt (\(reason))"
        case .tooLarge(let w, let h): return "the image is \(w)×\(h) pixels, more than the limit of \(PhotoDecoder.maximumSide)×\(PhotoDecoder.maximumSide)"
        case .outOfMemory: return "out of memory"
        }
    }

    public var description: String { "\(chineseMessage) / \(englishMessage)" }
}

/// Decodes the holder's photo of an iPrint photo item: base64 → JPEG → RGB, with libjpeg.
/// The province's photos are 358 × 441 px, 14–40 KB (《广东省社会保障卡经办规程》附件6); anything
/// over 1 MB or 2000 px a side is refused before decoding. Greyscale JPEGs come out as grey RGB;
/// CMYK JPEGs are refused (libjpeg cannot convert them to RGB).
public enum PhotoDecoder {
    /// Largest JPEG accepted, in bytes.
    public static let maximumBytes = 1_048_576
    /// Largest width and height accepted, in pixels.
    public static let maximumSide = 2000

    /// Decodes base64 (white space ignored, nothing else) holding a JPEG.
    public static func decode(base64: String) throws(PhotoError) -> RGBImage {
        // 4 base64 characters per 3 bytes; refuse what is surely too large before decoding.
        guard base64.utf8.count <= (maximumBytes / 3 + 1) * 4 + 1024 else {
            throw .tooManyBytes(base64.utf8.count / 4 * 3)
        }
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A }
        // On the string's UTF-8 bytes in place: a 40 KB photo read through the String's UTF-8
        // view a byte at a time cost more than decoding its base64.
        var base64 = base64
        let decoded = base64.withUTF8 { text -> Data? in
            text.contains(where: isSpace) ? Data(base64Encoded: Data(text.filter { !isSpace($0) })) : Data(base64Encoded: Data(buffer: text))
        }
        guard let data = decoded else { throw .notBase64 }
        return try decode(jpeg: [UInt8](data))
    }

    /// Decodes JPEG bytes to RGB. (CJPEG_decodeRGBInto: jpeg_read_header, then — into the
    /// picture's own array, sized from the header — jpeg_start_decompress and
    /// jpeg_read_scanlines, with an error manager that turns libjpeg's fatal errors into codes.)
    public static func decode(jpeg: [UInt8]) throws(PhotoError) -> RGBImage {
        guard jpeg.count <= maximumBytes else { throw .tooManyBytes(jpeg.count) }
        guard jpeg.count >= 3, jpeg[0] == 0xFF, jpeg[1] == 0xD8, jpeg[2] == 0xFF else {
            throw .notJPEG(start: jpeg.isEmpty ? "(empty)" : jpeg.prefix(4).map { String(format: "%02X", $0) }.joined(separator: " "))
        }
        var width: UInt32 = 0, height: UInt32 = 0
        var message = [CChar](repeating: 0, count: 200)
        func refusal(_ code: Int32) -> PhotoError {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            switch Int(code) {
            case Int(CJPEG_CORRUPT): return .truncatedOrCorrupt(reason: reason)
            case Int(CJPEG_TOO_LARGE): return .tooLarge(width: Int(width), height: Int(height))
            case Int(CJPEG_NO_MEMORY): return .outOfMemory
            default: return .malformed(reason: reason)
            }
        }
        let header = jpeg.withUnsafeBufferPointer { data in
            CJPEG_decodeRGBInto(data.baseAddress, UInt(data.count), UInt32(maximumSide), UInt32(maximumSide),
                                nil, 0, &width, &height, &message, message.count)
        }
        guard header == Int32(CJPEG_NEEDS_ROOM) else { throw refusal(header) }
        // The header is range-checked (≤ maximumSide a side) before this size is used.
        guard width > 0, height > 0 else { throw .malformed(reason: "no picture") }
        let count = Int(width) * Int(height) * 3
        var code = Int32(CJPEG_ERROR)
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialised in
            code = jpeg.withUnsafeBufferPointer { data in
                CJPEG_decodeRGBInto(data.baseAddress, UInt(data.count), UInt32(maximumSide), UInt32(maximumSide),
                                    buffer.baseAddress, count, &width, &height, &message, message.count)
            }
            initialised = code == Int32(CJPEG_OK) ? count : 0
        }
        guard code == Int32(CJPEG_OK) else { throw refusal(code) }
        return RGBImage(width: Int(width), height: Int(height), pixels: pixels)!
    }

    /// Encodes `image` as a baseline JPEG of `quality` (1–100): for test photos and the
    /// benchmark. (CJPEG_encodeRGB.)
    public static func encodeJPEG(_ image: RGBImage, quality: Int = 90) throws(PhotoError) -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        var message = [CChar](repeating: 0, count: 200)
        let code = image.pixels.withUnsafeBufferPointer { pixels in
            CJPEG_encodeRGB(pixels.baseAddress, UInt32(image.width), UInt32(image.height), Int32(max(1, min(100, quality))),
                            &out, &size, &message, message.count)
        }
        defer { CJPEG_free(out) }
        guard code == Int32(CJPEG_OK), let out else {
            throw .malformed(reason: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return Array(UnsafeBufferPointer(start: out, count: Int(size)))
    }
}
