import Foundation
import SSCardDriver
import SSCardPrinter

/// The card face the render and iPrint benchmarks use: the province reference layout, a name
/// with Ext A/B characters and a 358 × 441 JPEG photo (made here, gradients so it compresses
/// like a photo).
enum BenchmarkFace {
    static func holder() throws -> CardFaceHolder {
        var pixels = [UInt8](repeating: 0, count: 358 * 441 * 3)
        for y in 0..<441 {
            for x in 0..<358 {
                let i = (y * 358 + x) * 3
                pixels[i] = UInt8((x * 255) / 357); pixels[i + 1] = UInt8((y * 255) / 440); pixels[i + 2] = UInt8(((x + y) * 7) & 0xFF)
            }
        }
        let jpeg = try PhotoDecoder.encodeJPEG(RGBImage(width: 358, height: 441, pixels: pixels)!, quality: 85)
        return CardFaceHolder(name: "张䄲𠀀", socialSecurityNumber: "110101199003071234", cardNumber: "X00000019",
                              issueDate: "20240501", photoJPEG: Data(jpeg))
    }

    /// The eight iPrint items of that face.
    static func items() throws -> [String] {
        try ProvinceLayout.reference.printItems(for: holder())
    }
}
