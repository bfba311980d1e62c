import SSCardDriver

/// What the journal keeps of one issuance attempt so that recovery can resume it from the last
/// entry alone. No personal data (name, SSN, photo: recovery fetches the application again)
/// and nothing secret (`JournalSecretGuard` refuses it anyway).
///
/// Stored as JSON with plain strings: the card number as its 9 characters, the 卡识别码 as its
/// 32 hex digits, so rows written before these were typed decode unchanged.
public struct IssuanceRecord: Codable, Hashable, Sendable {
    public var applicationID: String
    /// 1 for the first attempt; a new attempt after 制卡失败 gets the next number, so its
    /// status reports carry new request ids.
    public var attempt: Int
    public var bank: String
    public var terminal: String
    /// The reserved (later: fed) pre-made card.
    public var cardNumber: CardNumber?
    /// Its 卡识别码.
    public var cardIdentificationCode: CardIdentificationCode?
    public var hopper: Int?
    /// Set once iLoadCard was started: the card may have left its hopper.
    public var feedStarted = false
    /// Set once the first UPDATE RECORD may have reached the chip: it may hold personal data.
    public var chipWriteStarted = false
    /// Set once 制卡失败 put the card in the reject box (nil: not yet).
    public var cardRejected: Bool?
    /// Where the face preview was written.
    public var facePath: String?
    /// Why the card failed, for 制卡失败.
    public var failureReason: String?

    public init(applicationID: String, attempt: Int, bank: String, terminal: String) {
        self.applicationID = applicationID; self.attempt = attempt; self.bank = bank; self.terminal = terminal
    }

    /// The request id of a status report of this attempt: the same after any crash, so the
    /// card-management system applies a repeated report once.
    public func requestID(_ status: String) -> String {
        "\(terminal)-\(applicationID)-\(attempt)-\(status)"
    }
}
