import Foundation
import SimulatedDesk

extension ThrowawayPostgres {
    /// Writes the station.json of `desk` (its login role too) on `outlet`'s books of this server into
    /// `work/desk/`, its local journal beside it; gives back the file's path.
    func deskConfig(_ desk: String, outlet: String, in work: URL) throws -> String {
        let folder = work.appendingPathComponent(desk)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let json = """
            {"databasePath": "journal.sqlite", "outputDirectory": "faces", "terminal": "SSDESK00000\(desk.last!)",
             "storage": {"kind": "postgresql", "url": "\(url(role: desk))", "outlet": "\(outlet)", "desk": "\(desk)"}}
            """
        let path = folder.appendingPathComponent("station.json").path
        try Data(json.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}
