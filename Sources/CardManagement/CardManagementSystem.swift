import Foundation
import SSCardDriver
import Sockets

/// The province card-management system (卡管系统) as the desk sees it, with its HSM (加密机) and CA.
/// Implementations: `SimulatedCardManagementSystem` (embedded, the default) and
/// `CardManagementHTTPClient` (the contract of docs/province-api.md over HTTP).
///
/// Every call either succeeds or throws `CardManagementError`; a call whose outcome is unknown
/// (timeout after the request left, connection lost before the answer) throws
/// `.outcomeUnknown` and is safe to repeat with the same `requestID` where it has one.
public protocol CardManagementSystem: Sendable {
    /// The application with its photo. `.unknownApplication` when the system has none.
    func application(id: String) throws(CardManagementError) -> Application

    /// 一人一卡 (《广东省社会保障卡经办规程》附件10): the cards the person already holds in the
    /// province that stand in the way of this application. Empty means the card may be made.
    func conflictingCards(socialSecurityNumber: String, applicationID: String) throws(CardManagementError) -> [ExistingCard]

    /// HSM: the Step2 `pKey` for a two-step read (key 0A) or write (key 04) of the card
    /// that answered `challenge` (iReadCard_HSM_Step1 / iWriteCard_HSM_Step1).
    func authenticationKey(for challenge: HSMAuthenticationChallenge, access: CardAccess,
                           applicationID: String) throws(CardManagementError) -> HSMAuthenticationKey

    /// HSM: the pre-made card's PKI secrets (initial admin PIN, current PKI master key) that
    /// iWriteCaStep1/2 need, as `SecretBytes` zeroed when the caller drops them.
    func pkiSecrets(cardIdentificationCode: CardIdentificationCode) throws(CardManagementError) -> PKICardSecrets

    /// HSM, the terminal's one-step form (the security module of iReadCardBas, iReadCard,
    /// iWriteCard and the PIN functions): what a genuine card `cardIdentificationCode` answers to
    /// INTERNAL AUTHENTICATE(factor ‖ raw).
    func internalAuthentication(cardIdentificationCode: CardIdentificationCode, factor: [UInt8],
                                raw: [UInt8]) throws(CardManagementError) -> [UInt8]

    /// HSM, one-step form: the 16-byte EXTERNAL AUTHENTICATE data with key `keyID` (0A read,
    /// 04 write…) for the card's `challenge`.
    func externalAuthentication(cardIdentificationCode: CardIdentificationCode, keyID: UInt8,
                                challenge: [UInt8]) throws(CardManagementError) -> [UInt8]

    /// HSM: the 4-byte MAC of a RELOAD PIN / UNBLOCK PIN command over `macInput` (16 bytes, the
    /// one CBC-MAC block the driver built). The HSM never sees a PIN.
    func pinCommandMAC(cardIdentificationCode: CardIdentificationCode, macInput: [UInt8]) throws(CardManagementError) -> [UInt8]

    /// CA: the five items for the card's signing key. Repeating a request for the same card and
    /// key returns certificates for that key again (no double issuance on the system's books).
    func issueCertificates(_ request: CACertificateRequest, applicationID: String) throws(CardManagementError) -> CAIssuance

    /// Reports a status. Idempotent on `report.requestID`: the same id twice is one report.
    @discardableResult
    func report(_ report: IssuanceReport) throws(CardManagementError) -> ApplicationStatus

    /// Where the system stands on the application (decides 制卡补登 vs 制卡失败 in recovery).
    func status(applicationID: String) throws(CardManagementError) -> ApplicationStatus

    /// 领卡启用: the applicant took the card. Idempotent on `requestID`.
    func activate(applicationID: String, cardNumber: String, requestID: String) throws(CardManagementError)

    /// 补卡/换卡 (《广东省社会保障卡经办规程》第二十三条至第三十一条): the card application
    /// `applicationID` replaces, with its state. `.refused(NOT_A_REPLACEMENT)` for an application
    /// that replaces no card.
    func oldCard(applicationID: String) throws(CardManagementError) -> OldCard

    /// 换卡: the card handed in was read at the desk; the system matches its chip's card number
    /// and social security number with the old card and locks it (第三十一条一（二）).
    /// Idempotent on `requestID`.
    @discardableResult
    func confirmOldCardChip(_ confirmation: OldCardChipConfirmation) throws(CardManagementError) -> OldCard

    /// Asks the system to cancel (注销) the old card, recording what became of it
    /// (第二十七条一（四）). 补卡 needs 正式挂失 first; 换卡 needs the chip confirmed first. The
    /// system makes no 补卡/换卡 card (制卡中) before this. Idempotent on `requestID`.
    @discardableResult
    func cancelOldCard(_ cancellation: OldCardCancellation) throws(CardManagementError) -> OldCard

    /// 台账校验点: the desk `terminal`'s ledger had the (keyed) head `head` at entry `sequence`
    /// (《广东省社会保障卡经办规程》第十二条（三）: the 台账 must match the system's records). The
    /// system keeps the first head it is sent for a sequence and never replaces it; `sequence` 0
    /// with the genesis head (64 zeros) records nothing. Either way the answer is every
    /// checkpoint the system holds for the terminal, in sequence order, so the desk can find a
    /// ledger that verifies locally but was cut short, rolled back or rebuilt. Idempotent.
    func ledgerCheckpoint(terminal: String, sequence: Int64, head: String) throws(CardManagementError) -> [LedgerCheckpoint]
}

/// A ledger head the card-management system holds for a desk (`ledgerCheckpoint`).
public struct LedgerCheckpoint: Hashable, Sendable, Codable {
    /// 终端机编号 of the desk.
    public var terminal: String
    /// The ledger entry number (1, 2, 3…).
    public var sequence: Int64
    /// That entry's keyed hash, 64 upper-case hex digits.
    public var head: String
    /// When the system recorded it (ISO 8601, the system's clock).
    public var recordedAt: String

    public init(terminal: String, sequence: Int64, head: String, recordedAt: String) {
        self.terminal = terminal; self.sequence = sequence; self.head = head; self.recordedAt = recordedAt
    }

    /// The head of an empty ledger, and the `head` of a query that records nothing (sequence 0).
    public static let genesisHead = String(repeating: "0", count: 64)
}

/// Which key the HSM opens the card with.
public enum CardAccess: String, Hashable, Sendable, Codable {
    /// External authentication with the read key (0A): EF06–EF08 readable.
    case read
    /// External authentication with the write key (04): UPDATE RECORD on EF05/EF06.
    case write
}

/// A card the person already holds in the province (一人一卡 check).
public struct ExistingCard: Hashable, Sendable, Codable {
    /// 社保卡号.
    public var cardNumber: String
    /// 发卡地区 of the other card.
    public var regionCode: String
    /// The system's state of that card, e.g. "正常", "挂失".
    public var state: String

    public init(cardNumber: String, regionCode: String, state: String) {
        self.cardNumber = cardNumber; self.regionCode = regionCode; self.state = state
    }
}

/// The pre-made card's batch secrets for its PKI application. Never logged or stored.
/// Non-copyable: one owner, and both secrets are zeroed when it ends (`SecretBytes`).
public struct PKICardSecrets: ~Copyable, Sendable {
    /// 管理员PIN the card was made with (ASCII).
    public let initialAdminPIN: SecretBytes
    /// The card's current PKI master key (16 bytes).
    public let masterCardKey: SecretBytes

    public init(initialAdminPIN: consuming SecretBytes, masterCardKey: consuming SecretBytes) {
        self.initialAdminPIN = initialAdminPIN; self.masterCardKey = masterCardKey
    }
}

/// A card-production status the desk reports (《广东省社会保障卡经办规程》附件9, 第三十六条二（三）).
public enum ReportedStatus: String, Hashable, Sendable, Codable, CaseIterable {
    /// 制卡中: a pre-made card is being personalised for the application.
    case inProduction
    /// 制卡成功: chip written and face printed.
    case produced
    /// 制卡失败: the card was not made; the application may be made again.
    case failed
    /// 制卡补登: face printed but the system still said 制卡中; the desk confirmed the chip.
    case backfilled

    public var chinese: String {
        switch self {
        case .inProduction: "制卡中"
        case .produced: "制卡成功"
        case .failed: "制卡失败"
        case .backfilled: "制卡补登"
        }
    }
}

/// One status report. `requestID` makes it idempotent; the journal keeps it so a repeated
/// report after a crash carries the same id.
public struct IssuanceReport: Hashable, Sendable, Codable {
    public var requestID: String
    public var applicationID: String
    public var status: ReportedStatus
    /// 社保卡号 of the card made (or failed).
    public var cardNumber: String
    /// 卡识别码 of that card, hex.
    public var cardIdentificationCode: String
    /// Why a card failed (制卡失败), in the clerk's words or the station's.
    public var reason: String?
    /// The desk (终端机编号) and clerk.
    public var terminal: String
    public var clerk: String

    public init(requestID: String, applicationID: String, status: ReportedStatus, cardNumber: String,
                cardIdentificationCode: String, reason: String? = nil, terminal: String, clerk: String) {
        self.requestID = requestID; self.applicationID = applicationID; self.status = status
        self.cardNumber = cardNumber; self.cardIdentificationCode = cardIdentificationCode; self.reason = reason
        self.terminal = terminal; self.clerk = clerk
    }
}

/// Where the card-management system stands on an application.
public struct ApplicationStatus: Hashable, Sendable, Codable {
    public enum State: String, Hashable, Sendable, Codable, CaseIterable {
        /// 待制卡: open, marked for instant issuance (即制卡), no card yet.
        case awaitingProduction
        /// 制卡中.
        case inProduction
        /// 制卡成功 (also after 制卡补登).
        case produced
        /// 制卡失败: may be made again.
        case failed
        /// 已启用: the applicant took the card.
        case activated

        public var chinese: String {
            switch self {
            case .awaitingProduction: "待制卡"
            case .inProduction: "制卡中"
            case .produced: "制卡成功"
            case .failed: "制卡失败"
            case .activated: "已启用"
            }
        }
    }

    public var applicationID: String
    public var state: State
    /// The card the system has for the application (制卡中 onwards).
    public var cardNumber: String?

    public init(applicationID: String, state: State, cardNumber: String?) {
        self.applicationID = applicationID; self.state = state; self.cardNumber = cardNumber
    }
}

/// Why a card-management call failed, in Chinese and English.
public enum CardManagementError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The system has no such application.
    case unknownApplication(String)
    /// The request is not allowed in the application's state (e.g. already 制卡成功).
    case wrongState(applicationID: String, state: ApplicationStatus.State)
    /// The system refused the request (bad data, CA refusal, unknown card…), with its code.
    case refused(code: String, message: String)
    /// The system could not be reached (connection refused, DNS, network down): nothing was sent.
    /// `cause`: the socket's error (its errno) when a socket call said so.
    case unreachable(String, cause: SocketError? = nil)
    /// The request may or may not have been carried out (timeout, answer lost): repeat it.
    /// `cause`: the socket's error (its errno) when a socket call said so.
    case outcomeUnknown(String, cause: SocketError? = nil)
    /// The server failed (HTTP 5xx): repeat later.
    case serverError(status: Int, message: String)

    /// True when repeating the same request later may succeed.
    public var isRetryable: Bool {
        switch self {
        case .unreachable, .outcomeUnknown, .serverError: true
        case .unknownApplication, .wrongState, .refused: false
        }
    }

    /// The socket error underneath `.unreachable` or `.outcomeUnknown`, with its errno.
    public var cause: SocketError? {
        switch self {
        case .unreachable(_, let cause), .outcomeUnknown(_, let cause): cause
        case .unknownApplication, .wrongState, .refused, .serverError: nil
        }
    }

    public var chinese: String {
        switch self {
        case .unknownApplication(let id): "卡管系统中没有申请 \(id)"
        case .wrongState(let id, let state): "申请 \(id) 当前状态为“\(state.chinese)”，不能办理此操作"
        case .refused(let code, let message): "卡管系统拒绝了请求（\(code)）：\(message)"
        case .unreachable(let detail, _): "无法连接卡管系统：\(detail)"
        case .outcomeUnknown(let detail, _): "卡管系统未应答，结果未知：\(detail)"
        case .serverError(let status, let message): "卡管系统出错（HTTP \(status)）：\(message)"
        }
    }

    public var english: String {
        switch self {
        case .unknownApplication(let id): "the card-management system has no application \(id)"
        case .wrongState(let id, let state): "application \(id) is \(state.rawValue); the request is not allowed now"
        case .refused(let code, let message): "the card-management system refused the request (\(code)): \(message)"
        case .unreachable(let detail, _): "cannot reach the card-management system: \(detail)"
        case .outcomeUnknown(let detail, _): "the card-management system did not answer; outcome unknown: \(detail)"
        case .serverError(let status, let message): "the card-management system failed (HTTP \(status)): \(message)"
        }
    }

    public var description: String { chinese + " " + english }
}
