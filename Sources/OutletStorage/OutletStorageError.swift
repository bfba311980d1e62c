import Foundation
import PostgresNIO

/// Why the outlet's PostgreSQL books refused or could not do something. Domain refusals (a card
/// already reserved, a file imported before) are `InventoryError` and `YZKCGImportError` as on
/// SQLite; these are the storage's own.
public enum OutletStorageError: Error, CustomStringConvertible {
    case badURL(String)
    /// The server could not be reached for `seconds`; nothing was changed by the call that
    /// failed, or it was committed and a repeat of it is harmless (see `OutletBooks`).
    case unreachable(location: String, seconds: Int, reason: String)
    /// The database's schema is newer than this program knows.
    case schemaTooNew(database: Int, known: Int)
    /// The desk's role is not a member of the outlet it names (`storage add-outlet`).
    case notOutletMember(role: String, outlet: String)
    /// An error of the server, with its SQLSTATE code.
    case server(sqlState: String, message: String)
    /// `sslmode` in the URL is none of disable, require, verify-ca, verify-full.
    case badTLSMode(String)
    /// `sslrootcert` is not an absolute path of a readable file.
    case badRootCertificate(String)
    /// TLS asked for on a unix socket (libpq never encrypts those).
    case tlsOverUnixSocket
    /// The TLS the URL asks for could not be set up: the server offers none, or its
    /// certificate is not trusted or names another host.
    case tlsFailed(location: String, reason: String)
    /// The books were closed (the station shutting down) before or while the call ran; a call
    /// under way was cancelled and rolled back, so nothing of it was kept.
    case closed

    public var description: String {
        switch self {
        case let .badURL(u):
            "存储地址无效 \(u)，应为 postgresql://角色@主机:端口/数据库 bad storage url \(u): expected postgresql://role@host:port/database"
        case let .unreachable(l, s, r):
            "\(s)秒内无法连接网点数据库 \(l)：\(r)。本窗口暂停取卡；恢复后执行 recover。 the outlet database \(l) was unreachable for \(s) s: \(r). The desk stops taking cards; run recover when it is back."
        case let .schemaTooNew(d, k):
            "数据库结构版本\(d)高于本程序所知的\(k)，请升级制卡站程序 the database schema is version \(d), this program knows up to \(k): upgrade the station"
        case let .notOutletMember(r, o):
            "数据库角色\(r)不属于网点\(o) database role \(r) is not a desk of outlet \(o)"
        case let .server(state, message): "数据库错误 database error \(state): \(message)"
        case let .badTLSMode(m):
            "存储地址的sslmode=\(m)无效，应为 disable、require、verify-ca 或 verify-full bad sslmode=\(m) in the storage url: expected disable, require, verify-ca or verify-full"
        case let .badRootCertificate(p):
            "sslrootcert=\(p)不是可读的证书文件（须为绝对路径） sslrootcert=\(p) is not a readable certificate file (an absolute path)"
        case .tlsOverUnixSocket:
            "经本机套接字连接时不使用TLS，请去掉sslmode或设为disable TLS is not used on a unix socket: remove sslmode or set it to disable"
        case let .tlsFailed(l, r):
            "无法与网点数据库\(l)建立加密连接（TLS）：\(r)。请检查服务器的ssl设置与证书，或存储地址的sslmode/sslrootcert。 no TLS connection to the outlet database \(l): \(r). Check the server's ssl setting and certificate, or sslmode/sslrootcert in the storage url."
        case .closed:
            "网点数据库连接已关闭（制卡站正在退出），本次操作未完成、未保存任何内容 the outlet books were closed (the station is shutting down): the call was not done and kept nothing"
        }
    }

    /// A connection lost or a server going down or starting up: worth a new connection and a repeat.
    static func isConnectionLoss(_ error: any Error) -> Bool {
        if let e = error as? PSQLError {
            switch e.code {
            case .serverClosedConnection, .connectionError, .uncleanShutdown, .clientClosedConnection: return true
            case .server:
                let state = e.serverInfo?[.sqlState] ?? ""
                // 57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now, class 08
                // connection; 40P01 deadlock and 40001 serialization failure: the server rolled the
                // transaction back, so repeating it is safe.
                return state.hasPrefix("57P") || state.hasPrefix("08") || state == "40P01" || state == "40001"
            default: return false
            }
        }
        // Refused or reset at the socket, before the protocol began.
        return error is ChannelError || error is IOError || String(describing: type(of: error)).contains("Connection")
    }

    /// What went wrong, for a log line or a message: PSQLError's own description hides it.
    static func summary(_ error: any Error) -> String {
        guard let e = error as? PSQLError else { return String(describing: error) }
        let state = e.serverInfo?[.sqlState].map { " \($0)" } ?? ""
        let message = e.serverInfo?[.message].map { ": \($0)" } ?? ""
        return "\(e.code)\(state)\(message)"
    }

    /// What went wrong in setting up TLS, or nil when `error` is no TLS failure.
    static func tlsProblem(_ error: any Error) -> String? {
        if let e = error as? PSQLError {
            switch e.code {
            case .sslUnsupported: return "服务器不支持TLS the server does not offer TLS (ssl = off)"
            case .failedToAddSSLHandler, .receivedUnencryptedDataAfterSSLRequest: return String(describing: e.code)
            default: return e.underlying.flatMap { tlsProblem($0) }
            }
        }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError {
            return "证书未通过验证或握手失败 certificate not trusted or handshake failed: \(error)"
        }
        return nil
    }

    /// A server error as this type, other errors unchanged.
    static func wrap(_ error: any Error) -> any Error {
        guard let e = error as? PSQLError, e.code == .server, let info = e.serverInfo else { return error }
        return OutletStorageError.server(sqlState: info[.sqlState] ?? "", message: info[.message] ?? "")
    }
}
