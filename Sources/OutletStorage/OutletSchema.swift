import Foundation
import Logging
import PostgresNIO

/// The outlet books' schema in PostgreSQL, as numbered migrations. The station runs them at
/// start (`PostgresOutletBooks.open(migrate:)`) or `issue-station storage migrate` does, as the
/// role that owns the tables; desks log in as their own roles, members of `sscard_desk`, which
/// may read and write only their outlet's rows (row-level security). `sscard_city` reads every
/// outlet (the city stock report). Never edit a shipped migration: add one.
public enum OutletSchema {
    public struct Migration: Sendable {
        public var version: Int
        public var name: String
        var sql: String
    }

    public static var latest: Int { migrations.last!.version }

    /// Applies the migrations the database lacks, each in its own transaction, under an advisory
    /// lock so desks starting together do not race. Returns the versions applied now.
    /// `upTo` stops at an older version (the tests of an upgrade in place start there).
    @discardableResult
    public static func migrate(_ connection: PostgresConnection, upTo: Int = latest, logger: Logger) async throws -> [Int] {
        // Up to date: nothing to do, and nothing a desk role (which may not create tables) can't read.
        let present = Set(try await appliedVersions(connection, logger: logger))
        if migrations.allSatisfy({ present.contains($0.version) || $0.version > upTo }) { return [] }
        try await connection.query("SELECT pg_advisory_lock(\(lockKey))", logger: logger)
        do {
            let applied = try await migrateLocked(connection, upTo: upTo, logger: logger)
            try await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
            return applied
        } catch {
            _ = try? await connection.query("SELECT pg_advisory_unlock(\(lockKey))", logger: logger)
            throw error
        }
    }

    /// The versions recorded in the database, oldest first (empty before the first migration).
    public static func appliedVersions(_ connection: PostgresConnection, logger: Logger) async throws -> [Int] {
        let exists = try await connection.query("SELECT to_regclass('public.schema_migration') IS NOT NULL", logger: logger)
        var present = false
        for try await (p) in exists.decode(Bool.self) { present = p }
        guard present else { return [] }
        var versions: [Int] = []
        for try await (v) in try await connection.query("SELECT version FROM schema_migration ORDER BY version", logger: logger)
            .decode(Int.self) { versions.append(v) }
        return versions
    }

    static let lockKey: Int64 = 0x5353_4341_5244_0001  // "SSCARD" 1

    private static func migrateLocked(_ connection: PostgresConnection, upTo: Int, logger: Logger) async throws -> [Int] {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS schema_migration (
                version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())
            """, logger: logger)
        let done = Set(try await appliedVersions(connection, logger: logger))
        if let newest = done.max(), newest > latest { throw OutletStorageError.schemaTooNew(database: newest, known: latest) }
        var applied: [Int] = []
        for m in migrations where !done.contains(m.version) && m.version <= upTo {
            try await connection.query("BEGIN", logger: logger)
            do {
                // One statement per query (the extended protocol takes one); a statement ends
                // with `;` at the end of a line, so DO blocks and functions stay on one line.
                for statement in m.sql.components(separatedBy: ";\n") where !statement.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migration (version, name) VALUES (\(m.version), \(m.name))", logger: logger)
                try await connection.query("COMMIT", logger: logger)
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: logger)
                throw OutletStorageError.wrap(error)
            }
            applied.append(m.version)
        }
        return applied
    }

    /// Rows of a table belong to an outlet; a desk role sees its outlet's rows only.
    private static func outletPolicies(_ table: String) -> String {
        """
        ALTER TABLE \(table) ENABLE ROW LEVEL SECURITY;
        CREATE POLICY \(table)_outlet ON \(table) TO sscard_desk
            USING (outlet IN (SELECT m.outlet FROM outlet_member m WHERE m.role_name = current_user))
            WITH CHECK (outlet IN (SELECT m.outlet FROM outlet_member m WHERE m.role_name = current_user));
        CREATE POLICY \(table)_city ON \(table) FOR SELECT TO sscard_city USING (true);

        """
    }

    public static let migrations: [Migration] = [
        Migration(version: 1, name: "roles, outlets, stock, moves, ledger", sql: """
            DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sscard_desk') THEN CREATE ROLE sscard_desk NOLOGIN; END IF; IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sscard_city') THEN CREATE ROLE sscard_city NOLOGIN; END IF; END $$;
            CREATE TABLE outlet (
                code text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
                name text NOT NULL DEFAULT '');
            CREATE TABLE outlet_member (
                role_name text PRIMARY KEY,
                outlet text NOT NULL REFERENCES outlet (code));
            ALTER TABLE outlet_member ENABLE ROW LEVEL SECURITY;
            CREATE POLICY outlet_member_self ON outlet_member FOR SELECT TO sscard_desk USING (role_name = current_user);
            CREATE POLICY outlet_member_city ON outlet_member FOR SELECT TO sscard_city USING (true);
            CREATE TABLE yzkcg_import (
                id bigserial PRIMARY KEY,
                outlet text NOT NULL REFERENCES outlet (code),
                file_name text NOT NULL,
                bank text NOT NULL,
                batch text NOT NULL,
                card_count integer NOT NULL CHECK (card_count >= 0),
                content_sm3 text NOT NULL,
                imported_at text NOT NULL,
                imported_by text NOT NULL,
                desk text NOT NULL,
                token text NOT NULL,
                UNIQUE (outlet, file_name),
                UNIQUE (outlet, content_sm3));
            CREATE TABLE pre_made_card (
                outlet text NOT NULL,
                card_number text NOT NULL,
                card_identification_code text NOT NULL,
                reset_code text NOT NULL,
                personal_account text NOT NULL,
                bank_card_number text NOT NULL,
                bank_account text NOT NULL,
                packing_position text NOT NULL,
                make_date text NOT NULL,
                expiry_date text NOT NULL,
                bank text NOT NULL,
                import_id bigint NOT NULL REFERENCES yzkcg_import (id),
                sequence integer NOT NULL,
                state text NOT NULL CHECK (state IN ('inStock', 'inHopper', 'reserved', 'issued', 'spoiled', 'returned')),
                desk text,
                hopper integer CHECK (hopper BETWEEN 1 AND 9),
                application_id text,
                spoil_reason text,
                updated_at text NOT NULL,
                updated_by text NOT NULL,
                PRIMARY KEY (outlet, card_number),
                UNIQUE (outlet, card_identification_code),
                UNIQUE (outlet, bank_card_number),
                CHECK ((hopper IS NOT NULL) = (state IN ('inHopper', 'reserved'))),
                CHECK ((desk IS NOT NULL) = (hopper IS NOT NULL)),
                CHECK ((application_id IS NOT NULL) = (state IN ('reserved', 'issued'))),
                CHECK ((spoil_reason IS NOT NULL) = (state = 'spoiled')));
            CREATE INDEX pre_made_card_free ON pre_made_card (outlet, bank, state, import_id, sequence);
            CREATE INDEX pre_made_card_at_desk ON pre_made_card (outlet, desk, state);
            CREATE UNIQUE INDEX pre_made_card_one_reservation ON pre_made_card (outlet, application_id) WHERE state = 'reserved';
            CREATE UNIQUE INDEX pre_made_card_one_issue ON pre_made_card (outlet, application_id) WHERE state = 'issued';
            CREATE TABLE card_movement (
                id bigserial PRIMARY KEY,
                outlet text NOT NULL,
                card_number text NOT NULL,
                from_state text,
                to_state text NOT NULL,
                from_place text,
                to_place text NOT NULL,
                application_id text,
                reason text,
                desk text NOT NULL,
                clerk text NOT NULL,
                at text NOT NULL);
            CREATE INDEX card_movement_by_card ON card_movement (outlet, card_number, id);
            CREATE TABLE ledger_entry (
                outlet text NOT NULL REFERENCES outlet (code),
                seq bigint NOT NULL CHECK (seq >= 1),
                desk text NOT NULL,
                recorded_at text NOT NULL,
                clerk text NOT NULL CHECK (clerk <> ''),
                action text NOT NULL,
                subject text NOT NULL,
                details text NOT NULL,
                previous_hash text NOT NULL,
                hash text NOT NULL,
                PRIMARY KEY (outlet, seq));
            CREATE TABLE outlet_document (
                id bigserial PRIMARY KEY,
                outlet text NOT NULL REFERENCES outlet (code),
                desk text NOT NULL,
                kind text NOT NULL,
                name text NOT NULL,
                content bytea NOT NULL,
                created_at text NOT NULL,
                UNIQUE (outlet, kind, name));
            CREATE FUNCTION sscard_append_only() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RAISE EXCEPTION '台账与出入库登记只能追加 the ledger and the card moves are append-only'; END $f$;
            CREATE TRIGGER ledger_entry_append_only BEFORE UPDATE OR DELETE ON ledger_entry
                FOR EACH ROW EXECUTE FUNCTION sscard_append_only();
            CREATE TRIGGER card_movement_append_only BEFORE UPDATE OR DELETE ON card_movement
                FOR EACH ROW EXECUTE FUNCTION sscard_append_only();
            \(outletPolicies("yzkcg_import"))\(outletPolicies("pre_made_card"))\(outletPolicies("card_movement"))\(outletPolicies("ledger_entry"))\(outletPolicies("outlet_document"))
            CREATE POLICY outlet_own ON outlet FOR SELECT TO sscard_desk
                USING (code IN (SELECT m.outlet FROM outlet_member m WHERE m.role_name = current_user));
            CREATE POLICY outlet_city ON outlet FOR SELECT TO sscard_city USING (true);
            ALTER TABLE outlet ENABLE ROW LEVEL SECURITY;
            GRANT SELECT ON outlet, outlet_member, schema_migration TO sscard_desk, sscard_city;
            GRANT SELECT, INSERT ON yzkcg_import, card_movement, ledger_entry, outlet_document TO sscard_desk;
            GRANT SELECT, INSERT, UPDATE ON pre_made_card TO sscard_desk;
            GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO sscard_desk;
            GRANT SELECT ON yzkcg_import, pre_made_card, card_movement, ledger_entry, outlet_document TO sscard_city
            """),
        // The import's per-row work (docs/performance.md §7): PostgreSQL checks a foreign key
        // row by row (1.4 s of a 100,000-card import) and indexed every card under the desk
        // index though a card in the safe has no desk; and loading a hopper sorted every free
        // card of the outlet (its ORDER BY did not match the index): the free-card index now
        // follows that order and holds only cards in the safe. What the foreign key guarded holds
        // by the import itself and by what a desk may do: the `yzkcg_import` row and its cards
        // are inserted in one transaction (`importReturnFile`), the row can never be changed or
        // deleted (trigger below), a desk may change only a card's state columns (so no card
        // moves to another import), and `checkInvariants` counts cards whose import is missing.
        Migration(version: 2, name: "import without per-row foreign key; desk and free-card indexes fitted to their queries", sql: """
            ALTER TABLE pre_made_card DROP CONSTRAINT pre_made_card_import_id_fkey;
            CREATE FUNCTION sscard_import_kept() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN RAISE EXCEPTION '导入记录不能修改或删除 an import record cannot be changed or deleted'; END $f$;
            CREATE TRIGGER yzkcg_import_kept BEFORE UPDATE OR DELETE ON yzkcg_import
                FOR EACH ROW EXECUTE FUNCTION sscard_import_kept();
            CREATE TRIGGER yzkcg_import_kept_truncate BEFORE TRUNCATE ON yzkcg_import
                FOR EACH STATEMENT EXECUTE FUNCTION sscard_import_kept();
            REVOKE UPDATE ON pre_made_card FROM sscard_desk;
            GRANT UPDATE (state, desk, hopper, application_id, spoil_reason, updated_at, updated_by) ON pre_made_card TO sscard_desk;
            DROP INDEX pre_made_card_at_desk;
            CREATE INDEX pre_made_card_at_desk ON pre_made_card (outlet, desk, state) WHERE desk IS NOT NULL;
            DROP INDEX pre_made_card_free;
            CREATE INDEX pre_made_card_free ON pre_made_card (outlet, bank, (state = 'inStock'), import_id, sequence)
                WHERE state IN ('inStock', 'returned')
            """),
        // The counter asks the outlet's chain about one application or card (一人一卡 before every
        // issuance, a card made at another desk for the handover, `faces purge`): an index by
        // subject, so that read does not walk the outlet's years of entries.
        Migration(version: 3, name: "ledger entries by subject", sql: """
            CREATE INDEX ledger_entry_by_subject ON ledger_entry (outlet, subject, seq)
            """),
        // The import (docs/performance.md §7, "Schema version 4"): most of its INSERT went to
        // comparing index keys that all began with the outlet's code, the same text for every card
        // of an import, so each comparison stepped past it to the next column, which PostgreSQL
        // finds the slow way behind a text column; and row-level security refuses COPY, so the
        // cards went through a temporary table first. The cards are now partitioned by outlet:
        // a desk COPYs its import straight into its outlet's partition (INSERT is all a desk may
        // do there, and only into its own outlet's: `sscard_partition_insert`), while every read
        // and change still goes through `pre_made_card` under row-level security. The unique keys
        // start with the card's own value and end with the outlet (the same "once per outlet"
        // guarantee); the safe's cards are indexed by import and 序号, the order the hopper load
        // follows (an import is one outlet's and one bank's), returned cards apart.
        Migration(version: 4, name: "cards partitioned by outlet, imported by COPY; card keys before the outlet; the safe by import", sql: """
            ALTER TABLE pre_made_card RENAME TO pre_made_card_before_4;
            CREATE TABLE pre_made_card (
                outlet text NOT NULL,
                card_number text NOT NULL,
                card_identification_code text NOT NULL,
                reset_code text NOT NULL,
                personal_account text NOT NULL,
                bank_card_number text NOT NULL,
                bank_account text NOT NULL,
                packing_position text NOT NULL,
                make_date text NOT NULL,
                expiry_date text NOT NULL,
                bank text NOT NULL,
                import_id bigint NOT NULL,
                sequence integer NOT NULL,
                state text NOT NULL CHECK (state IN ('inStock', 'inHopper', 'reserved', 'issued', 'spoiled', 'returned')),
                desk text,
                hopper integer CHECK (hopper BETWEEN 1 AND 9),
                application_id text,
                spoil_reason text,
                updated_at text NOT NULL,
                updated_by text NOT NULL,
                CHECK ((hopper IS NOT NULL) = (state IN ('inHopper', 'reserved'))),
                CHECK ((desk IS NOT NULL) = (hopper IS NOT NULL)),
                CHECK ((application_id IS NOT NULL) = (state IN ('reserved', 'issued'))),
                CHECK ((spoil_reason IS NOT NULL) = (state = 'spoiled'))) PARTITION BY LIST (outlet);
            CREATE FUNCTION sscard_partition_insert() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN IF NOT EXISTS (SELECT FROM outlet_member WHERE role_name = current_user AND outlet = TG_ARGV[0]) AND NOT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'MEMBER') THEN RAISE EXCEPTION '只能向本网点导入预制卡 a desk imports cards into its own outlet only' USING ERRCODE = '42501'; END IF; RETURN NULL; END $f$;
            CREATE FUNCTION sscard_outlet_partition(code text) RETURNS void LANGUAGE plpgsql AS $f$ DECLARE part text := 'pre_made_card_' || code; BEGIN IF to_regclass(quote_ident(part)) IS NULL THEN EXECUTE format('CREATE TABLE %I PARTITION OF pre_made_card FOR VALUES IN (%L)', part, code); EXECUTE format('GRANT INSERT ON %I TO sscard_desk', part); EXECUTE format('CREATE TRIGGER desk_of_outlet BEFORE INSERT ON %I FOR EACH STATEMENT EXECUTE FUNCTION sscard_partition_insert(%L)', part, code); END IF; END $f$;
            DO $$ DECLARE o text; BEGIN FOR o IN SELECT code FROM outlet LOOP PERFORM sscard_outlet_partition(o); END LOOP; END $$;
            INSERT INTO pre_made_card SELECT * FROM pre_made_card_before_4;
            DROP TABLE pre_made_card_before_4;
            ALTER TABLE pre_made_card ADD CONSTRAINT pre_made_card_pkey PRIMARY KEY (card_number, outlet);
            ALTER TABLE pre_made_card ADD CONSTRAINT pre_made_card_card_identification_code_key UNIQUE (card_identification_code, outlet);
            ALTER TABLE pre_made_card ADD CONSTRAINT pre_made_card_bank_card_number_key UNIQUE (bank_card_number, outlet);
            CREATE INDEX pre_made_card_at_desk ON pre_made_card (outlet, desk, state) WHERE desk IS NOT NULL;
            CREATE UNIQUE INDEX pre_made_card_one_reservation ON pre_made_card (outlet, application_id) WHERE state = 'reserved';
            CREATE UNIQUE INDEX pre_made_card_one_issue ON pre_made_card (outlet, application_id) WHERE state = 'issued';
            CREATE INDEX pre_made_card_in_safe ON pre_made_card (import_id, sequence) WHERE state = 'inStock';
            CREATE INDEX pre_made_card_returned ON pre_made_card (outlet, bank, import_id, sequence) WHERE state = 'returned';
            \(outletPolicies("pre_made_card"))GRANT SELECT, INSERT ON pre_made_card TO sscard_desk;
            GRANT UPDATE (state, desk, hopper, application_id, spoil_reason, updated_at, updated_by) ON pre_made_card TO sscard_desk;
            GRANT SELECT ON pre_made_card TO sscard_city
            """),
        // The counter's lists over the outlet's years (cards waiting for their holder at any
        // desk, cards not collected in six months) read the entries of a few actions, and the
        // daily report and ledger page one day's: indexes so neither walks the whole chain.
        Migration(version: 5, name: "ledger entries by action and by time", sql: """
            CREATE INDEX ledger_entry_by_action ON ledger_entry (outlet, action, seq);
            CREATE INDEX ledger_entry_by_time ON ledger_entry (outlet, recorded_at COLLATE "C")
            """),
    ]
}
