import Foundation
import GRDB
import SSCardDriver
import SSCardSimulator
import CardManagement
import SSCardPrinter

/// The province simulator's own books in SQLite (its own database, never the station's):
/// applications and their state, the 一人一卡 card registry, request ids already answered,
/// the CA issuance per card and the CA's key. A file is opened in WAL mode with
/// `PRAGMA synchronous = FULL`, so an answered call survives a SIGKILL or a power cut; every
/// call of the simulator is one transaction.
///
/// The simulation's secrets live here in plain form on purpose (the CA key scalar, the PKI
/// master key and admin PIN the CA gave each card): they are test keys of a simulator, kept
/// because the simulator's rules need them (docs/province-api.md §7).
final class SimulatedCardManagementStore: Sendable {
    let writer: any DatabaseWriter

    /// `path` nil: in memory (gone with the object).
    init(path: String?) throws {
        if let path {
            // Applicants' photos and the keys above: 0600, with its -wal and -shm files.
            try PrivateFile.prepareDatabase(at: path)
            var configuration = Configuration()
            configuration.label = "province-sim"
            configuration.busyMode = .timeout(5)
            let pool = try DatabasePool(path: path, configuration: configuration)
            // FULL after GRDB's WAL setup (which sets NORMAL), as StationDatabase does.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
                guard try Int.fetchOne(db, sql: "PRAGMA synchronous") == 2 else {
                    throw DatabaseError(message: "PRAGMA synchronous = FULL did not take effect")
                }
            }
            writer = pool
        } else {
            var configuration = Configuration()
            configuration.label = "province-sim-memory"
            writer = try DatabaseQueue(configuration: configuration)
        }
        try Self.migrator.migrate(writer)
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("1 province simulator") { db in
            try db.execute(sql: """
                CREATE TABLE application (
                    id TEXT PRIMARY KEY NOT NULL,
                    kind TEXT NOT NULL,
                    name TEXT NOT NULL,
                    ssn TEXT NOT NULL,
                    sex TEXT NOT NULL,
                    ethnicity TEXT NOT NULL,
                    nationality TEXT NOT NULL,
                    birth_date TEXT NOT NULL,
                    birth_place TEXT,
                    bank TEXT NOT NULL,
                    region_code TEXT NOT NULL,
                    photo BLOB,
                    replacing TEXT,
                    state TEXT NOT NULL,
                    card_number TEXT,
                    card_identification_code TEXT,
                    updated_at TEXT NOT NULL
                );
                CREATE INDEX application_ssn ON application(ssn);
                CREATE INDEX application_card ON application(card_identification_code);
                CREATE TABLE held_card (
                    card_number TEXT PRIMARY KEY NOT NULL,
                    ssn TEXT NOT NULL,
                    region_code TEXT NOT NULL,
                    state TEXT NOT NULL,
                    application_id TEXT,
                    card_identification_code TEXT
                );
                CREATE INDEX held_card_ssn ON held_card(ssn);
                CREATE TABLE answered_request (
                    request_id TEXT PRIMARY KEY NOT NULL,
                    operation TEXT NOT NULL,
                    content TEXT NOT NULL,
                    answer TEXT NOT NULL,
                    at TEXT NOT NULL
                );
                CREATE TABLE status_history (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    application_id TEXT NOT NULL,
                    request_id TEXT NOT NULL,
                    status TEXT NOT NULL,
                    card_number TEXT NOT NULL,
                    terminal TEXT NOT NULL,
                    clerk TEXT NOT NULL,
                    reason TEXT,
                    at TEXT NOT NULL
                );
                CREATE TABLE ca_issuance (
                    card_identification_code TEXT PRIMARY KEY NOT NULL,
                    application_id TEXT NOT NULL,
                    signing_public_key TEXT NOT NULL,
                    items TEXT NOT NULL,
                    master_card_key TEXT NOT NULL,
                    at TEXT NOT NULL
                );
                CREATE TABLE setting (
                    key TEXT PRIMARY KEY NOT NULL,
                    value TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("2 ledger checkpoints") { db in
            // The first head a desk sent for each ledger entry number; never replaced.
            try db.execute(sql: """
                CREATE TABLE ledger_checkpoint (
                    terminal TEXT NOT NULL,
                    sequence INTEGER NOT NULL CHECK (sequence >= 1),
                    head TEXT NOT NULL,
                    at TEXT NOT NULL,
                    PRIMARY KEY (terminal, sequence)
                );
                """)
        }
        migrator.registerMigration("3 desk credentials") { db in
            // The secret each desk signs with (hex): a simulator keeps it in plain form; a real
            // province keeps it in its HSM (docs/province-api.md §4).
            try db.execute(sql: """
                CREATE TABLE desk (
                    desk_id TEXT PRIMARY KEY NOT NULL,
                    secret TEXT NOT NULL,
                    created_at TEXT NOT NULL,
                    rotated_at TEXT
                );
                """)
        }
        migrator.registerMigration("4 old cards") { db in
            // 补卡/换卡 (《广东省社会保障卡经办规程》第二十三条至第三十一条): the old card's bank, whether
            // its chip was read at a desk, what became of it, and every step in order.
            try db.execute(sql: """
                ALTER TABLE held_card ADD COLUMN bank TEXT;
                ALTER TABLE held_card ADD COLUMN chip_confirmed INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE held_card ADD COLUMN disposition TEXT;
                CREATE TABLE old_card_event (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT,
                    card_number TEXT NOT NULL,
                    application_id TEXT NOT NULL,
                    event TEXT NOT NULL,
                    disposition TEXT,
                    terminal TEXT NOT NULL,
                    clerk TEXT NOT NULL,
                    at TEXT NOT NULL
                );
                """)
        }
        return migrator
    }

    // MARK: Rows

    /// One application with the simulator's bookkeeping.
    struct ApplicationRecord: Sendable {
        var application: Application
        var replacing: String?
        var state: ApplicationStatus.State
        var cardNumber: String?
        var cardIdentificationCode: String?

        var status: ApplicationStatus {
            ApplicationStatus(applicationID: application.id, state: state, cardNumber: cardNumber)
        }
    }

    static func fetchApplication(_ db: Database, id: String) throws -> ApplicationRecord? {
        guard let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT * FROM application WHERE id = ?"), arguments: [id]) else { return nil }
        return try record(row)
    }

    static func fetchApplications(_ db: Database, sql: String, arguments: StatementArguments) throws -> [ApplicationRecord] {
        try Row.fetchAll(db, sql: sql, arguments: arguments).map(record)
    }

    private static func record(_ row: Row) throws -> ApplicationRecord {
        let kindText: String = row["kind"], stateText: String = row["state"]
        guard let kind = Application.Kind(rawValue: kindText), let state = ApplicationStatus.State(rawValue: stateText) else {
            throw DatabaseError(message: "province simulator: bad kind \(kindText) or state \(stateText)")
        }
        let photo: Data? = row["photo"]
        let application = Application(
            id: row["id"], kind: kind, name: row["name"], socialSecurityNumber: row["ssn"], sex: row["sex"],
            ethnicity: row["ethnicity"], nationality: row["nationality"], birthDate: row["birth_date"],
            birthPlace: row["birth_place"], bank: row["bank"], regionCode: row["region_code"], photoJPEG: photo)
        return ApplicationRecord(application: application, replacing: row["replacing"], state: state,
                                 cardNumber: row["card_number"], cardIdentificationCode: row["card_identification_code"])
    }

    static func insert(_ db: Database, _ application: Application, replacing: String?, at: String) throws {
        try db.cachedStatement(sql: """
            INSERT INTO application (id, kind, name, ssn, sex, ethnicity, nationality, birth_date, birth_place, bank,
                                     region_code, photo, replacing, state, card_number, card_identification_code, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?)
            """).execute(arguments: [application.id, application.kind.rawValue, application.name, application.socialSecurityNumber,
                                     application.sex, application.ethnicity, application.nationality, application.birthDate,
                                     application.birthPlace, application.bank, application.regionCode, application.photoJPEG,
                                     replacing, ApplicationStatus.State.awaitingProduction.rawValue, at])
    }

    static func update(_ db: Database, _ record: ApplicationRecord, at: String) throws {
        try db.cachedStatement(sql: """
            UPDATE application SET state = ?, card_number = ?, card_identification_code = ?, updated_at = ? WHERE id = ?
            """).execute(arguments: [record.state.rawValue, record.cardNumber, record.cardIdentificationCode, at, record.application.id])
    }

    static func heldCards(_ db: Database, ssn: String) throws -> [(card: ExistingCard, applicationID: String?)] {
        try Row.fetchAll(
            db.cachedStatement(sql: "SELECT * FROM held_card WHERE ssn = ? ORDER BY card_number"), arguments: [ssn]).map { row in
            (ExistingCard(cardNumber: row["card_number"], regionCode: row["region_code"], state: row["state"]), row["application_id"])
        }
    }

    static func insertHeldCard(_ db: Database, cardNumber: String, ssn: String, regionCode: String, state: String,
                               applicationID: String?, cardIdentificationCode: String?) throws {
        try db.cachedStatement(sql: """
            INSERT INTO held_card (card_number, ssn, region_code, state, application_id, card_identification_code)
            VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [cardNumber, ssn, regionCode, state, applicationID, cardIdentificationCode])
    }

    // MARK: Requests

    struct AnsweredRequest: Sendable {
        var operation: String
        var content: String
        var answer: String
    }

    static func answeredRequest(_ db: Database, id: String) throws -> AnsweredRequest? {
        try Row.fetchOne(
            db.cachedStatement(sql: "SELECT operation, content, answer FROM answered_request WHERE request_id = ?"), arguments: [id]).map {
            AnsweredRequest(operation: $0["operation"], content: $0["content"], answer: $0["answer"])
        }
    }

    static func recordAnswer(_ db: Database, id: String, _ answered: AnsweredRequest, at: String) throws {
        try db.cachedStatement(sql: "INSERT INTO answered_request (request_id, operation, content, answer, at) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [id, answered.operation, answered.content, answered.answer, at])
    }

    // MARK: Settings

    static func setting(_ db: Database, _ key: String) throws -> String? {
        try String.fetchOne(db.cachedStatement(sql: "SELECT value FROM setting WHERE key = ?"), arguments: [key])
    }

    static func setSetting(_ db: Database, _ key: String, _ value: String) throws {
        try db.cachedStatement(sql: "INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .execute(arguments: [key, value])
    }
}
