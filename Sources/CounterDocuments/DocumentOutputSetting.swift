import Foundation

/// Where the counter's papers go (`documents` in station.json, docs/configuration.md): to a
/// CUPS queue when one is named, else into a private folder of the desk, kept
/// `retentionDays` and then purged. 第十二条（三）: 持卡人签收记录等发放管理台账…至少保管5年, so
/// the default keeps a filed paper five years.
public struct DocumentOutputSetting: Codable, Hashable, Sendable {
    /// The CUPS queue (`lp -d`); nil = file the PDF instead of printing it.
    public var printerQueue: String?
    /// The CUPS server (`lp -h`): `host[:port]` or a socket path; nil = the client's default
    /// (CUPS_SERVER, client.conf, the local scheduler).
    public var cupsServer: String?
    /// Where PDFs are filed (0700 folder, 0600 files).
    public var folder: String
    /// Days a filed PDF is kept, 1–3650.
    public var retentionDays: Int

    public static let defaultFolder = "/var/lib/sscard/documents"
    /// 5 years and a few days (第十二条（三）: 至少保管5年).
    public static let defaultRetentionDays = 1830

    public init(printerQueue: String? = nil, cupsServer: String? = nil, folder: String = DocumentOutputSetting.defaultFolder,
                retentionDays: Int = DocumentOutputSetting.defaultRetentionDays) {
        self.printerQueue = printerQueue
        self.cupsServer = cupsServer
        self.folder = folder
        self.retentionDays = retentionDays
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = DocumentOutputSetting()
        printerQueue = try c.decodeIfPresent(String.self, forKey: .printerQueue)
        cupsServer = try c.decodeIfPresent(String.self, forKey: .cupsServer)
        folder = try c.decodeIfPresent(String.self, forKey: .folder) ?? d.folder
        retentionDays = try c.decodeIfPresent(Int.self, forKey: .retentionDays) ?? d.retentionDays
        guard (1...3650).contains(retentionDays) else {
            throw DecodingError.dataCorruptedError(forKey: .retentionDays, in: c, debugDescription: "\(retentionDays) is not 1–3650 days")
        }
        if let queue = printerQueue {
            // CUPS queue names: printable, no space, "/" or "#", at most 127 bytes (lpadmin(8)).
            guard !queue.isEmpty, queue.utf8.count <= 127,
                  queue.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value != 0x7F && $0 != "/" && $0 != "#" }),
                  !queue.hasPrefix("-") else {
                throw DecodingError.dataCorruptedError(forKey: .printerQueue, in: c, debugDescription: "\"\(queue)\" is not a CUPS queue name")
            }
        }
        if let server = cupsServer, server.isEmpty || server.hasPrefix("-") {
            throw DecodingError.dataCorruptedError(forKey: .cupsServer, in: c, debugDescription: "\"\(server)\" is not a CUPS server")
        }
    }
}
