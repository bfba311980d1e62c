import Foundation
import SSCardDriver

/// Median time to render one card face on the province reference layout: four text items
/// (a name with Ext A/B characters) and a 358 × 441 JPEG photo, from the iPrint items to the
/// RGB preview and the K and O panels. The font chain is opened before timing (once per
/// process in the driver); the photo is decoded and resampled on every run, as in iPrint.
///
///   swift run -c release sscard-bench render [--count N]   (N ≥ 200)
struct RenderBenchmark {
    let count: Int

    func run() throws {
        let runs = max(count, 200)
        var pixels = [UInt8](repeating: 0, count: 358 * 441 * 3)
        for y in 0..<441 {
            for x in 0..<358 {
                let i = (y * 358 + x) * 3
                pixels[i] = UInt8((x * 255) / 357); pixels[i + 1] = UInt8((y * 255) / 440); pixels[i + 2] = UInt8(((x + y) * 7) & 0xFF)
            }
        }
        let jpeg = try PhotoDecoder.encodeJPEG(RGBImage(width: 358, height: 441, pixels: pixels)!, quality: 85)
        let holder = CardFaceHolder(name: "张䄲𠀀", socialSecurityNumber: "110101199003071234", cardNumber: "X00000019",
                                    issueDate: "20240501", photoBase64: Data(jpeg).base64EncodedString())
        let items = try PrintItems(ProvinceLayout.reference.printItems(for: holder))
        let renderer = CardFaceRenderer(chain: try FontChain.shared())
        for _ in 0..<10 { _ = try renderer.render(items) }
        var timing = Timing()
        for _ in 0..<runs { try timing.measure { _ = try renderer.render(items) } }
        var decode = Timing(), resample = Timing(), text = Timing()
        let base64 = holder.photoBase64!
        let textOnly = PrintItems(texts: items.texts, photos: [])
        for _ in 0..<runs {
            var photo: RGBImage?
            try decode.measure { photo = try PhotoDecoder.decode(base64: base64) }
            resample.measure { _ = photo!.resampled(width: 234, height: 288) }
            try text.measure { _ = try renderer.render(textOnly) }
        }
        var payload = Timing()
        let face = try renderer.render(items)
        for _ in 0..<min(runs, 50) { payload.measure { _ = face.printJobPayload } }
        print("Card face render (4 text items + \(jpeg.count)-byte 358×441 JPEG photo, 1016×648 at 300 dpi):")
        print("  render:         \(timing.summary)")
        print("    photo decode: \(decode.summary)")
        print("    resample:     \(resample.summary)")
        print("    text only:    \(text.summary)")
        print("  panel payload:  \(payload.summary)")
    }
}
