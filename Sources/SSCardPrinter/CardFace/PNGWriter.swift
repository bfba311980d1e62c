import SSCardDriver
import CPNG

/// Why a PNG could not be written: libpng's message.
public struct PNGWriteError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public var description: String { "PNG 写入失败 / cannot write the PNG: \(message)" }
}

/// Writes previews of card faces as PNG with libpng's simplified API (no setjmp needed).
public enum PNGWriter {
    /// `image` as PNG bytes (8-bit RGB). (png_image_write_to_memory.)
    public static func data(_ image: RGBImage) throws(PNGWriteError) -> [UInt8] {
        var png = makeImage(image)
        var size: png_alloc_size_t = 0
        let sized = image.pixels.withUnsafeBufferPointer { pixels in
            png_image_write_to_memory(&png, nil, &size, 0, pixels.baseAddress, 0, nil)
        }
        guard sized != 0, size > 0 else { throw error(of: &png) }
        var out = [UInt8](repeating: 0, count: Int(size))
        let written = out.withUnsafeMutableBytes { memory in
            image.pixels.withUnsafeBufferPointer { pixels in
                png_image_write_to_memory(&png, memory.baseAddress, &size, 0, pixels.baseAddress, 0, nil)
            }
        }
        guard written != 0 else { throw error(of: &png) }
        return Array(out.prefix(Int(size)))
    }

    /// Writes `image` to the file at `path` (replaced), mode 0600: a face shows a name, a
    /// 社会保障号码 and a photo. Not png_image_write_to_file, which opens `path` with fopen and
    /// follows a symbolic link planted there; `PrivateFile.write` writes a new file and renames it.
    public static func write(_ image: RGBImage, to path: String) throws(PNGWriteError) {
        let bytes = try data(image)
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

    private static func makeImage(_ image: RGBImage) -> png_image {
        var png = png_image()
        png.version = UInt32(PNG_IMAGE_VERSION)
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
