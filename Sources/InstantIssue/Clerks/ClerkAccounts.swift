import Foundation
import GRDB

/// What a clerk may do at the web desk: a clerk issues and recovers cards; an administrator also
/// manages the clerks' accounts.
public enum ClerkRole: String, Hashable, Sendable, Codable, CaseIterable {
    case clerk
    case administrator
}

/// A password as the books keep it: never the password, only the output of a slow key
/// derivation (the web desk's `PasswordKDF`, PBKDF2-HMAC-SHA256 from OpenSSL) with its salt and
/// cost, so the cost can be raised later without breaking old accounts.
public struct ClerkCredential: Hashable, Sendable {
    /// The derivation, e.g. `pbkdf2-sha256`.
    public var scheme: String
    public var iterations: Int
    public var salt: [UInt8]
    public var hash: [UInt8]

    public init(scheme: String, iterations: Int, salt: [UInt8], hash: [UInt8]) {
        self.scheme = scheme; self.iterations = iterations; self.salt = salt; self.hash = hash
    }
}

/// One clerk's account (柜员账号): the signed-in clerk is who the journal and the 台账 record.
public struct ClerkAccount: Hashable, Sendable {
    /// The clerk's name as the 台账 records it (经办人); unique.
    public var name: String
    public var role: ClerkRole
    public var credential: ClerkCredential
    public var active: Bool
    /// Wrong passwords in a row since the last good sign-in.
    public var failedAttempts: Int
    /// Sign-in refused until then (after too many wrong passwords), nil when not locked.
    public var lockedUntil: StationTimestamp?
}

/// Why an account change was refused.
public enum ClerkAccountError: Error, Hashable, Sendable, CustomStringConvertible {
    case exists(String)
    case unknown(String)
    case badName(String)

    public var chinese: String {
        switch self {
        case .exists(let name): "柜员“\(name)”已存在"
        case .unknown(let name): "没有柜员“\(name)”"
        case .badName: "柜员姓名须为 1–30 个字符，不含控制字符"
        }
    }

    public var english: String {
        switch self {
        case .exists(let name): "clerk \"\(name)\" already exists"
        case .unknown(let name): "there is no clerk \"\(name)\""
        case .badName: "a clerk's name is 1–30 characters without control characters"
        }
    }

    public var description: String { chinese + " / " + english }
}

/// The clerks' accounts, kept in the station database beside the journal and the 台账 (one
/// station process holds the database, so the accounts are the desk's own). Every change is a
/// 台账 entry by whoever made it.
public struct ClerkAccounts: Sendable {
    public let database: StationDatabase
    public init(database: StationDatabase) { self.database = database }

    static func createSchema(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE clerk_account (
                name TEXT PRIMARY KEY NOT NULL,
                role TEXT NOT NULL,
                scheme TEXT NOT NULL,
                iterations INTEGER NOT NULL CHECK (iterations > 0),
                salt BLOB NOT NULL,
                hash BLOB NOT NULL,
                active INTEGER NOT NULL DEFAULT 1,
                failed_attempts INTEGER NOT NULL DEFAULT 0,
                locked_until TEXT,
                created_at TEXT NOT NULL
            );
            """)
    }

    /// 1–30 characters, none of them a control character: names go into the 台账 and on pages.
    public static func isValidName(_ name: String) -> Bool {
        (1...30).contains(name.count) && !name.unicodeScalars.contains { $0.properties.generalCategory == .control }
            && name.trimmingCharacters(in: .whitespaces) == name
    }

    public func account(named name: String) throws -> ClerkAccount? {
        try database.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM clerk_account WHERE name = ?", arguments: [name]).map(Self.account)
        }
    }

    public func all() throws -> [ClerkAccount] {
        try database.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM clerk_account ORDER BY name").map(Self.account)
        }
    }

    public func isEmpty() throws -> Bool {
        try database.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM clerk_account") ?? 0 } == 0
    }

    /// Adds an account; `by` is who added it (the 台账's 经办人).
    public func add(name: String, role: ClerkRole, credential: ClerkCredential, by: String) throws {
        guard Self.isValidName(name) else { throw ClerkAccountError.badName(name) }
        let at = database.timestamp()
        try database.pool.write { db in
            guard try Row.fetchOne(db, sql: "SELECT name FROM clerk_account WHERE name = ?", arguments: [name]) == nil else {
                throw ClerkAccountError.exists(name)
            }
            try db.execute(sql: """
                INSERT INTO clerk_account (name, role, scheme, iterations, salt, hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [name, role.rawValue, credential.scheme, credential.iterations, Data(credential.salt),
                                 Data(credential.hash), at.text])
            try AuditLedger(database: database).append(db, at: at, clerk: by, action: "clerk.add", subject: name,
                                                       details: "角色 \(role.rawValue)")
        }
    }

    /// Sets a new password (and unlocks the account).
    public func setCredential(_ credential: ClerkCredential, for name: String, by: String) throws {
        try change(name, by: by, action: "clerk.password", details: "") { db in
            try db.execute(sql: """
                UPDATE clerk_account SET scheme = ?, iterations = ?, salt = ?, hash = ?, failed_attempts = 0, locked_until = NULL
                WHERE name = ?
                """, arguments: [credential.scheme, credential.iterations, Data(credential.salt), Data(credential.hash), name])
        }
    }

    /// Enables or disables an account: a disabled clerk cannot sign in.
    public func setActive(_ active: Bool, for name: String, by: String) throws {
        try change(name, by: by, action: active ? "clerk.enable" : "clerk.disable", details: "") { db in
            try db.execute(sql: "UPDATE clerk_account SET active = ? WHERE name = ?", arguments: [active, name])
        }
    }

    /// A wrong password: counts it, and locks the account for `lockFor` once `limit` are in a row.
    /// Returns the account as it now stands.
    @discardableResult
    public func recordFailedSignIn(_ name: String, limit: Int, lockFor: TimeInterval) throws -> ClerkAccount? {
        let now = database.clock()
        return try database.pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT * FROM clerk_account WHERE name = ?", arguments: [name]) else { return nil }
            var account = try Self.account(row)
            account.failedAttempts += 1
            if account.failedAttempts >= limit {
                account.lockedUntil = StationTimestamp(now.addingTimeInterval(lockFor))
                account.failedAttempts = 0
                try AuditLedger(database: database).append(db, at: StationTimestamp(now), clerk: AuditLedger.stationClerk,
                                                           action: "clerk.locked", subject: name,
                                                           details: "连续 \(limit) 次密码错误，锁定至 \(account.lockedUntil!.text)")
            }
            try db.execute(sql: "UPDATE clerk_account SET failed_attempts = ?, locked_until = ? WHERE name = ?",
                           arguments: [account.failedAttempts, account.lockedUntil?.text, name])
            return account
        }
    }

    /// A good sign-in: the count of wrong passwords starts again.
    public func recordSignIn(_ name: String) throws {
        try database.pool.write { db in
            try db.execute(sql: "UPDATE clerk_account SET failed_attempts = 0, locked_until = NULL WHERE name = ?", arguments: [name])
        }
    }

    private func change(_ name: String, by: String, action: String, details: String, _ body: (Database) throws -> Void) throws {
        let at = database.timestamp()
        try database.pool.write { db in
            guard try Row.fetchOne(db, sql: "SELECT name FROM clerk_account WHERE name = ?", arguments: [name]) != nil else {
                throw ClerkAccountError.unknown(name)
            }
            try body(db)
            try AuditLedger(database: database).append(db, at: at, clerk: by, action: action, subject: name, details: details)
        }
    }

    private static func account(_ row: Row) throws -> ClerkAccount {
        let salt: Data = row["salt"], hash: Data = row["hash"]
        let roleText: String = row["role"]
        let locked: String? = row["locked_until"]
        return ClerkAccount(
            name: row["name"], role: ClerkRole(rawValue: roleText) ?? .clerk,
            credential: ClerkCredential(scheme: row["scheme"], iterations: row["iterations"], salt: [UInt8](salt), hash: [UInt8](hash)),
            active: row["active"], failedAttempts: row["failed_attempts"],
            lockedUntil: locked.flatMap(StationTimestamp.init(text:)))
    }
}
