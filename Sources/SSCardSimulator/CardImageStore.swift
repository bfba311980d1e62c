import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The simulated card's non-volatile memory (EEPROM): where `SimulatedSSCard` writes its image
/// before it answers. A PIN presentation writes the spent try here before it compares the PIN,
/// so a store that fails makes the card refuse every PIN (docs/card-simulation.md, "PIN try
/// counters").
public protocol CardImageStore: Sendable {
    /// Writes `image` durably, or throws; after a throw the card keeps its previous image.
    func save(_ image: CardImage) throws(CardImageError)
}

/// A card image in a JSON file (`issue-station vcard --card FILE`): written with
/// `CardImage.save(to:)` (a new file renamed over the old one), then the file and its folder
/// are flushed with `fsync`, so a try counter the card answered with survives a killed
/// process and a power cut.
public struct CardImageFile: CardImageStore {
    public let url: URL

    public init(url: URL) { self.url = url }

    public func save(_ image: CardImage) throws(CardImageError) {
        try image.save(to: url)
        try Self.flush(url.path, what: "file")
        try Self.flush(url.deletingLastPathComponent().path, what: "folder")
    }

    private static func flush(_ path: String, what: String) throws(CardImageError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw .unwritable(path: path, reason: "cannot open the \(what) to flush it: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        guard fsync(fd) == 0 else {
            throw .unwritable(path: path, reason: "fsync of the \(what) failed: \(String(cString: strerror(errno)))")
        }
    }
}
