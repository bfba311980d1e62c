import Foundation
import XCTest
@testable import SSCardDriver
@testable import SSCardPrinter

/// Shared pieces of the card-face tests: a test photo made with libjpeg, holders, the renderer.
enum CardFaceFixtures {
    /// The quadrant colours of the test photo: top-left red, top-right green, bottom-left
    /// blue, bottom-right yellow.
    static let quadrantColours: [(UInt8, UInt8, UInt8)] = [(210, 30, 40), (30, 150, 60), (40, 60, 200), (240, 200, 30)]

    /// A 358 × 441 photo (the province's size) of four coloured quadrants.
    static func quadrantPicture(width: Int = 358, height: Int = 441) -> RGBImage {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let c = quadrantColours[(y < height / 2 ? 0 : 2) + (x < width / 2 ? 0 : 1)]
                let i = (y * width + x) * 3
                pixels[i] = c.0; pixels[i + 1] = c.1; pixels[i + 2] = c.2
            }
        }
        return RGBImage(width: width, height: height, pixels: pixels)!
    }

    static let photoJPEG: [UInt8] = try! PhotoDecoder.encodeJPEG(quadrantPicture(), quality: 90)
    static let photoBase64 = Data(photoJPEG).base64EncodedString()

    static let renderer = CardFaceRenderer(chain: try! FontChain.shared())

    static func holder(name: String = "张三", ssn: String = "110101199003071234", photo: Bool = true) -> CardFaceHolder {
        CardFaceHolder(name: name, socialSecurityNumber: ssn, cardNumber: "X00000019", issueDate: "20240501",
                       photoJPEG: photo ? Data(photoJPEG) : nil)
    }

    /// The face of `holder` as the station prints it: the typed job of the reference layout.
    static func render(_ holder: CardFaceHolder) throws -> RenderedFace {
        try renderer.render(ProvinceLayout.reference.job(for: holder))
    }

    /// The face of `holder` as a C caller prints it: the eight iPrint items, parsed.
    static func renderItems(_ holder: CardFaceHolder) throws -> RenderedFace {
        try renderer.render(PrintItems(ProvinceLayout.reference.printItems(for: holder)))
    }

    static func isWhite(_ face: RenderedFace, _ x: Int, _ y: Int) -> Bool {
        let p = face.rgb[x, y]
        return p.r == 255 && p.g == 255 && p.b == 255
    }
}
