import Foundation
import SSCardDriver
import SSCardPrinter

/// Writes the card face the clerk is about to print as a PNG (the preview, and the record of
/// what was printed): the very face the printer then gets (`SSCardInterface.printCard(rendered:exit:)`).
enum CardFacePreview {
    /// Returns the path written: `directory/<applicationID>-<cardNumber>.png`, mode 0600, in a
    /// folder made 0700 when missing. Refuses (`CardFaceNameError`) an application id or card
    /// number that cannot be a file name. `png` is the face encoded by `CardFacePreparation`
    /// (`PNGWriter.Effort.fast`: libpng's smallest encoding was the largest single cost of a card
    /// in process, docs/performance.md §2).
    static func write(png: [UInt8], directory: String, applicationID: String, cardNumber: CardNumber) throws -> String {
        let name = try CardFaceFiles.fileName(applicationID: applicationID, cardNumber: cardNumber.value)
        try PrivateFile.makeFolder(directory)
        let path = URL(fileURLWithPath: directory).appendingPathComponent(name).path
        try PrivateFile.write(png, to: path)
        return path
    }
}
