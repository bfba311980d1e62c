import Foundation
import SSCardDriver
import SSCardPrinter

/// Writes the card face the clerk is about to print as a PNG (the preview, and the record of
/// what was printed), rendered from the same iPrint items the printer gets.
enum CardFacePreview {
    /// Returns the path written: `directory/name.png`.
    static func write(items: [String], configuration: DriverConfiguration, directory: String, name: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let face = try CardFaceRenderer(configuration: configuration).render(PrintItems(items, units: PrintUnits(configuration.printUnits)))
        let path = URL(fileURLWithPath: directory).appendingPathComponent(name + ".png").path
        try PNGWriter.write(face.rgb, to: path)
        return path
    }
}
