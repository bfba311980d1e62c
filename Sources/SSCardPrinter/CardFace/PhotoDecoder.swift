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
        // Pass 1: rows, width → newWidth, kept in Float.
        var rows = [Float](repeating: 0, count: height * newWidth * 3)
        pixels.withUnsafeBufferPointer { src in
            rows.withUnsafeMutableBufferPointer { out in
                horizontal.weights.withUnsafeBufferPointer { weights in
                    for y in 0..<height {
                        let inRow = y * width * 3, outRow = y * newWidth * 3
                        for x in 0..<newWidth {
                            var r: Float = 0, g: Float = 0, b: Float = 0
                            var i = inRow + horizontal.start[x] * 3
                            for k in horizontal.offset[x]..<horizontal.offset[x + 1] {
                                let w = weights[k]
                                r += w * Float(src[i]); g += w * Float(src[i + 1]); b += w * Float(src[i + 2])
                                i += 3
                            }
                            out[outRow + x * 3] = r; out[outRow + x * 3 + 1] = g; out[outRow + x * 3 + 2] = b
                        }
                    }
                }
            }
        }
        // Pass 2: columns, height → newHeight, accumulated a source row at a time.
        var result = [UInt8](repeating: 0, count: newWidth * newHeight * 3)
        let stride = newWidth * 3
        var line = [Float](repeating: 0, count: stride)
        rows.withUnsafeBufferPointer { src in
            result.withUnsafeMutableBufferPointer { out in
                line.withUnsafeMutableBufferPointer { acc in
                    for y in 0..<newHeight {
                        for i in 0..<stride { acc[i] = 0 }
                        var row = vertical.start[y] * stride
                        for k in vertical.offset[y]..<vertical.offset[y + 1] {
                            let w = vertical.weights[k]
                            for i in 0..<stride { acc[i] += w * src[row + i] }
                            row += stride
                        }
                        for i in 0..<stride { out[y * stride + i] = UInt8(max(0, min(255, acc[i] + 0.5))) }
                    }
                }
            }
        }
        return RGBImage(width: newWidth, height: newHeight, pixels: result)!
    }

    /// Which source pixels make each destination pixel, and how much: destination `i` takes
    /// source pixels `start[i]…` with `weights[offset[i]..<offset[i + 1]]`.
    private struct Contributions {
        var start: [Int] = []
        var offset: [Int] = [0]
        var weights: [Float] = []
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
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        let text = base64.utf8.contains(where: isSpace) ? Data(base64.utf8.filter { !isSpace($0) }) : Data(base64.utf8)
        guard let data = Data(base64Encoded: text) else { throw .notBase64 }
        return try decode(jpeg: [UInt8](data))
    }

    /// Decodes JPEG bytes to RGB. (CJPEG_decodeRGB: jpeg_read_header, jpeg_start_decompress,
    /// jpeg_read_scanlines with an error manager that turns libjpeg's fatal errors into codes.)
    public static func decode(jpeg: [UInt8]) throws(PhotoError) -> RGBImage {
        guard jpeg.count <= maximumBytes else { throw .tooManyBytes(jpeg.count) }
        guard jpeg.count >= 3, jpeg[0] == 0xFF, jpeg[1] == 0xD8, jpeg[2] == 0xFF else {
            throw .notJPEG(start: jpeg.isEmpty ? "(empty)" : jpeg.prefix(4).map { String(format: "%02X", $0) }.joined(separator: " "))
        }
        var rgb: UnsafeMutablePointer<UInt8>?
        var width: UInt32 = 0, height: UInt32 = 0
        var message = [CChar](repeating: 0, count: 200)
        let code = jpeg.withUnsafeBufferPointer { data in
            CJPEG_decodeRGB(data.baseAddress, UInt(data.count), UInt32(maximumSide), UInt32(maximumSide),
                            &rgb, &width, &height, &message, message.count)
        }
        defer { CJPEG_free(rgb) }
        let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch Int(code) {
        case Int(CJPEG_OK): break
        case Int(CJPEG_CORRUPT): throw .truncatedOrCorrupt(reason: reason)
        case Int(CJPEG_TOO_LARGE): throw .tooLarge(width: Int(width), height: Int(height))
        case Int(CJPEG_NO_MEMORY): throw .outOfMemory
        default: throw .malformed(reason: reason)
        }
        guard let rgb, width > 0, height > 0 else { throw .malformed(reason: "no picture") }
        let count = Int(width) * Int(height) * 3
        return RGBImage(width: Int(width), height: Int(height), pixels: Array(UnsafeBufferPointer(start: rgb, count: count)))!
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
