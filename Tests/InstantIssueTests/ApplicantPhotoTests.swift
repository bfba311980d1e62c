import Foundation
import SSCardDriver
import SSCardPrinter
import XCTest
@testable import InstantIssue
@testable import ProvinceSimulator

/// Photo rules (《广东省社会保障卡经办规程》附件6): JPEG markers, decoding through the driver,
/// 358 × 441, 24-bit colour, file size, black and white.
final class ApplicantPhotoTests: XCTestCase {
    func problems(_ jpeg: Data, rules: PhotoRules = PhotoRules()) -> [ApplicantPhoto.Problem] {
        do { _ = try ApplicantPhoto(jpeg: jpeg, rules: rules) } catch { return error.problems }
        return []
    }

    func testAProvincePhotoIsAccepted() throws {
        let jpeg = ApplicationFixtures.photoJPEG
        XCTAssertTrue((14_000...40_000).contains(jpeg.count), "the fixture is the size 附件6 expects: \(jpeg.count)")
        let photo = try ApplicantPhoto(jpeg: jpeg)
        XCTAssertEqual(photo.width, 358)
        XCTAssertEqual(photo.height, 441)
        XCTAssertEqual(photo.jpeg, jpeg)
        XCTAssertEqual(ApplicantPhoto.frame(of: [UInt8](jpeg))?.precision, 8)
        XCTAssertEqual(ApplicantPhoto.frame(of: [UInt8](jpeg))?.components, 3)
        // Zero padding after EOI, as some cameras write, is fine.
        XCTAssertNoThrow(try ApplicantPhoto(jpeg: jpeg + Data(count: 16)))
    }

    func testTheSimulatorsSamplePhotoPassesTheDefaults() throws {
        // The demo's applications carry this photo; the default rules must take it.
        XCTAssertNoThrow(try ApplicantPhoto(jpeg: SimulatedApplications.samplePhotoJPEG),
                         "\(SimulatedApplications.samplePhotoJPEG.count) bytes")
    }

    func testPNGIsNotAJPEG() throws {
        let png = Data(try PNGWriter.data(RGBImage(width: 358, height: 441, fill: (200, 30, 40))))
        let refused = problems(png)
        XCTAssertTrue(refused.contains(.notJPEG(start: "89 50 4E 47")), "\(refused)")
        XCTAssertTrue(refused[refused.count - 1].chinese.hasPrefix("相片不是JPEG文件"))
        XCTAssertEqual(problems(Data()), [.fileSize(bytes: 0, minimum: 4096, maximum: 61_440), .notJPEG(start: "")])
    }

    func testTruncatedJPEGIsRefused() {
        let jpeg = ApplicationFixtures.photoJPEG
        let half = jpeg.prefix(jpeg.count / 2)
        let refused = problems(Data(half))
        XCTAssertTrue(refused.contains(.noEndMarker), "\(refused)")
        XCTAssertTrue(refused.contains { if case .undecodable(.truncatedOrCorrupt) = $0 { true } else { false } }, "\(refused)")
    }

    func testWrongDimensionsAreRefused() {
        let small = ApplicationFixtures.jpeg(width: 300, height: 400)
        XCTAssertEqual(problems(small), [.dimensions(width: 300, height: 400, expectedWidth: 358, expectedHeight: 441)])
        // Rotated (441 × 358) is wrong too.
        XCTAssertEqual(problems(ApplicationFixtures.jpeg(width: 441, height: 358)),
                       [.dimensions(width: 441, height: 358, expectedWidth: 358, expectedHeight: 441)])
        XCTAssertTrue(ApplicantPhoto.Problem.dimensions(width: 300, height: 400, expectedWidth: 358, expectedHeight: 441)
            .chinese.contains("300×400"))
    }

    func testFileSizeLimits() {
        let jpeg = ApplicationFixtures.photoJPEG
        XCTAssertEqual(problems(jpeg, rules: PhotoRules(minimumBytes: 50_000, maximumBytes: 60_000)),
                       [.fileSize(bytes: jpeg.count, minimum: 50_000, maximum: 60_000)])
        XCTAssertEqual(problems(jpeg, rules: PhotoRules(minimumBytes: 1_000, maximumBytes: 10_000)),
                       [.fileSize(bytes: jpeg.count, minimum: 1_000, maximum: 10_000)])
        // A camera file far above the limit: quality 100 with grain is > 60 KB.
        let huge = ApplicationFixtures.jpeg(width: 358, height: 441, quality: 100)
        XCTAssertGreaterThan(huge.count, 61_440)
        XCTAssertEqual(problems(huge), [.fileSize(bytes: huge.count, minimum: 4096, maximum: 61_440)])
    }

    func testBlackAndWhiteIsRefused() {
        let grey = ApplicationFixtures.jpeg(width: 358, height: 441, grey: true)
        XCTAssertEqual(problems(grey), [.blackAndWhite])
        XCTAssertEqual(problems(grey, rules: PhotoRules(refuseBlackAndWhite: false)), [])
    }

    func testGreyscaleFrameIsNotTrueColour() {
        // A one-component frame header: FF D8, SOF0 with precision 8, 441 × 358, 1 component.
        let header: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x01, 0xB9, 0x01, 0x66, 0x01, 0x01, 0x11, 0x00]
        XCTAssertEqual(ApplicantPhoto.frame(of: header)?.components, 1)
        XCTAssertTrue(problems(Data(header)).contains(.notTrueColour(bitsPerSample: 8, components: 1)))
    }
}
