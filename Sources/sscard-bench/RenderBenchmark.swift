import Foundation
import SSCardDriver
import SSCardPrinter

/// Median time to render one card face on the province reference layout: four text items
/// (a name with Ext A/B characters) and a 358 × 441 JPEG photo, from the iPrint items to the
/// RGB preview and the K and O panels. The font chain is opened before timing (once per
/// process in the driver); the photo is decoded and resampled on every run, as in iPrint.
///
///   swift run -c release sscard-bench render [--count N]   (default 200)
struct RenderBenchmark {
    let count: Int

    func run() throws {
        let runs = count
        let holder = try BenchmarkFace.holder()
        let items = try PrintItems(ProvinceLayout.reference.printItems(for: holder))
        let renderer = CardFaceRenderer(chain: try FontChain.shared())
        for _ in 0..<10 { _ = try renderer.render(items) }
        var timing = Timing()
        for _ in 0..<runs { try timing.measure { _ = try renderer.render(items) } }
        var decode = Timing(), resample = Timing(), text = Timing()
        let base64 = holder.photoJPEG!.base64EncodedString()
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
        report.line("Card face render (4 text items + \((base64.count * 3) / 4)-byte 358×441 JPEG photo, 1016×648 at 300 dpi):")
        report.line("  render:         \(report.timing("render.face", timing))")
        report.line("    photo decode: \(report.timing("render.photo_decode", decode))")
        report.line("    resample:     \(report.timing("render.resample", resample))")
        report.line("    text only:    \(report.timing("render.text_only", text))")
        report.line("  panel payload:  \(report.timing("render.panel_payload", payload))")
    }
}
