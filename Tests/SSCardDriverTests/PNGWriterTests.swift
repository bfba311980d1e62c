import CPNG
import Foundation
import XCTest
@testable import SSCardDriver
@testable import SSCardPrinter

/// PNG previews: written with libpng's simplified API, read back with it.
final class PNGWriterTests: XCTestCase {
    func testRoundTripThroughLibpng() throws {
        let picture = CardFaceFixtures.quadrantPicture(width: 40, height: 30)
        let png = try PNGWriter.data(picture)
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(try read(png), picture)

        let path = NSTemporaryDirectory() + "pngwriter-\(getpid()).png"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PNGWriter.write(picture, to: path)
        XCTAssertEqual(try read([UInt8](Data(contentsOf: URL(fileURLWithPath: path)))), picture)
    }

    /// The fast encoding (the preview on every card's path) is still lossless: the same pixels
    /// come back, only the deflate effort differs.
    func testFastEncodingReadsBackTheSamePixels() throws {
        let picture = CardFaceFixtures.quadrantPicture(width: 40, height: 30)
        let fast = try PNGWriter.data(picture, effort: .fast)
        XCTAssertEqual(try read(fast), picture)
        XCTAssertNotEqual(fast, try PNGWriter.data(picture), "the fast encoding is a different file")

        let path = NSTemporaryDirectory() + "pngwriter-fast-\(getpid()).png"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try PNGWriter.write(picture, to: path, effort: .fast)
        XCTAssertEqual(try read([UInt8](Data(contentsOf: URL(fileURLWithPath: path)))), picture)
    }

    func testPanelPictureIsBlackWhereTheBitIsSet() {
        var panel = MonochromeBitmap(width: 10, height: 2)
        panel.set(x: 3, y: 1)
        let picture = PNGWriter.picture(of: panel)
        XCTAssertEqual(picture[3, 1].r, 0)
        XCTAssertEqual(picture[4, 1].r, 255)
    }

    func testUnwritablePathFails() {
        XCTAssertThrowsError(try PNGWriter.write(RGBImage(width: 2, height: 2), to: "/nonexistent-dir/x.png")) {
            XCTAssertFalse(($0 as? PNGWriteError)?.message.isEmpty ?? true)
        }
    }

    private func read(_ png: [UInt8]) throws -> RGBImage {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        let begun = png.withUnsafeBytes { png_image_begin_read_from_memory(&image, $0.baseAddress, $0.count) }
        XCTAssertNotEqual(begun, 0)
        image.format = UInt32(PNG_FORMAT_RGB)
        var pixels = [UInt8](repeating: 0, count: Int(image.width * image.height * 3))
        let read = png_image_finish_read(&image, nil, &pixels, 0, nil)
        XCTAssertNotEqual(read, 0)
        return try XCTUnwrap(RGBImage(width: Int(image.width), height: Int(image.height), pixels: pixels))
    }
}
