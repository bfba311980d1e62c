import Foundation
import SSCardDriver
import SSCardPrinter

/// Median time to render one card face on the province reference layout: four text items
/// (a name with Ext A/B characters) and a 358 × 441 JPEG photo, from the iPrint items to the
/// RGB preview and the K and O panels. The font chain is opened before timing (once per
/// process in the driver); the photo is decoded and resampled on every run, as in iPrint.
///
/// Beside it, the same face drawn by Pillow + FreeType (`scripts/bench-render-pillow.py
/// --serve`, run from the repository folder with python3 and Pillow; skipped with a note when
/// they are missing): the glyphs where this renderer placed them, with the same fonts, the
/// same photo and canvas. The host's speed drifts by up to 1.5× within minutes, so the two are
/// timed in interleaved batches — ours with glyphs kept, Pillow's, ours with none kept — and
/// each round's Pillow ÷ ours is reported as well as the ratio of the overall medians.
///
///   .build/release/sscard-bench render [--count N] [--json]   (default 200)
struct RenderBenchmark {
    let count: Int

    /// Faces per batch: 10 keeps a batch at 15–100 ms, short against the host's drift, and
    /// gives 20 rounds at the least count (200).
    static let batch = 10

    func run() throws {
        let runs = max(count, 200)
        let holder = try BenchmarkFace.holder()
        let items = try PrintItems(ProvinceLayout.reference.printItems(for: holder))
        let renderer = CardFaceRenderer(chain: try FontChain.shared())
        for _ in 0..<10 { _ = try renderer.render(items) }
        let base64 = holder.photoJPEG!.base64EncodedString()
        let face = try renderer.render(items)

        var pillowProblem: String?
        var pillow = Self.startPillow(face: face, base64: base64, chain: renderer.chain, problem: &pillowProblem)
        defer { pillow?.close() }
        var timing = Timing(), cold = Timing(), pillowTiming = Timing()
        var rounds: [PairedRound] = []
        var done = 0
        while done < runs {
            let n = min(Self.batch, runs - done)
            var warmBatch = Timing(), coldBatch = Timing()
            for _ in 0..<n { try warmBatch.measure { _ = try renderer.render(items) } }
            var pillowBatch: [Double]?
            if let server = pillow {
                do {
                    pillowBatch = try server.batch(n)
                } catch {
                    pillowProblem = "stopped mid-run: \(error.description)"
                    server.close()
                    pillow = nil
                }
            }
            // Every glyph loaded and rasterised again: the first card of a process, or a name
            // whose characters no card has had yet.
            for _ in 0..<n {
                renderer.chain.emptyGlyphCache()
                try coldBatch.measure { _ = try renderer.render(items) }
            }
            warmBatch.samples.forEach { timing.append($0) }
            coldBatch.samples.forEach { cold.append($0) }
            if let pillowBatch {
                pillowBatch.forEach { pillowTiming.append(.nanoseconds(Int64(($0 * 1e6).rounded()))) }
                rounds.append(PairedRound(warm: warmBatch.percentile(0.5), cold: coldBatch.percentile(0.5), pillow: Self.median(pillowBatch)))
            }
            done += n
        }
        let versions = pillow?.versions
        pillow?.close()

        var decode = Timing(), resample = Timing(), text = Timing()
        let textOnly = PrintItems(texts: items.texts, photos: [])
        for _ in 0..<runs {
            var photo: RGBImage?
            try decode.measure { photo = try PhotoDecoder.decode(base64: base64) }
            resample.measure { _ = photo!.resampled(width: 234, height: 288) }
            try text.measure { _ = try renderer.render(textOnly) }
        }
        var payload = Timing()
        for _ in 0..<min(runs, 50) { payload.measure { _ = face.printJobPayload } }
        report.line("Card face render (4 text items + \((base64.count * 3) / 4)-byte 358×441 JPEG photo, 1016×648 at 300 dpi):")
        report.line("  render:         \(report.timing("render.face", timing))")
        report.line("  render, no glyph kept from an earlier face: \(report.timing("render.face_cold", cold))")
        report.line("    photo decode: \(report.timing("render.photo_decode", decode))")
        report.line("    resample:     \(report.timing("render.resample", resample))")
        report.line("    text only:    \(report.timing("render.text_only", text))")
        report.line("  panel payload:  \(report.timing("render.panel_payload", payload))")
        if let versions, pillowProblem == nil {
            reportPillow(pillowTiming, versions: versions, ours: timing, cold: cold, rounds: rounds)
        } else {
            report.line("  Pillow:         skipped (\(pillowProblem ?? "no figures"))")
        }
    }

    /// One round's batch medians, in milliseconds.
    private struct PairedRound {
        var warm: Duration, cold: Duration, pillow: Double
        var warmRatio: Double { pillow / Timing.milliseconds(warm) }
        var coldRatio: Double { pillow / Timing.milliseconds(cold) }
    }

    private static let pillowHint = "pip install Pillow"

    /// Prints Pillow's figures beside ours: the ratio of the medians of all samples, and the
    /// paired figure — the median (min, max) of each round's Pillow ÷ ours.
    private func reportPillow(_ pillow: Timing, versions: String, ours: Timing, cold: Timing, rounds: [PairedRound]) {
        let median = Timing.milliseconds(pillow.percentile(0.5))
        let warmMedian = Timing.milliseconds(ours.percentile(0.5)), coldMedian = Timing.milliseconds(cold.percentile(0.5))
        report.line("  Pillow:         \(report.timing("render.pillow", pillow))  [\(versions)]")
        report.value("render.pillow_median", median, unit: "ms")
        report.value("render.pillow_ratio", median / warmMedian, unit: "×")
        report.value("render.pillow_ratio_cold", median / coldMedian, unit: "×")
        report.line(String(format: "  render medians: this renderer %.3f ms (%.3f ms with no glyph kept), Pillow %.3f ms: %.2f× (%.2f×) faster",
                           warmMedian, coldMedian, median, median / warmMedian, median / coldMedian))
        let warm = rounds.map(\.warmRatio), none = rounds.map(\.coldRatio)
        for (name, ratios) in [("render.pillow_ratio_paired", warm), ("render.pillow_ratio_paired_cold", none)] {
            report.value(name, Self.median(ratios), unit: "×")
            report.value(name + "_min", ratios.min()!, unit: "×")
            report.value(name + "_max", ratios.max()!, unit: "×")
        }
        let size = pillow.samples.count % Self.batch == 0 ? "\(Self.batch)" : "up to \(Self.batch)"
        report.line("  paired, \(rounds.count) rounds of \(size) faces (ours, Pillow, ours with no glyph kept): Pillow ÷ ours per round, "
            + String(format: "median %.2f× (%.2f–%.2f×); no glyph kept %.2f× (%.2f–%.2f×)",
                     Self.median(warm), warm.min()!, warm.max()!, Self.median(none), none.min()!, none.max()!))
    }

    /// The middle value (the lower of the two middle ones), as `Timing.percentile(0.5)`.
    private static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted[(sorted.count - 1) / 2]
    }

    /// The Pillow script in serve mode on this face, or nil with the reason in `problem`.
    private static func startPillow(face: RenderedFace, base64: String, chain: FontChain, problem: inout String?) -> PillowServer? {
        let script = URL(fileURLWithPath: "scripts/bench-render-pillow.py")
        guard FileManager.default.fileExists(atPath: script.path) else {
            problem = "run from the repository folder: scripts/bench-render-pillow.py not found"
            return nil
        }
        let spec = FileManager.default.temporaryDirectory.appendingPathComponent("sscard-bench-face-\(getpid()).json")
        // The script reads the spec before it says it is ready.
        defer { try? FileManager.default.removeItem(at: spec) }
        do {
            try faceSpec(face, base64: base64, chain: chain).write(to: spec)
            return try PillowServer(script: script, face: spec)
        } catch let failure as PillowServer.Failure {
            problem = "\(failure.description); \(pillowHint)"
        } catch {
            problem = "\(error)"
        }
        return nil
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
