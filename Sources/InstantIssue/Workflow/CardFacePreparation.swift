import Foundation
import SSCardDriver
import SSCardPrinter

/// The card face drawn, and its preview PNG encoded, on another thread while the chip and the
/// certificates are written: the face depends only on the holder, the card number and the
/// issue date, all known once the blank check passed. The workflow takes the result before the
/// card moves to print, so a face that cannot be drawn still stops the card at that point, as
/// when it was drawn there (docs/performance.md §2, fourth round).
final class CardFacePreparation: @unchecked Sendable {
    // @unchecked Sendable: `outcome` is written once on the worker thread before `done` is
    // signalled and read only after `wait()` saw that signal.
    struct Prepared {
        var job: CardFaceJob
        var face: RenderedFace
        /// The preview, encoded with `PNGWriter.Effort.fast`.
        var png: [UInt8]
    }

    private let done = DispatchSemaphore(value: 0)
    private var outcome: Result<Prepared, any Error>?

    /// Starts drawing the face of `holder` at once on a global queue.
    init(holder: CardFaceHolder, configuration: DriverConfiguration) {
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            outcome = Result {
                let job = try ProvinceLayout.reference.job(for: holder, units: PrintUnits(configuration.printUnits), exit: .good)
                let face = try CardFaceRenderer(configuration: configuration).render(job)
                return Prepared(job: job, face: face, png: try PNGWriter.data(face.rgb, effort: .fast))
            }
            done.signal()
        }
    }

    /// The face and its preview; rethrows what drawing or encoding threw. Call once.
    func wait() throws -> Prepared {
        done.wait()
        return try outcome!.get()
    }
}
