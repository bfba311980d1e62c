import SSCardDriver
import CPNG

/// Why a PNG could not be written: libpng's message.
public struct PNGWriteError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "PNG 写入失败 / cannot write the PNG: \(message)" }
}

/// Writes previews of card faces as PNG with libpng's simplified API (no setjmp needed).
public enum PNGWriter {
    /// How hard libpng works at making the file small. Either way the PNG is lossless: it
    /// decodes to the same pixels.
    public enum Effort: Sendable {
        /// libpng's default: every row tried with each of the five filters, zlib level 6. The
        /// smallest file (a 1016 × 648 card face: about 24 KB), and the slowest.
        case smallest
        /// `PNG_IMAGE_FLAG_FAST`: no filter, zlib level 3. A card face in about a fifth of the
        /// time at about 1.5× the size (37 KB): for the preview written on every card's path
        /// (docs/performance.md §2, fourth round).
        case fast
    }

    /// `image` as PNG bytes (8-bit RGB). (png_image_write_to_memory.) The buffer is sized for
    /// the worst case up front, so the image is compressed once; libpng's own size query would
    /// compress it a second time.
    public static func data(_ image: RGBImage, effort: Effort = .smallest) throws(PNGWriteError) -> [UInt8] {
        var png = makeImage(image, effort: effort)
        // Rows with their filter byte, plus deflate's and the chunks' overhead, with room to spare.
        let raw = image.height * (image.width * 3 + 1)
        var size = png_alloc_size_t(raw + raw / 16 + 4096)
        var out = [UInt8](repeating: 0, count: Int(size))
        var written = write(&png, image, into: &out, size: &size)
        if written == 0, Int(size) > out.count {
            // libpng said how much it needs: grow once and write again.
            png = makeImage(image, effort: effort)
            out = [UInt8](repeating: 0, count: Int(size))
            written = write(&png, image, into: &out, size: &size)
        }
        guard written != 0 else { throw error(of: &png) }
        out.removeSubrange(Int(size)...)
        return out
    }

    private static func write(_ png: inout png_image, _ image: RGBImage, into out: inout [UInt8],
                              size: inout png_alloc_size_t) -> Int32 {
        out.withUnsafeMutableBytes { memory in
            image.pixels.withUnsafeBufferPointer { pixels in
                png_image_write_to_memory(&png, memory.baseAddress, &size, 0, pixels.baseAddress, 0, nil)
            }
        }
    }

    /// Writes `image` to the file at `path` (replaced), mode 0600: a face shows a name, a
    /// 社会保障号码 and a photo. Not png_image_write_to_file, which opens `path` with fopen and
    /// follows a symbolic link planted there; `PrivateFile.write` writes a new file and renames it.
    public static func write(_ image: RGBImage, to path: String, effort: Effort = .smallest) throws(PNGWriteError) {
        let bytes = try data(image, effort: effort)
        do {
            try PrivateFile.write(bytes, to: path)
        } catch {
            throw PNGWriteError(message: error.description)
        }
    }

    /// A 1-bit panel as a black-on-white RGB picture (1 = black), for looking at K or O.
    public static func picture(of panel: MonochromeBitmap) -> RGBImage {
        var pixels = [UInt8](repeating: 255, count: panel.width * panel.height * 3)
        for y in 0..<panel.height {
            for x in 0..<panel.width where panel[x, y] {
                let i = (y * panel.width + x) * 3
                pixels[i] = 0; pixels[i + 1] = 0; pixels[i + 2] = 0
            }
        }
        return RGBImage(width: panel.width, height: panel.height, pixels: pixels)!
    }

    private static func makeImage(_ image: RGBImage, effort: Effort) -> png_image {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
        if case .fast = effort { png.flags = UInt32(PNG_IMAGE_FLAG_FAST) }
        png.width = UInt32(image.width)
        png.height = UInt32(image.height)
        png.format = UInt32(PNG_FORMAT_RGB)
        return png
    }

    private static func error(of png: inout png_image) -> PNGWriteError {
        let message = withUnsafeBytes(of: png.message) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        png_image_free(&png)
        return PNGWriteError(message: message.isEmpty ? "unknown libpng error" : message)
    }
}
