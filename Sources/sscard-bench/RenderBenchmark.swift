import Foundation
import SSCardDriver
import SSCardPrinter

/// Median time to render one card face on the province reference layout: four text items
/// (a name with Ext A/B characters) and a 358 × 441 JPEG photo, from the iPrint items to the
/// RGB preview and the K and O panels. The font chain is opened before timing (once per
/// process in the driver); the photo is decoded and resampled on every run, as in iPrint.
///
/// Then, in the same run, the same face drawn by Pillow + FreeType
/// (`scripts/bench-render-pillow.py`, run from the repository folder with python3 and
/// Pillow; skipped with a note when they are missing): the glyphs where this renderer placed
/// them, with the same fonts, the same photo and canvas.
///
///   .build/release/sscard-bench render [--count N] [--json]   (default 200)
struct RenderBenchmark {
    let count: Int

    func run() throws {
        let runs = max(count, 200)
        let holder = try BenchmarkFace.holder()
        let items = try PrintItems(ProvinceLayout.reference.printItems(for: holder))
        let renderer = CardFaceRenderer(chain: try FontChain.shared())
        for _ in 0..<10 { _ = try renderer.render(items) }
        var timing = Timing()
        for _ in 0..<runs { try timing.measure { _ = try renderer.render(items) } }
        // Every glyph loaded and rasterised again: the first card of a process, or a name whose
        // characters no card has had yet.
        var cold = Timing()
        for _ in 0..<runs {
            renderer.chain.emptyGlyphCache()
            try cold.measure { _ = try renderer.render(items) }
        }
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
        report.line("  render, no glyph kept from an earlier face: \(report.timing("render.face_cold", cold))")
        report.line("    photo decode: \(report.timing("render.photo_decode", decode))")
        report.line("    resample:     \(report.timing("render.resample", resample))")
        report.line("    text only:    \(report.timing("render.text_only", text))")
        report.line("  panel payload:  \(report.timing("render.panel_payload", payload))")
        comparePillow(face: face, base64: base64, chain: renderer.chain, runs: runs,
                      ours: timing.percentile(0.5), cold: cold.percentile(0.5))
    }

    /// Runs the Pillow script on this face and prints its figures beside ours.
    private func comparePillow(face: RenderedFace, base64: String, chain: FontChain, runs: Int, ours: Duration, cold: Duration) {
        let script = URL(fileURLWithPath: "scripts/bench-render-pillow.py")
        guard FileManager.default.fileExists(atPath: script.path) else {
            report.line("  Pillow:         skipped (run from the repository folder: scripts/bench-render-pillow.py not found)")
            return
        }
        do {
            let spec = FileManager.default.temporaryDirectory.appendingPathComponent("sscard-bench-face-\(getpid()).json")
            defer { try? FileManager.default.removeItem(at: spec) }
            try Self.faceSpec(face, base64: base64, chain: chain).write(to: spec)
            let python = Process()
            python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            python.arguments = ["python3", script.path, spec.path, String(runs)]
            let out = Pipe(), err = Pipe()
            python.standardOutput = out
            python.standardError = err
            try python.run()
            let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            let problem = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            python.waitUntilExit()
            let lines = text.split(separator: "\n").map(String.init)
            guard python.terminationStatus == 0, lines.count >= 2,
                  let median = lines[0].split(separator: " ").dropFirst().first.flatMap({ Double($0) }) else {
                report.line("  Pillow:         skipped (\(problem.split(separator: "\n").last ?? "no output"); pip install Pillow)")
                return
            }
            func ms(_ d: Duration) -> Double { Double(d.components.attoseconds) / 1e15 + Double(d.components.seconds) * 1000 }
            report.value("render.pillow_median", median, unit: "ms")
            report.line("  Pillow:         \(lines[0])  [\(lines[1])]")
            report.line(String(format: "  render medians: this renderer %.3f ms (%.3f ms with no glyph kept), Pillow %.3f ms: %.1f× (%.1f×) faster",
                         ms(ours), ms(cold), median, median / ms(ours), median / ms(cold)))
        } catch {
            report.line("  Pillow:         skipped (\(error))")
        }
    }

    /// The face for the Pillow script: canvas, photo box and every glyph as placed.
    private static func faceSpec(_ face: RenderedFace, base64: String, chain: FontChain) throws -> Data {
        var glyphs: [[String: Any]] = []
        for text in face.texts {
            for g in text.glyphs {
                glyphs.append(["char": String(g.scalar), "font": chain.faces[g.faceIndex].path,
                               "faceIndex": chain.faces[g.faceIndex].faceIndex, "em": text.emDots,
                               "x": g.x, "baseline": text.top + CardCanvas.baselineInEm * text.emDots])
            }
        }
        let picture = face.photos[0].picture
        let plate = ChipPlate.standard.rect
        let spec: [String: Any] = [
            "width": face.rgb.width, "height": face.rgb.height, "glyphs": glyphs,
            "photo": ["base64": base64, "left": Int(picture.left), "top": Int(picture.top),
                      "width": Int(picture.right - picture.left), "height": Int(picture.bottom - picture.top)],
            "chipPlate": [plate.left, plate.top, plate.right, plate.bottom].map { Int($0.rounded()) },
        ]
        return try JSONSerialization.data(withJSONObject: spec)
    }
}
