import Foundation
import XCTest
@testable import SSCardDriver
@testable import SSCardPrinter

/// Photos: base64 → JPEG → RGB with libjpeg, refusals, and area-average resampling.
final class PhotoDecoderTests: XCTestCase {
    func testDecodesTheTestPhotoWithItsColours() throws {
        XCTAssertLessThan(CardFaceFixtures.photoJPEG.count, 20_000)
        let photo = try PhotoDecoder.decode(base64: CardFaceFixtures.photoBase64)
        XCTAssertEqual(photo.width, 358)
        XCTAssertEqual(photo.height, 441)
        for (i, (x, y)) in [(90, 110), (270, 110), (90, 330), (270, 330)].enumerated() {
            assertColour(photo[x, y], CardFaceFixtures.quadrantColours[i], tolerance: 6)
        }
    }

    func testDecodesStraightIntoAPictureOfTheHeadersSize() throws {
        // The header is read first and the picture's array made to its size: odd widths and
        // heights (no row padding), a single pixel, a flat colour kept.
        for (w, h) in [(1, 1), (17, 5), (5, 17), (358, 441), (233, 1)] {
            let jpeg = try PhotoDecoder.encodeJPEG(RGBImage(width: w, height: h, fill: (12, 200, 99)), quality: 95)
            let photo = try PhotoDecoder.decode(jpeg: jpeg)
            XCTAssertEqual(photo.width, w)
            XCTAssertEqual(photo.height, h)
            XCTAssertEqual(photo.pixels.count, w * h * 3)
            assertColour(photo[w - 1, h - 1], (12, 200, 99), tolerance: 3)
        }
    }

    func testBase64MayBeWrappedInLines() throws {
        let wrapped = Data(CardFaceFixtures.photoJPEG).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        XCTAssertTrue(wrapped.contains("\r\n"))
        XCTAssertEqual(try PhotoDecoder.decode(base64: wrapped), try PhotoDecoder.decode(base64: CardFaceFixtures.photoBase64))
    }

    func testRefusals() {
        let jpeg = CardFaceFixtures.photoJPEG
        func refusal(_ body: () throws -> RGBImage) -> PhotoError? {
            do { _ = try body() } catch { return error as? PhotoError }
            return nil
        }
        XCTAssertEqual(refusal { try PhotoDecoder.decode(base64: "not base64 !!") }, .notBase64)
        XCTAssertEqual(refusal { try PhotoDecoder.decode(base64: "") }, .notJPEG(start: "(empty)"))
        let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        XCTAssertEqual(refusal { try PhotoDecoder.decode(jpeg: png) }, .notJPEG(start: "89 50 4E 47"))
        // Cut in the entropy-coded data: libjpeg would pad with grey, the decoder refuses.
        guard case .truncatedOrCorrupt(let reason) = refusal({ try PhotoDecoder.decode(jpeg: Array(jpeg.prefix(jpeg.count / 2))) }) else {
            return XCTFail("a truncated JPEG must be refused")
        }
        XCTAssertTrue(reason.contains("Premature end"), reason)
        // Cut inside the header.
        XCTAssertNotNil(refusal { try PhotoDecoder.decode(jpeg: Array(jpeg.prefix(40))) })
        // A JPEG signature followed by garbage.
        guard case .malformed = refusal({ try PhotoDecoder.decode(jpeg: [0xFF, 0xD8, 0xFF] + Array(repeating: 0x41, count: 500)) }) else {
            return XCTFail("garbage after the signature must be refused")
        }
        // Oversized, from the header alone.
        let wide = try! PhotoDecoder.encodeJPEG(RGBImage(width: 2001, height: 8), quality: 50)
        XCTAssertEqual(refusal { try PhotoDecoder.decode(jpeg: wide) }, .tooLarge(width: 2001, height: 8))
        XCTAssertEqual(refusal { try PhotoDecoder.decode(jpeg: [0xFF, 0xD8, 0xFF] + Array(repeating: 0, count: PhotoDecoder.maximumBytes)) },
                       .tooManyBytes(PhotoDecoder.maximumBytes + 3))
        XCTAssertNotNil(refusal { try PhotoDecoder.decode(base64: String(repeating: "A", count: 2_000_000)) })
        for error in [PhotoError.notBase64, .tooLarge(width: 1, height: 2), .truncatedOrCorrupt(reason: "x")] {
            XCTAssertFalse(error.chineseMessage.isEmpty)
            XCTAssertFalse(error.englishMessage.isEmpty)
        }
    }

    func testShrinkingAveragesTheAreaEachPixelCovers() {
        // A one-pixel checkerboard halved: nearest-neighbour would give black or white, the box
        // filter gives the mean grey everywhere.
        var pixels: [UInt8] = []
        for y in 0..<100 { for x in 0..<100 { let v: UInt8 = (x + y) % 2 == 0 ? 0 : 255; pixels += [v, v, v] } }
        let board = RGBImage(width: 100, height: 100, pixels: pixels)!
        let half = board.resampled(width: 50, height: 50)
        XCTAssertTrue(half.pixels.allSatisfy { (127...128).contains($0) })
        // A non-integer ratio (358 → 234) keeps a flat colour flat.
        let flat = RGBImage(width: 358, height: 441, fill: (12, 200, 99)).resampled(width: 234, height: 288)
        XCTAssertEqual(flat, RGBImage(width: 234, height: 288, fill: (12, 200, 99)))
        // The quadrants keep their colours and their boundary.
        let photo = CardFaceFixtures.quadrantPicture().resampled(width: 234, height: 288)
        assertColour(photo[58, 72], CardFaceFixtures.quadrantColours[0], tolerance: 0)
        assertColour(photo[175, 216], CardFaceFixtures.quadrantColours[3], tolerance: 0)
    }

    func testEnlargingInterpolates() {
        let two = RGBImage(width: 2, height: 1, pixels: [0, 0, 0, 200, 200, 200])!
        let four = two.resampled(width: 4, height: 1)
        XCTAssertEqual(four.pixels.enumerated().filter { $0.offset % 3 == 0 }.map(\.element), [0, 50, 150, 200])
    }

    func testResamplingGivesTheBytesOfTheTwoPassDefinition() {
        // The resampler keeps only the source rows one output row needs; the result must be
        // byte for byte that of the whole-picture two-pass filter (the golden faces rely on it).
        var state: UInt64 = 5
        var pixels = [UInt8](repeating: 0, count: 358 * 441 * 3)
        for i in pixels.indices {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            pixels[i] = UInt8(truncatingIfNeeded: state >> 40)
        }
        let photo = RGBImage(width: 358, height: 441, pixels: pixels)!
        for (w, h) in [(234, 288), (100, 441), (358, 100), (1, 1), (700, 900), (500, 300), (358, 442), (120, 140)] {   // 120 × 140: 4 taps a pixel in a row, 4 or 5 rows a column
            XCTAssertEqual(photo.resampled(width: w, height: h), referenceResample(photo, width: w, height: h), "\(w) × \(h)")
        }
    }

    /// Box filter when shrinking, bilinear when enlarging, rows then columns, in Float, over
    /// the whole picture: the definition `RGBImage.resampled` follows.
    private func referenceResample(_ image: RGBImage, width newWidth: Int, height newHeight: Int) -> RGBImage {
        func contributions(source: Int, destination: Int) -> [(start: Int, weights: [Float])] {
            let scale = Double(source) / Double(destination)
            return (0..<destination).map { i in
                if scale > 1 {
                    let from = Double(i) * scale, to = min(Double(source), from + scale)
                    let first = Int(from.rounded(.down)), last = min(source - 1, Int(to.rounded(.up)) - 1)
                    return (first, (first...last).map { j in Float(max(0, min(to, Double(j + 1)) - max(from, Double(j))) / (to - from)) })
                }
                let centre = (Double(i) + 0.5) * scale - 0.5
                let left = Int(centre.rounded(.down))
                let f = Float(centre - Double(left))
                let a = min(max(left, 0), source - 1), b = min(max(left + 1, 0), source - 1)
                return (a, a == b ? [1] : [1 - f, f])
            }
        }
        let horizontal = contributions(source: image.width, destination: newWidth)
        let vertical = contributions(source: image.height, destination: newHeight)
        var rows = [Float](repeating: 0, count: image.height * newWidth * 3)
        for y in 0..<image.height {
            for x in 0..<newWidth {
                var r: Float = 0, g: Float = 0, b: Float = 0
                for (k, w) in horizontal[x].weights.enumerated() {
                    let i = (y * image.width + horizontal[x].start + k) * 3
                    r += w * Float(image.pixels[i]); g += w * Float(image.pixels[i + 1]); b += w * Float(image.pixels[i + 2])
                }
                rows[(y * newWidth + x) * 3] = r; rows[(y * newWidth + x) * 3 + 1] = g; rows[(y * newWidth + x) * 3 + 2] = b
            }
        }
        let stride = newWidth * 3
        var out = [UInt8](repeating: 0, count: newHeight * stride)
        for y in 0..<newHeight {
            var acc = [Float](repeating: 0, count: stride)
            for (k, w) in vertical[y].weights.enumerated() {
                let row = (vertical[y].start + k) * stride
                for i in 0..<stride { acc[i] += w * rows[row + i] }
            }
            for i in 0..<stride { out[y * stride + i] = UInt8(max(0, min(255, acc[i] + 0.5))) }
        }
        return RGBImage(width: newWidth, height: newHeight, pixels: out)!
    }

    func testByteRoundingIsTheCheckedConversion() {
        var values: [Float] = [-1e9, -1, -0.5, -0.49, 0, 0.49, 0.5, 0.51, 1.5, 2.5, 127.5, 254.49, 254.5, 254.51, 255, 255.4,
                               255.5, 256, 1e9, .infinity, -.infinity, .nan, .ulpOfOne, Float(0.5).nextDown, Float(0.5).nextUp, Float(254.5).nextDown]
        for i in -2_000...300_000 { values.append(Float(i) / 1000) }
        for i in 0..<256 { values += [Float(i) - 0.5, (Float(i) - 0.5).nextUp, (Float(i) - 0.5).nextDown] }
        for v in values {
            XCTAssertEqual(RGBImage.byte(v), UInt8(max(0, min(255, v + 0.5))), "\(v)")
        }
    }

    func assertColour(_ p: (r: UInt8, g: UInt8, b: UInt8), _ c: (UInt8, UInt8, UInt8), tolerance: Int, file: StaticString = #filePath, line: UInt = #line) {
        for (a, b) in [(p.r, c.0), (p.g, c.1), (p.b, c.2)] {
            XCTAssertLessThanOrEqual(abs(Int(a) - Int(b)), tolerance, "\(p) vs \(c)", file: file, line: line)
        }
    }
}
