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

    func assertColour(_ p: (r: UInt8, g: UInt8, b: UInt8), _ c: (UInt8, UInt8, UInt8), tolerance: Int, file: StaticString = #filePath, line: UInt = #line) {
        for (a, b) in [(p.r, c.0), (p.g, c.1), (p.b, c.2)] {
            XCTAssertLessThanOrEqual(abs(Int(a) - Int(b)), tolerance, "\(p) vs \(c)", file: file, line: line)
        }
    }
}
