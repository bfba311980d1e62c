import Foundation
import GRDB
import SSCardDriver
import CardManagement
import SSCardSimulator

/// A SIMULATOR of the province card-management system (卡管系统) with its HSM (加密机) and CA,
/// embedded in the station: the default `CardManagementSystem`, and what
/// `ProvinceSimulatorServer` serves over HTTP. It is not the province's system; it keeps the
/// same rules so that a desk that breaks them fails its tests:
///
/// - Status machine (《广东省社会保障卡经办规程》附件9, 第三十六条二（三）): 待制卡 → 制卡中 (report
///   `.inProduction` with a card) → 制卡成功 (`.produced` or `.backfilled`, same card) → 已启用
///   (`activate`); 制卡中 → 制卡失败 (`.failed`, same card) → 制卡中 again (新即时制卡). Anything
///   else is `.wrongState`.
/// - Idempotency: a report or activation repeated with its `requestID` and the same content is
///   answered from the books without being applied again; the same id with other content is
///   `.refused(code: "DUPLICATE_REQUEST_ID", …)`.
/// - 一人一卡 (《规程》附件10): a registry of the cards each person holds in the province; a
///   card that is not 已注销 conflicts, unless the application is the 补卡/换卡 that replaces
///   it (`add(_:replacing:)`); that card becomes 已注销 when the new one is produced. Reporting
///   制卡中 while a conflict stands is refused (`ONE_PERSON_ONE_CARD`).
/// - HSM: keys only for the card the application has in production (制卡中); CA: certificates
///   only for that card, once per card and signing key (a repeat gets the same items back).
///
/// Its books are its own SQLite database (`SimulatedCardManagementStore`), a file or memory;
/// every call is one committed transaction, so the state survives a SIGKILL of the station.
/// Faults (`CardManagementFaults`) make calls fail the way the HTTP client would fail.
public final class SimulatedCardManagementSystem: CardManagementSystem {
    /// The faults played on every call; settable at run time.
    public let faults: CardManagementFaults
    /// The HSM the keys come from (its master keys are the pre-made cards' ones).
    public let hsm: SimulatedHSM
    /// The CA; its key is kept in the simulator's database, so it is the same after a restart.
    public let ca: SimulatedCA
    let store: SimulatedCardManagementStore
    private let clock: @Sendable () -> Date

    /// Opens (creating and seeding if new) the simulator's books at `path`, or in memory when
    /// `path` is nil. `seedSamples` puts `SimulatedApplications` in a new database.
    /// `caKeyScalar` fixes the CA key (e.g. `SimulatedCA.testKeyScalar`); without it the key
    /// is the one stored in the database, or a fresh one stored there on first open. Throws
    /// GRDB's `DatabaseError` or `SimulatedCAError`.
    public init(path: String? = nil, seedSamples: Bool = true, masterKeys: HSMMasterKeys = .simulatorTestKeys,
                caKeyScalar: [UInt8]? = nil, faults: CardManagementFaults = CardManagementFaults(),
                clock: @escaping @Sendable () -> Date = { Date() }) throws {
        self.faults = faults
        self.clock = clock
        hsm = SimulatedHSM(masterKeys: masterKeys)
        store = try SimulatedCardManagementStore(path: path)
        let now = clock()
        let at = Self.timestamp(now)
        let (scalarHex, notBefore): (String, Double) = try store.writer.write { db in
            if try SimulatedCardManagementStore.setting(db, "seeded") == nil {
                if seedSamples {
                    for sample in SimulatedApplications.samples() {
                        try SimulatedCardManagementStore.insert(db, sample.application, replacing: sample.replacing, at: at)
                    }
                    for card in SimulatedApplications.heldCards() {
                        try SimulatedCardManagementStore.insertHeldCard(
                            db, cardNumber: card.cardNumber, ssn: card.socialSecurityNumber, regionCode: card.regionCode,
                            state: card.state, applicationID: nil, cardIdentificationCode: nil)
                    }
                    try db.execute(sql: "UPDATE held_card SET bank = ?", arguments: [SimulatedApplications.bank])
                }
                try SimulatedCardManagementStore.setSetting(db, "seeded", at)
            }
            var scalar = try SimulatedCardManagementStore.setting(db, "ca_key_scalar")
            if scalar == nil {
                var fresh = try SM2PrivateKey().exportRawRepresentation()
                defer { KeyMaterial.wipe(&fresh) }
                scalar = fresh.hexString
                try SimulatedCardManagementStore.setSetting(db, "ca_key_scalar", scalar!)
            }
            var notBefore = try SimulatedCardManagementStore.setting(db, "ca_not_before").flatMap(Double.init)
            if notBefore == nil {
                notBefore = now.timeIntervalSince1970.rounded(.down)
                try SimulatedCardManagementStore.setSetting(db, "ca_not_before", String(Int(notBefore!)))
            }
            return (scalar!, notBefore!)
        }
        var scalar = caKeyScalar ?? [UInt8](hex: scalarHex) ?? []
        defer { KeyMaterial.wipe(&scalar) }
        ca = try SimulatedCA(masterKeys: masterKeys, caKeyScalar: scalar, now: Date(timeIntervalSince1970: notBefore))
    }

    /// The CA's certificate (to verify the certificates it issues).
    public var caCertificate: X509Certificate { ca.certificate }

    // MARK: Test and demo helpers

    /// Adds an application (待制卡). `replacing` names the card a 补卡/换卡 replaces. An id
    /// already there is refused (`DUPLICATE_APPLICATION`).
    public func add(_ application: Application, replacing: String? = nil) throws(CardManagementError) {
        let at = timestamp()
        try transaction { db in
            guard try SimulatedCardManagementStore.fetchApplication(db, id: application.id) == nil else {
                throw CardManagementError.refused(code: "DUPLICATE_APPLICATION",
                                                  message: "申请 \(application.id) 已存在 application \(application.id) exists")
            }
            try SimulatedCardManagementStore.insert(db, application, replacing: replacing, at: at)
        }
    }

    /// Puts a card the person already holds into the 一人一卡 registry ("正常", "挂失", "已注销").
    public func addHeldCard(cardNumber: String, socialSecurityNumber: String, regionCode: String = SimulatedApplications.regionCode,
                            state: String = "正常") throws(CardManagementError) {
        try transaction { db in
            try SimulatedCardManagementStore.insertHeldCard(db, cardNumber: cardNumber, ssn: socialSecurityNumber, regionCode: regionCode,
                                                            state: state, applicationID: nil, cardIdentificationCode: nil)
        }
    }

    /// Every card of the person in the registry, 已注销 ones included.
    public func heldCards(socialSecurityNumber: String) throws(CardManagementError) -> [ExistingCard] {
        try reading { db in try SimulatedCardManagementStore.heldCards(db, ssn: socialSecurityNumber).map(\.card) }
    }

    /// A report as the simulator's books hold it.
    public struct RecordedReport: Hashable, Sendable {
        public var requestID: String
        public var status: ReportedStatus
        public var cardNumber: String
    }

    /// The reports applied to an application, oldest first (a repeated request id is one).
    public func recordedReports(applicationID: String) throws(CardManagementError) -> [RecordedReport] {
        try reading { db in
            try Row.fetchAll(
                db.cachedStatement(sql: "SELECT request_id, status, card_number FROM status_history WHERE application_id = ? ORDER BY seq"),
                             arguments: [applicationID]).compactMap { row in
                ReportedStatus(rawValue: row["status"]).map {
                    RecordedReport(requestID: row["request_id"], status: $0, cardNumber: row["card_number"])
                }
            }
        }
    }

    /// How many times the CA issued (one row per card).
    public func issuanceCount() throws(CardManagementError) -> Int {
        try reading { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM ca_issuance")) ?? 0 }
    }

    // MARK: CardManagementSystem

    public func application(id: String) throws(CardManagementError) -> Application {
        try withFaults(.application) { () throws(CardManagementError) in try applicationUnfaulted(id: id) }
    }

    public func conflictingCards(socialSecurityNumber: String, applicationID: String) throws(CardManagementError) -> [ExistingCard] {
        try withFaults(.conflictingCards) { () throws(CardManagementError) in
            try conflictingCardsUnfaulted(socialSecurityNumber: socialSecurityNumber, applicationID: applicationID)
        }
    }

    public func authenticationKey(for challenge: HSMAuthenticationChallenge, access: CardAccess,
                                  applicationID: String) throws(CardManagementError) -> HSMAuthenticationKey {
        try withFaults(.authenticationKey) { () throws(CardManagementError) in
            try authenticationKeyUnfaulted(for: challenge, access: access, applicationID: applicationID)
        }
    }

    public func pkiSecrets(cardIdentificationCode: CardIdentificationCode) throws(CardManagementError) -> PKICardSecrets {
        try withFaults(.pkiSecrets) { () throws(CardManagementError) in try pkiSecretsUnfaulted(cardIdentificationCode: cardIdentificationCode) }
    }

    public func issueCertificates(_ request: CACertificateRequest, applicationID: String) throws(CardManagementError) -> CAIssuance {
        try withFaults(.issueCertificates) { () throws(CardManagementError) in
            try issueCertificatesUnfaulted(request, applicationID: applicationID)
        }
    }

    @discardableResult
    public func report(_ report: IssuanceReport) throws(CardManagementError) -> ApplicationStatus {
        try withFaults(.report) { () throws(CardManagementError) in try reportUnfaulted(report) }
    }

    public func status(applicationID: String) throws(CardManagementError) -> ApplicationStatus {
        try withFaults(.status) { () throws(CardManagementError) in try statusUnfaulted(applicationID: applicationID) }
    }

    public func activate(applicationID: String, cardNumber: String, requestID: String) throws(CardManagementError) {
        try withFaults(.activate) { () throws(CardManagementError) in
            try activateUnfaulted(applicationID: applicationID, cardNumber: cardNumber, requestID: requestID)
        }
    }

    public func internalAuthentication(cardIdentificationCode: CardIdentificationCode, factor: [UInt8],
                                       raw: [UInt8]) throws(CardManagementError) -> [UInt8] {
        try withFaults(.terminalHSM) { () throws(CardManagementError) in
            try internalAuthenticationUnfaulted(cardIdentificationCode: cardIdentificationCode, factor: factor, raw: raw)
        }
    }

    public func externalAuthentication(cardIdentificationCode: CardIdentificationCode, keyID: UInt8,
                                       challenge: [UInt8]) throws(CardManagementError) -> [UInt8] {
        try withFaults(.terminalHSM) { () throws(CardManagementError) in
            try externalAuthenticationUnfaulted(cardIdentificationCode: cardIdentificationCode, keyID: keyID, challenge: challenge)
        }
    }

    public func pinCommandMAC(cardIdentificationCode: CardIdentificationCode, macInput: [UInt8]) throws(CardManagementError) -> [UInt8] {
        try withFaults(.terminalHSM) { () throws(CardManagementError) in
            try pinCommandMACUnfaulted(cardIdentificationCode: cardIdentificationCode, macInput: macInput)
        }
    }

    public func ledgerCheckpoint(terminal: String, sequence: Int64, head: String) throws(CardManagementError) -> [LedgerCheckpoint] {
        try withFaults(.ledgerCheckpoint) { () throws(CardManagementError) in
            try ledgerCheckpointUnfaulted(terminal: terminal, sequence: sequence, head: head)
        }
    }

    /// The ledger checkpoints the simulator holds for `terminal`, in sequence order.
    public func ledgerCheckpoints(terminal: String) throws(CardManagementError) -> [LedgerCheckpoint] {
        try reading { db in try Self.checkpoints(db, terminal: terminal) }
    }

    /// Plays the faults for `operation` around `body`, as the HTTP client would see them.
    func withFaults<T: ~Copyable>(_ operation: CardManagementOperation,
                               _ body: () throws(CardManagementError) -> T) throws(CardManagementError) -> T {
        let (delay, fault) = faults.take(for: operation)
        CardManagementFaults.pause(delay)
        switch fault {
        case nil:
            return try body()
        case .unreachable:
            throw .unreachable("模拟网络中断 simulated network failure (\(operation.rawValue))")
        case .timeout:
            throw .outcomeUnknown("模拟超时 simulated timeout (\(operation.rawValue))")
        case .serverError:
            throw .serverError(status: 503, message: "模拟服务器故障 simulated server failure (\(operation.rawValue))")
        case .lostResponse:
            _ = try? body()
            throw .outcomeUnknown("模拟应答丢失 simulated lost answer (\(operation.rawValue))")
        }
    }

    // MARK: The rules (no faults; the HTTP server calls these and plays the faults itself)

    func applicationUnfaulted(id: String) throws(CardManagementError) -> Application {
        try reading { db in try Self.record(db, id).application }
    }

    func statusUnfaulted(applicationID: String) throws(CardManagementError) -> ApplicationStatus {
        try reading { db in try Self.record(db, applicationID).status }
    }

    func conflictingCardsUnfaulted(socialSecurityNumber: String, applicationID: String) throws(CardManagementError) -> [ExistingCard] {
        try reading { db in
            let record = try Self.record(db, applicationID)
            guard record.application.socialSecurityNumber == socialSecurityNumber else {
                throw CardManagementError.refused(code: "SSN_MISMATCH", message: "社会保障号码与申请 \(applicationID) 不符 "
                                                  + "the social security number is not the one of application \(applicationID)")
            }
            return try Self.conflicts(db, record)
        }
    }

    /// The person's cards that stand in the way of `record`: not 已注销, not replaced by it,
    /// not made for it.
    private static func conflicts(_ db: Database, _ record: SimulatedCardManagementStore.ApplicationRecord) throws -> [ExistingCard] {
        try SimulatedCardManagementStore.heldCards(db, ssn: record.application.socialSecurityNumber).filter { held in
            held.card.state != Self.cancelled && held.card.cardNumber != record.replacing && held.applicationID != record.application.id
        }.map(\.card)
    }

    func authenticationKeyUnfaulted(for challenge: HSMAuthenticationChallenge, access: CardAccess,
                                    applicationID: String) throws(CardManagementError) -> HSMAuthenticationKey {
        let record = try reading { db in try Self.record(db, applicationID) }
        try Self.requireInProduction(record, cardIdentificationCode: challenge.cardIdentificationCode)
        do {
            switch access {
            case .read: return try hsm.readAuthenticationKey(for: challenge)
            case .write: return try hsm.writeAuthenticationKey(for: challenge)
            }
        } catch {
            throw .refused(code: "HSM_ERROR", message: "加密机无法计算认证数据 the HSM cannot compute the authentication: \(error)")
        }
    }

    /// The terminal HSM answers for any card its master keys open, as a PSAM would: a card of
    /// another scheme fails its own check (the driver reports the card as not genuine).
    func internalAuthenticationUnfaulted(cardIdentificationCode id: CardIdentificationCode, factor: [UInt8],
                                         raw: [UInt8]) throws(CardManagementError) -> [UInt8] {
        try hsmCall { try hsm.expectedInternalAuthentication(cardID: id, factor: factor, raw: raw) }
    }

    func externalAuthenticationUnfaulted(cardIdentificationCode id: CardIdentificationCode, keyID: UInt8,
                                         challenge: [UInt8]) throws(CardManagementError) -> [UInt8] {
        try hsmCall { try hsm.externalAuthentication(cardID: id, keyID: keyID, challenge: challenge) }
    }

    func pinCommandMACUnfaulted(cardIdentificationCode id: CardIdentificationCode, macInput: [UInt8]) throws(CardManagementError) -> [UInt8] {
        try hsmCall { try hsm.pinCommandMAC(cardID: id, macInput: macInput) }
    }

    private func hsmCall(_ body: () throws -> [UInt8]) throws(CardManagementError) -> [UInt8] {
        do { return try body() } catch {
            throw .refused(code: "HSM_ERROR", message: "加密机无法计算 the HSM cannot compute it: \(error)")
        }
    }

    func pkiSecretsUnfaulted(cardIdentificationCode id: CardIdentificationCode) throws(CardManagementError) -> PKICardSecrets {
        let (inProduction, issuedKey): (Bool, String?) = try reading { db in
            let count = try Int.fetchOne(
                db.cachedStatement(sql: "SELECT COUNT(*) FROM application WHERE state = ? AND card_identification_code = ?"),
                                         arguments: [ApplicationStatus.State.inProduction.rawValue, id.hex]) ?? 0
            let key = try String.fetchOne(
                db.cachedStatement(sql: "SELECT master_card_key FROM ca_issuance WHERE card_identification_code = ?"),
                                          arguments: [id.hex])
            return (count > 0, key)
        }
        guard inProduction else {
            throw .refused(code: "CARD_NOT_IN_PRODUCTION",
                           message: "卡 \(id.hex) 不在制卡中，加密机不提供其密钥 card \(id.hex) is not in production; the HSM gives no secrets for it")
        }
        do {
            let pin = try hsm.initialAdminPIN(cardID: id)
            if let issuedKey, let key = SecretBytes(hex: issuedKey) {
                return PKICardSecrets(initialAdminPIN: pin, masterCardKey: key)
            }
            return PKICardSecrets(initialAdminPIN: pin, masterCardKey: try hsm.pkiMasterCardKey(cardID: id))
        } catch {
            throw .serverError(status: 500, message: "加密机故障 HSM failure: \(error)")
        }
    }

    func issueCertificatesUnfaulted(_ request: CACertificateRequest, applicationID: String) throws(CardManagementError) -> CAIssuance {
        let at = timestamp()
        let now = clock()
        return try transaction { db in
            let record = try Self.record(db, applicationID)
            try Self.requireInProduction(record, cardIdentificationCode: request.cardIdentificationCode)
            let application = record.application
            guard request.cardNumber == record.cardNumber else {
                throw CardManagementError.refused(code: "CARD_MISMATCH", message: "卡号 \(request.cardNumber) 不是申请 \(applicationID) 制卡中的卡 "
                                                  + "card number \(request.cardNumber) is not the card in production for \(applicationID)")
            }
            guard request.socialSecurityNumber == application.socialSecurityNumber else {
                throw CardManagementError.refused(code: "SSN_MISMATCH", message: "社会保障号码与申请不符 the social security number is not the application's")
            }
            guard request.regionCode == application.regionCode else {
                throw CardManagementError.refused(code: "REGION_MISMATCH", message: "发卡地区 \(request.regionCode) 与申请不符 "
                                                  + "region \(request.regionCode) is not the application's \(application.regionCode)")
            }
            let id = request.cardIdentificationCode.hex
            if let row = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT signing_public_key, items FROM ca_issuance WHERE card_identification_code = ?"),
                                          arguments: [id]) {
                let key: String = row["signing_public_key"], items: String = row["items"]
                guard key == request.signingPublicKey.hexString else {
                    throw CardManagementError.refused(code: "CA_ALREADY_ISSUED", message: "卡 \(id) 已为另一签名公钥签发证书 "
                                                      + "card \(id) already has certificates for another signing key")
                }
                do { return try CAIssuance(interfaceText: items) } catch {
                    throw CardManagementError.serverError(status: 500, message: "CA 记录损坏 CA record damaged: \(error)")
                }
            }
            var issued: SimulatedCA.Issued
            do { issued = try ca.issue(request, now: now) } catch {
                if case SimulatedCAError.refused(let reason) = error {
                    throw CardManagementError.refused(code: "CA_REFUSED", message: "CA 拒绝签发 the CA refused: \(reason)")
                }
                throw CardManagementError.serverError(status: 500, message: "CA 故障 CA failure: \(error)")
            }
            defer { KeyMaterial.wipe(&issued.newMasterCardKey) }
            // Not a cached statement: one kept for the next card would hold these bindings (the
            // CA items with the admin PIN, the new master key) until then; this one is finalised now.
            try db.execute(sql: """
                INSERT INTO ca_issuance (card_identification_code, application_id, signing_public_key, items, master_card_key, at)
                VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [id, applicationID, request.signingPublicKey.hexString, issued.interfaceText,
                                 issued.newMasterCardKey.hexString, at])
            return issued.items
        }
    }

    func reportUnfaulted(_ report: IssuanceReport) throws(CardManagementError) -> ApplicationStatus {
        try Self.checkRequestID(report.requestID)
        try Self.checkCardNumber(report.cardNumber)
        guard let cardID = CardIdentificationCode(hex: report.cardIdentificationCode) else {
            throw .refused(code: "BAD_REQUEST", message: "卡识别码格式错 malformed card identification code \(report.cardIdentificationCode)")
        }
        let content = Self.canonicalJSON(report)
        let at = timestamp()
        return try transaction { db in
            if let answer = try Self.storedAnswer(db, requestID: report.requestID, operation: .report, content: content) {
                return try Self.decode(ApplicationStatus.self, answer)
            }
            var record = try Self.record(db, report.applicationID)
            func wrongState() -> CardManagementError { .wrongState(applicationID: report.applicationID, state: record.state) }
            func requireSameCard() throws(CardManagementError) {
                guard record.cardNumber == report.cardNumber, record.cardIdentificationCode == cardID.hex else {
                    throw .refused(code: "CARD_MISMATCH", message: "报告的卡 \(report.cardNumber) 不是申请 \(report.applicationID) 制卡中的卡 "
                                   + "card \(report.cardNumber) is not the card in production for \(report.applicationID)")
                }
            }
            switch report.status {
            case .inProduction:
                guard record.state == .awaitingProduction || record.state == .failed else { throw wrongState() }
                try Self.requireOldCardCancelled(db, record)
                let conflicts = try Self.conflicts(db, record)
                guard conflicts.isEmpty else {
                    let list = conflicts.map { "\($0.cardNumber)(\($0.state))" }.joined(separator: ", ")
                    throw CardManagementError.refused(code: "ONE_PERSON_ONE_CARD",
                                                      message: "一人一卡：持卡人已有卡 \(list) the person already holds \(list)")
                }
                let inUse = try Int.fetchOne(db.cachedStatement(sql: """
                    SELECT (SELECT COUNT(*) FROM held_card WHERE card_number = ?)
                         + (SELECT COUNT(*) FROM application WHERE id <> ? AND card_number = ? AND state IN (?, ?, ?))
                    """), arguments: [report.cardNumber, report.applicationID, report.cardNumber, ApplicationStatus.State.inProduction.rawValue,
                                      ApplicationStatus.State.produced.rawValue, ApplicationStatus.State.activated.rawValue]) ?? 0
                guard inUse == 0 else {
                    throw CardManagementError.refused(code: "CARD_IN_USE", message: "卡 \(report.cardNumber) 已用于其他申请 card \(report.cardNumber) is already in use")
                }
                record.state = .inProduction
                record.cardNumber = report.cardNumber
                record.cardIdentificationCode = cardID.hex
            case .produced, .backfilled:
                guard record.state == .inProduction else { throw wrongState() }
                try requireSameCard()
                record.state = .produced
                try SimulatedCardManagementStore.insertHeldCard(
                    db, cardNumber: report.cardNumber, ssn: record.application.socialSecurityNumber,
                    regionCode: record.application.regionCode, state: "正常", applicationID: record.application.id,
                    cardIdentificationCode: cardID.hex)
                if let replaced = record.replacing {
                    try db.cachedStatement(sql: "UPDATE held_card SET state = ? WHERE card_number = ?")
                        .execute(arguments: [Self.cancelled, replaced])
                }
            case .failed:
                guard record.state == .inProduction else { throw wrongState() }
                try requireSameCard()
                record.state = .failed
            }
            try SimulatedCardManagementStore.update(db, record, at: at)
            try db.cachedStatement(sql: """
                INSERT INTO status_history (application_id, request_id, status, card_number, terminal, clerk, reason, at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """).execute(arguments: [report.applicationID, report.requestID, report.status.rawValue, report.cardNumber,
                                         report.terminal, report.clerk, report.reason, at])
            let status = record.status
            try SimulatedCardManagementStore.recordAnswer(db, id: report.requestID, .init(
                operation: CardManagementOperation.report.rawValue, content: content, answer: Self.canonicalJSON(status)), at: at)
            return status
        }
    }

    func activateUnfaulted(applicationID: String, cardNumber: String, requestID: String) throws(CardManagementError) {
        try Self.checkRequestID(requestID)
        let content = Self.canonicalJSON(["applicationID": applicationID, "cardNumber": cardNumber])
        let at = timestamp()
        try transaction { db in
            if try Self.storedAnswer(db, requestID: requestID, operation: .activate, content: content) != nil { return }
            var record = try Self.record(db, applicationID)
            guard record.state == .produced else {
                throw CardManagementError.wrongState(applicationID: applicationID, state: record.state)
            }
            guard record.cardNumber == cardNumber else {
                throw CardManagementError.refused(code: "CARD_MISMATCH", message: "卡 \(cardNumber) 不是申请 \(applicationID) 制成的卡 "
                                                  + "card \(cardNumber) is not the card made for \(applicationID)")
            }
            record.state = .activated
            try SimulatedCardManagementStore.update(db, record, at: at)
            try SimulatedCardManagementStore.recordAnswer(db, id: requestID, .init(
                operation: CardManagementOperation.activate.rawValue, content: content, answer: Self.canonicalJSON(record.status)), at: at)
        }
    }

    /// 台账校验点: keeps the first head sent for (terminal, sequence), never a later one, so a
    /// rebuilt or rolled-back ledger cannot overwrite what the system saw; sequence 0 with the
    /// genesis head records nothing. Answers every checkpoint held for the terminal.
    func ledgerCheckpointUnfaulted(terminal: String, sequence: Int64, head: String) throws(CardManagementError) -> [LedgerCheckpoint] {
        guard terminal.count == 12, terminal.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw .refused(code: "BAD_REQUEST", message: "终端机编号应为12位字母或数字 the terminal must be 12 letters or digits")
        }
        guard head.utf8.count == 64, head.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x46).contains($0) }) else {
            throw .refused(code: "BAD_REQUEST", message: "台账哈希应为64位大写十六进制 the head must be 64 upper-case hex digits")
        }
        guard sequence >= 1 || (sequence == 0 && head == LedgerCheckpoint.genesisHead) else {
            throw .refused(code: "BAD_REQUEST", message: "序号应不小于1（0 仅用于查询） the sequence must be at least 1 (0 only to ask)")
        }
        let at = timestamp()
        return try transaction { db in
            if sequence >= 1 {
                try db.cachedStatement(sql: "INSERT OR IGNORE INTO ledger_checkpoint (terminal, sequence, head, at) VALUES (?, ?, ?, ?)")
                    .execute(arguments: [terminal, sequence, head, at])
            }
            return try Self.checkpoints(db, terminal: terminal)
        }
    }

    private static func checkpoints(_ db: Database, terminal: String) throws -> [LedgerCheckpoint] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT sequence, head, at FROM ledger_checkpoint WHERE terminal = ? ORDER BY sequence"),
                         arguments: [terminal]).map {
            LedgerCheckpoint(terminal: terminal, sequence: $0["sequence"], head: $0["head"], recordedAt: $0["at"])
        }
    }

    // MARK: Helpers

    /// 已注销: a card replaced by 补卡/换卡 (no longer counts for 一人一卡).
    static let cancelled = "已注销"

    static func record(_ db: Database, _ id: String) throws -> SimulatedCardManagementStore.ApplicationRecord {
        guard let record = try SimulatedCardManagementStore.fetchApplication(db, id: id) else {
            throw CardManagementError.unknownApplication(id)
        }
        return record
    }

    private static func requireInProduction(_ record: SimulatedCardManagementStore.ApplicationRecord,
                                            cardIdentificationCode: CardIdentificationCode) throws(CardManagementError) {
        guard record.state == .inProduction else {
            throw .wrongState(applicationID: record.application.id, state: record.state)
        }
        guard record.cardIdentificationCode == cardIdentificationCode.hex else {
            throw .refused(code: "CARD_MISMATCH", message: "卡 \(cardIdentificationCode.hex) 不是申请 \(record.application.id) 制卡中的卡 "
                           + "card \(cardIdentificationCode.hex) is not the card in production for \(record.application.id)")
        }
    }

    /// The stored answer of an already answered request id, nil when the id is new; the same id
    /// with other content is refused.
    static func storedAnswer(_ db: Database, requestID: String, operation: CardManagementOperation,
                                     content: String) throws -> String? {
        guard let answered = try SimulatedCardManagementStore.answeredRequest(db, id: requestID) else { return nil }
        guard answered.operation == operation.rawValue, answered.content == content else {
            throw CardManagementError.refused(code: "DUPLICATE_REQUEST_ID", message: "请求号 \(requestID) 已用于另一请求 "
                                              + "request id \(requestID) was already used for another request")
        }
        return answered.answer
    }

    static func checkRequestID(_ id: String) throws(CardManagementError) {
        guard (1...128).contains(id.utf8.count), id.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .refused(code: "BAD_REQUEST", message: "请求号应为1–128个可见ASCII字符 the request id must be 1–128 visible ASCII characters")
        }
    }

    static func checkCardNumber(_ number: String) throws(CardManagementError) {
        guard number.utf8.count == 9, number.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) }) else {
            throw .refused(code: "BAD_REQUEST", message: "卡号应为9位大写字母或数字 the card number must be 9 upper-case letters or digits")
        }
    }

    static func canonicalJSON<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Plain Codable values of this module always encode.
        return String(decoding: try! encoder.encode(value), as: UTF8.self)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(text.utf8))
    }

    func timestamp() -> String { Self.timestamp(clock()) }

    /// `2024-05-01T02:03:04.123Z` (UTC, milliseconds rounded down, as the station's own
    /// timestamps). A format style value, not a new `ISO8601DateFormatter` a call: making one
    /// (an ICU formatter) cost about 0.8 ms, several times a card (docs/performance.md §2).
    private static let timestampStyle = Date.ISO8601FormatStyle(includingFractionalSeconds: true)

    private static func timestamp(_ date: Date) -> String {
        timestampStyle.format(date)
    }

    /// One write transaction; a throw rolls it back. Database failures are the server's (500).
    func transaction<T>(_ body: (Database) throws -> T) throws(CardManagementError) -> T {
        do {
            return try store.writer.write(body)
        } catch let error as CardManagementError {
            throw error
        } catch {
            throw .serverError(status: 500, message: "模拟卡管数据库故障 simulator database failure: \(error)")
        }
    }

    func reading<T>(_ body: (Database) throws -> T) throws(CardManagementError) -> T {
        do {
            return try store.writer.read(body)
        } catch let error as CardManagementError {
            throw error
        } catch {
            throw .serverError(status: 500, message: "模拟卡管数据库故障 simulator database failure: \(error)")
        }
    }
}

extension SimulatedCardManagementSystem {
    /// The applications open for instant issuance (待制卡, or 制卡失败 and to be made again), in id
    /// order: what the web desk's queue shows on the simulated stack.
    public func waitingApplications() throws(CardManagementError) -> [Application] {
        try reading { db in
            try SimulatedCardManagementStore.fetchApplications(
                db, sql: "SELECT * FROM application WHERE state IN (?, ?) ORDER BY id",
                arguments: [ApplicationStatus.State.awaitingProduction.rawValue, ApplicationStatus.State.failed.rawValue]
            ).map(\.application)
        }
    }
}
