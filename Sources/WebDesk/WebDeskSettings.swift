import CardManagement
import Foundation
import InstantIssue
import SSCardDriver

/// How `issue-station serve` runs the desk, and the parts a desk provides that the station
/// library has no call for (the queue of waiting applications, reading a finished card back).
public struct WebDeskSettings: Sendable {
    /// Listened on: loopback unless the configuration says otherwise.
    public var host = "127.0.0.1"
    /// 0 picks a free port (tests).
    public var port = WebDeskSettings.defaultPort
    /// The pages' language until a clerk switches.
    public var language: DeskLanguage = .zh
    /// Turns an error into the one sentence of cause and next step the command line prints.
    public var adviser: DeskAdvice.Adviser = DeskAdvice.libraryAdviser
    /// The applications waiting for instant issuance. Nil: the queue page finds an application
    /// by its id only (the province interface has no list call).
    public var queue: (@Sendable () throws -> [Application])?
    /// Reads a finished card back (iReadCardBas) and returns the fields as text; nil: the page
    /// says the chip was read back and compared while it was written.
    public var readBack: (@Sendable (IssuedCard) throws -> String)?
    /// Before 制卡补登: puts the printed card back into the printer's manual feed — what the
    /// clerk does by hand at a real printer (nil), what the demo does for its virtual printer.
    public var reinsertPrintedCard: (@Sendable (CardNumber) -> Bool)?
    /// The PBKDF2 cost of new passwords.
    public var passwordIterations = PasswordKDF.defaultIterations

    /// The HTTP server's own warnings and errors on standard output; off for the benchmark, whose
    /// standard output is JSON (cancelling the server logs a `CancellationError`).
    public var logsServerErrors = true

    public static let defaultPort = 8740

    public init() {}
}

/// Why the desk could not start.
public enum WebDeskError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Another program listens on the port.
    case portInUse(host: String, port: Int)

    public var chinese: String {
        switch self {
        case .portInUse(let host, let port): "端口 \(port) 已被其他程序占用（\(host)），制卡台无法启动"
        }
    }

    public var english: String {
        switch self {
        case .portInUse(let host, let port): "port \(port) on \(host) is already used by another program, so the desk cannot start"
        }
    }

    public var nextChinese: String { "关闭占用该端口的程序（可能是另一个 issue-station serve），或用 --port 换一个端口" }
    public var nextEnglish: String { "stop the program using it (perhaps another issue-station serve), or choose another port with --port" }

    public var description: String { chinese + " / " + english }
}
