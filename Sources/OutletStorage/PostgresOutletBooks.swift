import Foundation
import InstantIssue
import Logging
import PostgresNIO
import SSCardDriver

/// The books of an outlet in PostgreSQL, as one desk sees them: the outlet's safe and every
/// desk's hoppers, the recorded moves and the outlet's ledger chain. Several desk processes
/// (and several outlets) share one database; each call is one transaction.
///
/// - A card is in the outlet's safe (`inStock`, `returned`) or in one desk's hopper (`desk`,
///   `hopper`); every move is a `card_movement` row naming both places, the desk and the clerk.
/// - Loading a hopper takes free cards with `FOR UPDATE SKIP LOCKED`, so two desks loading at
///   once get different cards without waiting on each other; reserving does the same within
///   the desk's hoppers; a partial unique index keeps one reservation per application.
/// - The outlet's ledger chain is appended under the outlet's advisory lock in the same
///   transaction (`OutletLedgerChain`).
///
/// A lost connection (the server restarted, the network cut) is retried with a new connection
/// for `reconnectWindow`; then the call throws `OutletStorageError.unreachable`. The calls are
/// idempotent where a repeat could follow a commit whose answer was lost (`OutletBooks`).
public actor PostgresOutletBooks: OutletBooks {
    public nonisolated let outlet: String
    public nonisolated let desk: String
    public nonisolated var storeName: String { "postgresql" }
    public nonisolated let location: PostgresLocation
    let logger: Logger
    let reconnectWindow: Duration
    /// The longest one call may take on one connection.
    let callTimeout: Duration = .seconds(15)
    /// The longest an import may take on one connection (180 s by default: a 100,000-card file
    /// took 15–30 s with a debug build on a loaded machine).
    let importTimeout: Duration
    let clock: @Sendable () -> Date
    private var connection: PostgresConnection?
    private var connectionCount = 0
    /// The calls under way (`bounded`), for `close()` to cancel.
    private var calls: [Int: Task<Void, Never>] = [:]
    private var callCount = 0
    /// Set by `close()`: no call starts or is repeated after it.
    private var isClosed = false

    /// Connects as the desk's role and checks that the role is a desk of `outlet`. With
    /// `migrate`, first applies missing schema migrations (the role must own the schema).
    public static func open(location: PostgresLocation, outlet: String, desk: String, migrate: Bool = false,
                            reconnectWindow: Duration = .seconds(30), importTimeout: Duration = .seconds(180),
                            clock: @escaping @Sendable () -> Date = { Date() },
                            logger: Logger = Logger(label: "sscard.outlet")) async throws -> PostgresOutletBooks {
        let books = PostgresOutletBooks(location: location, outlet: outlet, desk: desk, reconnectWindow: reconnectWindow,
                                        importTimeout: importTimeout, clock: clock, logger: logger)
        do {
            try await books.start(migrate: migrate)
        } catch {
            try? await books.close()  // PostgresConnection must be closed before it goes away
            throw error
        }
        return books
    }

    init(location: PostgresLocation, outlet: String, desk: String, reconnectWindow: Duration, importTimeout: Duration,
         clock: @escaping @Sendable () -> Date, logger: Logger) {
        self.location = location; self.outlet = outlet; self.desk = desk
        self.reconnectWindow = reconnectWindow; self.importTimeout = importTimeout; self.clock = clock; self.logger = logger
    }

    private func start(migrate: Bool) async throws {
        try await run { c in
            if migrate { try await OutletSchema.migrate(c, logger: self.logger) }
            let versions = try await OutletSchema.appliedVersions(c, logger: self.logger)
            if let newest = versions.max(), newest > OutletSchema.latest {
                throw OutletStorageError.schemaTooNew(database: newest, known: OutletSchema.latest)
            }
            // The owner of the tables sees every outlet; a desk role must be a member of its outlet.
            let member = try await c.query("""
                SELECT EXISTS (SELECT 1 FROM outlet WHERE code = \(self.outlet))
                """, logger: self.logger)
            var found = false
            for try await (f) in member.decode(Bool.self) { found = f }
            guard found else { throw OutletStorageError.notOutletMember(role: self.location.role, outlet: self.outlet) }
        }
    }

    /// A desk that forgot `close()` (or was left by an error) still closes its connection.
    deinit {
        if let connection, !connection.isClosed { connection.close().whenComplete { _ in } }
    }

    /// Closes the connection. A call still under way (the station shutting down mid-import) is
    /// cancelled first and given `cancelGrace` to end, as at a deadline (`bounded`): a COPY
    /// cancelled ends with CopyFail and the server rolls it back, while closing the connection
    /// under it would stop the process. The cancelled call throws `OutletStorageError.closed`.
    public func close() async throws {
        isClosed = true
        if !calls.isEmpty {
            calls.values.forEach { $0.cancel() }
            let giveUp = ContinuousClock.now + Self.cancelGrace
            while !calls.isEmpty, ContinuousClock.now < giveUp { try? await Task.sleep(for: .milliseconds(5)) }
        }
        if let connection { try? await connection.close() }
        connection = nil
    }

    /// The connection for one call: a new one when the last was lost.
    private func connected() async throws -> PostgresConnection {
        if let connection, !connection.isClosed { return connection }
        connectionCount += 1
        let c = try await location.connect(id: connectionCount, logger: logger)
        connection = c
        return c
    }

    /// Runs `body` on a live connection, reconnecting and repeating it after a connection loss
    /// until `reconnectWindow` has passed.
    func run<T: Sendable>(within limit: Duration? = nil, _ body: @escaping (PostgresConnection) async throws -> T) async throws -> T {
        let started = ContinuousClock.now
        var pause = Duration.milliseconds(100)
        while true {
            guard !isClosed else { throw OutletStorageError.closed }
            do {
                let c = try await connected()
                return try await bounded(on: c, within: limit ?? callTimeout, body)
            } catch {
                if isClosed { throw OutletStorageError.closed }
                guard error is CallTimedOut || OutletStorageError.isConnectionLoss(error) || connection?.isClosed == true else {
                    throw OutletStorageError.wrap(error)
                }
                if let c = connection { try? await c.close() }
                connection = nil
                guard ContinuousClock.now - started < reconnectWindow else {
                    throw OutletStorageError.unreachable(location: location.description,
                                                         seconds: Int(reconnectWindow.components.seconds),
                                                         reason: OutletStorageError.summary(error))
                }
                logger.warning("outlet database connection lost, retrying", metadata: ["error": "\(OutletStorageError.summary(error))"])
                try await Task.sleep(for: pause)
                pause = min(pause * 2, .seconds(2))
            }
        }
    }

    /// A call that passed `callTimeout` on one connection (`bounded`).
    struct CallTimedOut: Error {}

    /// `body` on `c`, given up after `callTimeout`. A call on a connection that died under it
    /// has been seen to wait for ever (a query sent as the server shut down, on a connection
    /// that already counts as closed, so closing it again fails nothing): the caller does not
    /// wait for the call to end, only for its answer or the deadline; the connection is closed
    /// and `run` repeats the call on a new one (every call is one transaction, never committed
    /// on a connection that gave no answer). At the deadline the call is first cancelled, and
    /// the connection closed only once the call has ended or `cancelGrace` has passed: a COPY
    /// cancelled ends with CopyFail and the server's answer, while closing the connection under
    /// a COPY stops the process (PostgresNIO 1.33: "Invalid query state machine action in
    /// state: .closing, action: wait").
    private func bounded<T: Sendable>(on c: PostgresConnection, within limit: Duration,
                                      _ body: @escaping (PostgresConnection) async throws -> T) async throws -> T {
        let (answers, answer) = AsyncThrowingStream<T, any Error>.makeStream()
        callCount += 1
        let id = callCount
        let call = Task { [self] in
            // The call runs on this actor, as `body` was written to.
            defer { self.calls[id] = nil }
            do { answer.yield(try await body(c)); answer.finish() } catch { answer.finish(throwing: error) }
        }
        calls[id] = call
        let deadline = Task {
            try await Task.sleep(for: limit)
            call.cancel()
            try await Task.sleep(for: Self.cancelGrace)
            // No end even to the cancel: the server is gone, and closing is all that is left.
            c.close().whenComplete { _ in }
            answer.finish(throwing: CallTimedOut())
        }
        defer { deadline.cancel() }
        do {
            for try await value in answers { return value }
            throw CallTimedOut()
        } catch {
            // Whatever a call cancelled at its deadline threw, it timed out.
            if call.isCancelled { throw CallTimedOut() }
            throw error
        }
    }

    /// How long a call cancelled at its deadline is given to end before its connection is closed.
    static let cancelGrace: Duration = .seconds(2)

    /// One transaction: BEGIN, `body`, COMMIT; ROLLBACK and rethrow on error.
    func transaction<T: Sendable>(within limit: Duration? = nil,
                                  _ body: @escaping (PostgresConnection, String) async throws -> T) async throws -> T {
        try await run(within: limit) { c in
            let at = StationTimestamp(self.clock()).text
            try await c.query("BEGIN", logger: self.logger)
            do {
                let value = try await body(c, at)
                try await c.query("COMMIT", logger: self.logger)
                return value
            } catch {
                if !c.isClosed { _ = try? await c.query("ROLLBACK", logger: self.logger) }
                throw error
            }
        }
    }

    // MARK: Moves

    public func loadHopper(_ hopper: Hopper, bank: String, count: Int, by clerk: String) async throws -> [CardNumber] {
        precondition(count > 0, "load at least one card")
        try Self.requireClerk(clerk)
        return try await transaction { c, at in
            try await self.loadFromSafe(c, into: hopper, bank: bank, count: count, by: clerk, at: at).map(Self.cardNumber)
        }
    }

    /// 装卡 within the caller's transaction: `count` cards of `bank` from the outlet's safe (returned
    /// cards first, then by import order, skipping cards another desk has locked) into this desk's
    /// `hopper`, each move recorded. Refuses a hopper holding another bank's cards or a safe with too
    /// few. Gives back the card numbers as the books hold them.
    func loadFromSafe(_ c: PostgresConnection, into hopper: Hopper, bank: String, count: Int, by clerk: String,
                      at: String) async throws -> [String] {
        try await requireHopper(c, hopper, acceptsBank: bank)
        var picked: [(String, String)] = []
        for try await (n) in try await c.query("""
            SELECT card_number FROM pre_made_card
            WHERE outlet = \(outlet) AND bank = \(bank) AND state = 'returned'
            ORDER BY import_id, sequence LIMIT \(count) FOR UPDATE SKIP LOCKED
            """, logger: logger).decode(String.self) { picked.append((n, "returned")) }
        // Then import by import (an import is one bank's cards), each by 序号: the safe's index
        // is by import and 序号 (schema version 4), so each step reads only the cards it takes.
        if picked.count < count {
            var imports: [Int64] = []
            for try await (id) in try await c.query("""
                SELECT y.id FROM yzkcg_import y WHERE y.outlet = \(outlet) AND y.bank = \(bank)
                AND EXISTS (SELECT FROM pre_made_card p WHERE p.import_id = y.id AND p.state = 'inStock')
                ORDER BY y.id
                """, logger: logger).decode(Int64.self) { imports.append(id) }
            for id in imports where picked.count < count {
                for try await (n) in try await c.query("""
                    SELECT card_number FROM pre_made_card WHERE import_id = \(id) AND outlet = \(outlet) AND state = 'inStock'
                    ORDER BY sequence LIMIT \(count - picked.count) FOR UPDATE SKIP LOCKED
                    """, logger: logger).decode(String.self) { picked.append((n, "inStock")) }
            }
        }
        guard picked.count == count else {
            throw InventoryError.notEnoughStock(bank: bank, wanted: count, available: picked.count)
        }
        for (number, state) in picked {
            try await move(c, number, from: state, fromPlace: "safe", to: "inHopper", hopper: hopper,
                           application: nil, spoilReason: nil, reason: nil, action: "card.load", bank: bank,
                           clerk: clerk, at: at)
        }
        return picked.map(\.0)
    }

    public func freeCards(in hopper: Hopper) async throws -> Int {
        try await run { c in
            var n = 0
            for try await (k) in try await c.query("""
                SELECT count(*)::bigint FROM pre_made_card WHERE outlet = \(self.outlet) AND desk = \(self.desk)
                AND hopper = \(hopper.rawValue) AND state = 'inHopper'
                """, logger: self.logger).decode(Int.self) { n = k }
            return n
        }
    }

    public func reserve(bank: String, applicationID: String, by clerk: String) async throws -> CardNumber {
        try Self.requireClerk(clerk)
        return try await transaction { c, at in
            if let held = try await self.card(c, "state = 'reserved' AND application_id = ", applicationID) {
                return try Self.cardNumber(held.number)
            }
            if let issued = try await self.card(c, "state = 'issued' AND application_id = ", applicationID) {
                throw InventoryError.alreadyIssued(applicationID: applicationID, cardNumber: try Self.cardNumber(issued.number))
            }
            var free: (String, Int)?
            // SKIP LOCKED first; then waiting: another desk's load may hold a lock on this desk's
            // card for a moment (READ COMMITTED keeps the lock of a row it rechecked and skipped).
            for lock in Self.freeCardLocks where free == nil {
                for try await (n, h) in try await c.query("""
                    SELECT card_number, hopper FROM pre_made_card
                    WHERE outlet = \(self.outlet) AND desk = \(self.desk) AND state = 'inHopper' AND bank = \(bank)
                    ORDER BY hopper, import_id, sequence LIMIT 1 \(unescaped: lock)
                    """, logger: self.logger).decode((String, Int).self) { free = (n, h) }
            }
            guard let free, let hopper = Hopper(rawValue: free.1) else { throw InventoryError.noCardInHopper(bank: bank) }
            try await self.move(c, free.0, from: "inHopper", fromPlace: self.place(hopper), to: "reserved", hopper: hopper,
                                application: applicationID, spoilReason: nil, reason: nil, action: "card.reserve", bank: bank,
                                clerk: clerk, at: at)
            return try Self.cardNumber(free.0)
        }
    }

    public func markIssued(_ cardNumber: CardNumber, applicationID: String, by clerk: String) async throws {
        try Self.requireClerk(clerk)
        try await transaction { c, at in
            guard let card = try await self.lockedCard(c, cardNumber) else { throw InventoryError.unknownCard(cardNumber) }
            if card.state == "issued", card.application == applicationID { return }
            guard card.state == "reserved" else {
                throw InventoryError.notAllowed(cardNumber: cardNumber, state: card.kindState, action: .issue)
            }
            guard card.application == applicationID else {
                throw InventoryError.reservedForAnotherApplication(cardNumber: cardNumber, applicationID: card.application ?? "")
            }
            try await self.move(c, card.number, from: "reserved", fromPlace: card.place, to: "issued", hopper: nil,
                                application: applicationID, spoilReason: nil, reason: nil, action: "card.issue",
                                bank: card.bank, clerk: clerk, at: at)
        }
    }

    public func markSpoiled(_ cardNumber: CardNumber, reason: String, by clerk: String) async throws {
        try Self.requireClerk(clerk)
        let why = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !why.isEmpty else { throw InventoryError.reasonRequired(cardNumber: cardNumber) }
        try await transaction { c, at in
            guard let card = try await self.lockedCard(c, cardNumber) else { throw InventoryError.unknownCard(cardNumber) }
            if card.state == "spoiled" { return }
            guard card.state != "issued" else {
                throw InventoryError.notAllowed(cardNumber: cardNumber, state: card.kindState, action: .spoil)
            }
            try await self.move(c, card.number, from: card.state, fromPlace: card.place, to: "spoiled", hopper: nil,
                                application: card.state == "reserved" ? card.application : nil, spoilReason: why, reason: why,
                                action: "card.spoil", bank: card.bank, clerk: clerk, at: at)
        }
    }

    public func releaseReservation(applicationID: String, by clerk: String) async throws {
        try Self.requireClerk(clerk)
        try await transaction { c, at in
            guard let held = try await self.card(c, "state = 'reserved' AND application_id = ", applicationID),
                  let card = try await self.lockedCard(c, try Self.cardNumber(held.number)), card.state == "reserved",
                  let hopper = card.hopper.flatMap(Hopper.init(rawValue:)) else {
                throw InventoryError.noReservation(applicationID: applicationID)
            }
            try await self.move(c, card.number, from: "reserved", fromPlace: card.place, to: "inHopper", hopper: hopper,
                                application: applicationID, spoilReason: nil, reason: nil, action: "card.release",
                                bank: card.bank, clerk: clerk, at: at, keepDesk: card.desk)
        }
    }

    public func reservations() async throws -> [(card: CardNumber, applicationID: String)] {
        try await run { c in
            var out: [(card: CardNumber, applicationID: String)] = []
            for try await (n, a) in try await c.query("""
                SELECT card_number, application_id FROM pre_made_card
                WHERE outlet = \(self.outlet) AND desk = \(self.desk) AND state = 'reserved' ORDER BY card_number
                """, logger: self.logger).decode((String, String).self) { out.append((try Self.cardNumber(n), a)) }
            return out
        }
    }

    public func appendLedger(clerk: String, action: String, subject: String, details: String) async throws {
        guard !clerk.trimmingCharacters(in: .whitespaces).isEmpty else { throw AuditLedgerError.clerkRequired }
        try await transaction { c, at in
            try await self.appendLedger(c, at: at, clerk: clerk, action: action, subject: subject, details: details)
        }
    }

    // MARK: Internals

    struct StoredCard {
        var number: String, state: String, bank: String, desk: String?, hopper: Int?, application: String?
        var place: String { desk.map { "\($0)/\(hopper ?? 0)" } ?? "safe" }
        var kindState: PreMadeCardState {
            switch state {
            case "inHopper": .inHopper(Hopper(rawValue: hopper ?? 1) ?? Hopper(rawValue: 1)!)
            case "reserved": .reserved(applicationID: application ?? "")
            case "issued": .issued(applicationID: application ?? "")
            case "spoiled": .spoiled(reason: "")
            case "returned": .returned
            default: .inStock
            }
        }
    }

    func place(_ hopper: Hopper) -> String { "\(desk)/\(hopper.rawValue)" }

    /// How a reservation locks the free card it takes: without waiting first, then waiting.
    static let freeCardLocks = ["FOR UPDATE SKIP LOCKED", "FOR UPDATE"]

    func card(_ c: PostgresConnection, _ condition: String, _ value: String) async throws -> StoredCard? {
        var q = PostgresQuery(unsafeSQL: "")
        q = "SELECT card_number, state, bank, desk, hopper, application_id FROM pre_made_card WHERE outlet = \(outlet) AND "
        q.sql += condition + "$\(q.binds.count + 1)"
        q.binds.append(value)
        return try await first(c, q)
    }

    func lockedCard(_ c: PostgresConnection, _ number: CardNumber) async throws -> StoredCard? {
        try await first(c, """
            SELECT card_number, state, bank, desk, hopper, application_id FROM pre_made_card
            WHERE outlet = \(outlet) AND card_number = \(number.value) FOR UPDATE
            """)
    }

    func first(_ c: PostgresConnection, _ q: PostgresQuery) async throws -> StoredCard? {
        var found: StoredCard?
        for try await (n, s, b, d, h, a) in try await c.query(q, logger: logger)
            .decode((String, String, String, String?, Int?, String?).self) {
            found = StoredCard(number: n, state: s, bank: b, desk: d, hopper: h, application: a)
        }
        return found
    }

    /// Updates the card, records the move (from one place to the other) and appends the ledger entry.
    func move(_ c: PostgresConnection, _ number: String, from: String, fromPlace: String, to: String, hopper: Hopper?,
                      application: String?, spoilReason: String?, reason: String?, action: String, bank: String,
                      clerk: String, at: String, keepDesk: String? = nil) async throws {
        let cardDesk: String? = hopper == nil ? nil : (keepDesk ?? desk)
        let stateApplication: String? = (to == "reserved" || to == "issued") ? application : nil
        try await c.query("""
            UPDATE pre_made_card SET state = \(to), desk = \(cardDesk), hopper = \(hopper?.rawValue),
                application_id = \(stateApplication), spoil_reason = \(spoilReason), updated_at = \(at), updated_by = \(clerk)
            WHERE outlet = \(outlet) AND card_number = \(number) AND state = \(from)
            """, logger: logger)
        let toPlace = hopper.map { "\(cardDesk ?? desk)/\($0.rawValue)" } ?? (to == "issued" ? "applicant" : to == "spoiled" ? "reject" : "safe")
        try await c.query("""
            INSERT INTO card_movement (outlet, card_number, from_state, to_state, from_place, to_place, application_id,
                reason, desk, clerk, at)
            VALUES (\(outlet), \(number), \(from), \(to), \(fromPlace), \(toPlace), \(application), \(reason), \(desk), \(clerk), \(at))
            """, logger: logger)
        var details: [String: Any] = ["from": from, "to": to, "bank": bank, "fromPlace": fromPlace, "toPlace": toPlace]
        if let application { details["application"] = application }
        if let reason { details["reason"] = reason }
        try await appendLedger(c, at: at, clerk: clerk, action: action, subject: number, details: Self.json(details))
    }

    /// The next entry of the outlet's chain, under the outlet's advisory lock (held to commit).
    func appendLedger(_ c: PostgresConnection, at: String, clerk: String, action: String, subject: String,
                      details: String) async throws {
        try await c.query("SELECT pg_advisory_xact_lock(hashtextextended(\("sscard.ledger." + outlet), 0))", logger: logger)
        var head: (Int64, String) = (0, OutletLedgerChain.genesisHash)
        for try await (s, h) in try await c.query("""
            SELECT seq, hash FROM ledger_entry WHERE outlet = \(outlet) ORDER BY seq DESC LIMIT 1
            """, logger: logger).decode((Int64, String).self) { head = (s, h) }
        var entry = OutletLedgerChain.Entry(outlet: outlet, seq: head.0 + 1, desk: desk, recordedAt: at, clerk: clerk,
                                            action: action, subject: subject, details: details, previousHash: head.1, hash: "")
        entry.hash = try entry.computedHash()
        try await c.query("""
            INSERT INTO ledger_entry (outlet, seq, desk, recorded_at, clerk, action, subject, details, previous_hash, hash)
            VALUES (\(outlet), \(entry.seq), \(desk), \(at), \(clerk), \(action), \(subject), \(details), \(entry.previousHash), \(entry.hash))
            """, logger: logger)
    }

    /// A stored card number as the type, or `InventoryError.corruptRow`.
    static func cardNumber(_ text: String) throws -> CardNumber {
        guard let n = CardNumber(text) else { throw InventoryError.corruptRow(cardNumber: text, column: "card_number") }
        return n
    }

    static func requireClerk(_ clerk: String) throws {
        guard !clerk.trimmingCharacters(in: .whitespaces).isEmpty else { throw InventoryError.clerkRequired }
    }

    static func json(_ object: [String: Any]) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
