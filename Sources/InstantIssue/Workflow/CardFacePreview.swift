import Foundation
import SSCardDriver
import SSCardPrinter

/// Writes the card face the clerk is about to print as a PNG (the preview, and the record of
/// what was printed), rendered from the same job the printer gets.
enum CardFacePreview {
    /// Returns the path written: `directory/name.png`.
    static func write(job: CardFaceJob, configuration: DriverConfiguration, directory: String, name: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let face = try CardFaceRenderer(configuration: configuration).render(job)
        let path = URL(fileURLWithPath: directory).appendingPathComponent(name + ".png").path
        try PNGWriter.write(face.rgb, to: path)
        return path
    }
}
