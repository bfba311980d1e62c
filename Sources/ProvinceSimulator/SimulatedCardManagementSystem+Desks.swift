import CardManagement
import Foundation
import GRDB
import SSCardDriver

/// Why a desk could not be registered, rotated or removed.
public enum DeskRegistryError: Error, Hashable, Sendable, CustomStringConvertible {
    case exists(String)
    case unknown(String)
    case database(String)

    public var description: String {
        switch self {
        case .exists(let id): "桌面 \(id) 已登记 desk \(id) is already registered (rotate its credential instead)"
        case .unknown(let id): "没有登记桌面 \(id) no desk \(id) is registered"
        case .database(let reason): "模拟卡管数据库故障 simulator database failure: \(reason)"
        }
    }
}

/// The desks the province knows and the secrets they sign with (docs/province-api.md §4).
extension SimulatedCardManagementSystem {
    /// A registered desk (never its secret).
    public struct RegisteredDesk: Hashable, Sendable {
        public var id: String
        public var createdAt: String
        public var rotatedAt: String?
    }

    /// Registers `id` with a fresh secret and returns its credential, to be handed to the desk
    /// once. `.exists` when it is registered already.
    public func addDesk(_ id: String) throws -> DeskCredential {
        let credential = try DeskCredential.generate(deskID: id)
        try deskWrite { db in
            guard try Row.fetchOne(db, sql: "SELECT 1 FROM desk WHERE desk_id = ?", arguments: [id]) == nil else {
                throw DeskRegistryError.exists(id)
            }
            try Self.insertDesk(db, credential)
        }
        return credential
    }

    /// Gives `id` a fresh secret: its old credential is refused from now on.
    public func rotateDesk(_ id: String) throws -> DeskCredential {
        let credential = try DeskCredential.generate(deskID: id)
        try deskWrite { db in
            let secret = credential.withSecret { $0.hexString }
            try db.execute(sql: "UPDATE desk SET secret = ?, rotated_at = ? WHERE desk_id = ?",
                           arguments: [secret, Self.deskTimestamp(), id])
            guard db.changesCount == 1 else { throw DeskRegistryError.unknown(id) }
        }
        return credential
    }

    /// Registers the desk of a credential file as it is (a new desk, or the secret replaced).
    public func registerDesk(_ credential: DeskCredential) throws {
        try deskWrite { db in
            try db.execute(sql: "DELETE FROM desk WHERE desk_id = ?", arguments: [credential.deskID])
            try Self.insertDesk(db, credential)
        }
    }

    /// Forgets `id`: its requests are refused from now on.
    public func removeDesk(_ id: String) throws {
        try deskWrite { db in
            try db.execute(sql: "DELETE FROM desk WHERE desk_id = ?", arguments: [id])
            guard db.changesCount == 1 else { throw DeskRegistryError.unknown(id) }
        }
    }

    /// The registered desks, by id.
    public func desks() throws -> [RegisteredDesk] {
        do {
            return try store.writer.read { db in
                try Row.fetchAll(db, sql: "SELECT desk_id, created_at, rotated_at FROM desk ORDER BY desk_id").map {
                    RegisteredDesk(id: $0["desk_id"], createdAt: $0["created_at"], rotatedAt: $0["rotated_at"])
                }
            }
        } catch {
            throw DeskRegistryError.database("\(error)")
        }
    }

    /// The credential `id` signs with; nil when it is not registered (or the books fail).
    func deskCredential(_ id: String) -> DeskCredential? {
        guard let hex = try? store.writer.read({ db in
            try String.fetchOne(db, sql: "SELECT secret FROM desk WHERE desk_id = ?", arguments: [id])
        }), var secret = [UInt8](hex: hex) else { return nil }
        defer { KeyMaterial.wipe(&secret) }
        return try? DeskCredential(deskID: id, secret: secret)
    }

    private func deskWrite(_ body: (Database) throws -> Void) throws {
        do {
            try store.writer.write(body)
        } catch let error as DeskRegistryError {
            throw error
        } catch {
            throw DeskRegistryError.database("\(error)")
        }
    }

    private static func insertDesk(_ db: Database, _ credential: DeskCredential) throws {
        try db.execute(sql: "INSERT INTO desk (desk_id, secret, created_at) VALUES (?, ?, ?)",
                       arguments: [credential.deskID, credential.withSecret { $0.hexString }, deskTimestamp()])
    }

    private static func deskTimestamp() -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date())
    }
}
