import CardManagement
import CounterDocuments
import Foundation
import SSCardDriver

/// 领卡 — the handover of a card made at this desk, before 启用 is reported
/// (《广东省社会保障卡经办规程》第十二条、第十四条、第十八条):
///
/// 1. `checkRecipient`: the clerk has checked the recipient's original ID document — the holder
///    (本人), an agent with the holder's and their own ID and the authorisation (代领), or a
///    guardian for a holder under 16 (the Guangzhou card service manual) — and kept a copy of a
///    non-holder's ID (第十四条);
/// 2. `setPIN`: the holder (a minor's guardian) sets their own 社保应用密码 on the card, at the
///    desk's prompt or the PIN pad (第十八条: 社保应用密码必须经持卡人本人设置确认后…才能正常使用);
///    an agent does not — the holder comes to a counter for it later, and the receipt says so;
/// 3. `printReceipt`: the handover receipt (领卡签收单) is printed for signature;
/// 4. `recordSignature`: the clerk records that the recipient signed it (持卡人签收记录,
///    第十二条（三）).
///
/// Only then does `Activation.activate` report 领卡启用. Each step is an entry of the 台账
/// (`AuditLedger`, subject the application id, details starting with the card number), so the
/// record the regulation asks for is the one the station checks, and the web desk can run the
/// steps across several requests.
public struct Handover: Sendable {
    public let station: Station
    public init(station: Station) { self.station = station }

    /// The 台账 actions of the handover.
    public static let checkAction = "领卡核验身份"
    public static let pinAction = "持卡人设置密码"
    public static let receiptAction = "打印领卡签收单"
    public static let signedAction = "领卡签收"

    /// Holders younger than this take their card through a guardian (the Guangzhou card service
    /// manual: 申领人未满16周岁的，由其法定监护人…领卡).
    public static let guardianAge = 16

    // MARK: Steps

    /// Step 1: records who takes the card and what was checked. Refused — nothing recorded —
    /// unless the card was made here and not yet handed over, and the documents the recipient's
    /// kind needs were seen (`HandoverError`).
    public func checkRecipient(applicationID: String, recipient: CardRecipient, documents: RecipientDocuments,
                               clerk: String) throws {
        let (card, _) = try producedCard(applicationID)
        let application = try station.cardManagement.application(id: applicationID)
        if let age = Self.age(birthDate: application.birthDate, on: station.database.clock()) {
            if recipient == .holder, age < Self.guardianAge { throw HandoverError.minorNeedsGuardian(applicationID, age: age) }
        }
        guard documents.holderIDSeen else { throw HandoverError.holderIDNotSeen }
        if let person = recipient.person {
            guard !person.name.trimmingCharacters(in: .whitespaces).isEmpty, person.idNumber.count >= 6 else {
                throw HandoverError.recipientIdentityMissing
            }
            guard documents.recipientIDSeen else { throw HandoverError.recipientIDNotSeen }
            guard documents.recipientIDCopyKept else { throw HandoverError.recipientIDCopyNotKept }
            guard person.idNumber.uppercased() != application.socialSecurityNumber.uppercased() else {
                throw HandoverError.recipientIsTheHolder
            }
        }
        switch recipient {
        case .agent(_, let authorisation) where authorisation.trimmingCharacters(in: .whitespaces).isEmpty:
            throw HandoverError.authorisationMissing
        case .guardian(_, let proof) where proof.trimmingCharacters(in: .whitespaces).isEmpty:
            throw HandoverError.guardianshipProofMissing
        default: break
        }
        let note = HandoverCheckNote(card: card.value, recipient: recipient)
        try station.ledger.append(clerk: clerk, action: Self.checkAction, subject: applicationID, details: note.details)
    }

    /// Step 2: the holder sets their own PIN on the card now in `reader` of `card` (the desk's
    /// reader, not the printer's encoder). The card must be the one made for the application.
    /// `holderEntry` nil: the reader's PIN pad (or the driver's own prompt) asks for the current
    /// PIN (the initial 123456, which the clerk tells) and the new one twice; given: the desk
    /// supplies the initial PIN and asks the holder only for the new one, twice. The PIN never
    /// reaches the 台账 or any file.
    public func setPIN(applicationID: String, card: SSCardInterface, reader: ReaderChoice = .contact,
                       holderEntry: (any PINEntry)?, clerk: String) throws {
        let status = try status(applicationID: applicationID)
        guard let check = status.check else { throw HandoverError.stepMissing(.recipientChecked) }
        guard check.recipient.setsPIN else { throw HandoverError.agentCannotSetPIN }
        try confirmCard(status.cardNumber, in: card, reader: reader)
        try card.changePIN(reader: reader, pinEntry: holderEntry.map { InitialPINFirst(holder: $0) })
        try station.ledger.append(clerk: clerk, action: Self.pinAction, subject: applicationID,
                                  details: "卡号 \(status.cardNumber)；\(check.recipient == .holder ? "持卡人本人设置" : "监护人为未成年持卡人设置")")
    }

    /// Step 3: prints (or files) the handover receipt for signature and records where it went.
    /// The holder's name and number come from the card in `reader` of `card` when given (the
    /// name as printed, rare characters included), else from the application.
    @discardableResult
    public func printReceipt(applicationID: String, card: SSCardInterface?, reader: ReaderChoice = .contact,
                             documents: DocumentDesk, clerk: String, fee: FeeCharge? = nil) throws -> DeliveredDocument {
        let status = try status(applicationID: applicationID)
        guard let check = status.check else { throw HandoverError.stepMissing(.recipientChecked) }
        if check.recipient.setsPIN, !status.pinSet { throw HandoverError.stepMissing(.pinSet) }
        let application = try station.cardManagement.application(id: applicationID)
        var holderName = application.name, number = application.socialSecurityNumber
        if let card {
            let basic = try confirmCard(status.cardNumber, in: card, reader: reader)
            holderName = basic.name
            number = basic.socialSecurityNumber
        }
        let fee = try fee ?? Fees(station: station).recorded(applicationID: applicationID)
        let receipt = HandoverReceipt(
            applicationID: applicationID, cardNumber: status.cardNumber.value, holderName: holderName, socialSecurityNumber: number,
            bank: application.bank, kind: application.kind, recipient: check.recipient, pinSet: status.pinSet,
            terminal: station.configuration.terminal, clerk: clerk, date: station.database.clock(), fee: fee)
        let delivered = try documents.issue(receipt.document, now: station.database.clock())
        try station.ledger.append(clerk: clerk, action: Self.receiptAction, subject: applicationID,
                                  details: "卡号 \(status.cardNumber)；\(delivered)")
        return delivered
    }

    /// Step 4: the recipient signed the printed receipt (持卡人签收记录, 第十二条（三）).
    public func recordSignature(applicationID: String, clerk: String) throws {
        let status = try status(applicationID: applicationID)
        guard let check = status.check else { throw HandoverError.stepMissing(.recipientChecked) }
        guard status.receiptPrinted else { throw HandoverError.stepMissing(.receiptPrinted) }
        let signer = check.recipient.person?.name ?? "持卡人本人"
        try station.ledger.append(clerk: clerk, action: Self.signedAction, subject: applicationID,
                                  details: "卡号 \(status.cardNumber)；签收人 \(signer)")
    }

    // MARK: State

    /// Where the handover of `applicationID`'s card stands, from the 台账.
    public func status(applicationID: String) throws -> HandoverStatus {
        let (card, _) = try producedCard(applicationID)
        var status = HandoverStatus(applicationID: applicationID, cardNumber: card)
        for entry in try station.ledger.entries(subject: applicationID) where entry.details.hasPrefix("卡号 \(card.value)") || entry.details.contains("\"card\":\"\(card.value)\"") {
            switch entry.action {
            case Self.checkAction: status.check = HandoverCheckNote(details: entry.details)
            case Self.pinAction: status.pinSet = true
            case Self.receiptAction: status.receiptPrinted = true
            case Self.signedAction: status.signed = true
            default: break
            }
        }
        return status
    }

    /// The card made for `applicationID`, ready to hand over or handed over. On the outlet's
    /// shared books a card made at another desk of the outlet (not in this desk's journal) is
    /// found in the outlet's 台账 (`sharedProducedCard`).
    func producedCard(_ applicationID: String) throws -> (CardNumber, IssuancePhase) {
        guard let last = try station.journal.entries(for: applicationID).last else {
            if station.ledger.isShared, let shared = try sharedProducedCard(applicationID) { return shared }
            throw ActivationError.noCard(applicationID)
        }
        let record = try last.resumeData(as: IssuanceRecord.self)
        let interrupted = last.step == .activate && last.stage == .start
        guard last.phaseAfter == .activated || last.phaseAfter == .reported || interrupted, let card = record.cardNumber else {
            throw ActivationError.notProduced(applicationID, phase: last.phaseAfter)
        }
        return (card, last.phaseAfter)
    }

    /// The card the outlet's 台账 says was made for `applicationID` (its last 制卡成功 or 制卡补登
    /// entry, "卡号 …"), confirmed by the outlet's stock (issued to this application); activated
    /// when a 领卡启用 entry follows. Nil when the outlet made no card for it.
    func sharedProducedCard(_ applicationID: String) throws -> (CardNumber, IssuancePhase)? {
        let entries = try station.ledger.entries(subject: applicationID)
        guard let made = entries.last(where: { $0.action == Self.producedAction || $0.action == Self.backfilledAction }),
              let number = made.namedCard,
              case .issued(let owner)? = try station.stock.card(number)?.state, owner == applicationID else { return nil }
        let activated = entries.contains { $0.action == Self.activatedAction && $0.seq > made.seq }
        return (number, activated ? .activated : .reported)
    }

    /// The cards waiting for their holder, application and card: this desk's issuances produced
    /// (制卡成功 reported) or with an interrupted activation, from its journal; on the outlet's
    /// shared books also the cards the outlet's other desks made and nobody activated yet (the
    /// outlet's 台账), so any window of the outlet can hand them over.
    public func waiting() throws -> [(applicationID: String, cardNumber: CardNumber?)] {
        var out: [(applicationID: String, cardNumber: CardNumber?)] = try station.journal.unfinished()
            .filter { $0.phaseAfter == .reported || ($0.step == .activate && $0.stage == .start) }
            .map { ($0.applicationID, $0.cardNumber) }
        guard station.ledger.isShared else { return out }
        var made: [String: CardNumber] = [:], order: [String] = [], activated = Set<String>()
        for entry in try station.ledger.entries(actions: [Self.producedAction, Self.backfilledAction, Self.activatedAction]) {
            switch entry.action {
            case Self.producedAction, Self.backfilledAction:
                guard let number = entry.namedCard else { continue }
                if made[entry.subject] == nil { order.append(entry.subject) }
                made[entry.subject] = number
            case Self.activatedAction: activated.insert(entry.subject)
            default: break
            }
        }
        let local = Set(out.map(\.applicationID))
        for application in order where !activated.contains(application) && !local.contains(application) {
            out.append((application, made[application]))
        }
        return out
    }

    /// The issuance outcomes in the 台账 (`IssuanceWorkflow`, `StationRecovery`, `Activation`),
    /// whose details start with the card: "卡号 <number>" (`AuditLedgerEntry.namedCard`).
    static let producedAction = "制卡成功"
    static let backfilledAction = "制卡补登"
    static let activatedAction = "领卡启用"

    /// Reads the card in the reader and checks it is `expected`.
    @discardableResult
    private func confirmCard(_ expected: CardNumber, in card: SSCardInterface, reader: ReaderChoice) throws -> BasicInformation {
        let basic = try card.readBasicInformation(reader: reader)
        guard basic.cardNumber == expected.value else { throw HandoverError.wrongCard(expected: expected.value, found: basic.cardNumber) }
        return basic
    }

    /// Whole years from `birthDate` (YYYYMMDD) to `date` in China; nil when unreadable.
    static func age(birthDate: String, on date: Date) -> Int? {
        guard birthDate.count == 8, let y = Int(birthDate.prefix(4)), let md = Int(birthDate.suffix(4)) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "Asia/Shanghai")!
        let now = calendar.dateComponents([.year, .month, .day], from: date)
        guard let ny = now.year, let nm = now.month, let nd = now.day else { return nil }
        return ny - y - ((nm * 100 + nd) < md ? 1 : 0)
    }
}

/// The handover's steps, in order.
public enum HandoverStep: String, Hashable, Sendable, CaseIterable {
    case recipientChecked, pinSet, receiptPrinted, signed

    public var chinese: String {
        switch self {
        case .recipientChecked: "核验领取人身份"
        case .pinSet: "持卡人设置密码"
        case .receiptPrinted: "打印领卡签收单"
        case .signed: "领取人签收"
        }
    }

    public var english: String {
        switch self {
        case .recipientChecked: "check the recipient's ID"
        case .pinSet: "the holder sets the PIN"
        case .receiptPrinted: "print the handover receipt"
        case .signed: "record the recipient's signature"
        }
    }

    /// The `issue-station handover` sub-command that does it.
    public var command: String {
        switch self {
        case .recipientChecked: "check"
        case .pinSet: "set-pin"
        case .receiptPrinted: "receipt"
        case .signed: "signed"
        }
    }
}

/// Where one handover stands.
public struct HandoverStatus: Hashable, Sendable {
    public var applicationID: String
    public var cardNumber: CardNumber
    /// Who takes the card, once checked.
    public var check: HandoverCheckNote?
    public var pinSet = false
    public var receiptPrinted = false
    public var signed = false

    /// The steps still to do, in order (an agent sets no PIN).
    public var missing: [HandoverStep] {
        var steps: [HandoverStep] = []
        if check == nil { steps.append(.recipientChecked) }
        if check?.recipient.setsPIN ?? true, !pinSet { steps.append(.pinSet) }
        if !receiptPrinted { steps.append(.receiptPrinted) }
        if !signed { steps.append(.signed) }
        return steps
    }

    public var isComplete: Bool { missing.isEmpty }
}

/// What the 台账 keeps of the identity check: the card, and the recipient with a masked ID
/// number (JSON in the entry's details).
public struct HandoverCheckNote: Hashable, Sendable, Codable {
    public var card: String
    public var recipient: CardRecipient

    init(card: String, recipient: CardRecipient) {
        self.card = card
        var masked = recipient
        switch recipient {
        case .holder: break
        case .agent(let p, let a): masked = .agent(PersonIdentity(name: p.name, idNumber: p.maskedIDNumber), authorisation: a)
        case .guardian(let p, let proof): masked = .guardian(PersonIdentity(name: p.name, idNumber: p.maskedIDNumber), proof: proof)
        }
        self.recipient = masked
    }

    init?(details: String) {
        guard let note = try? JSONDecoder().decode(HandoverCheckNote.self, from: Data(details.utf8)) else { return nil }
        self = note
    }

    var details: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }
}

/// The desk's own PIN entry for a handover: the current PIN is the initial one, which the desk
/// supplies; the holder types only the new PIN, twice.
struct InitialPINFirst: PINEntry {
    let holder: any PINEntry

    func readPIN(for purpose: PINPurpose) throws(PINEntryError) -> [UInt8] {
        if purpose == .currentPIN { return Array("123456".utf8) }
        return try holder.readPIN(for: purpose)
    }

    func readSecretPIN(for purpose: PINPurpose) throws(PINEntryError) -> SecretBytes {
        if purpose == .currentPIN {
            var initial = Array("123456".utf8)
            return SecretBytes(wiping: &initial)
        }
        return try holder.readSecretPIN(for: purpose)
    }
}

/// Why a handover step was refused; nothing was recorded.
public enum HandoverError: Error, Hashable, Sendable, CustomStringConvertible {
    case holderIDNotSeen
    case recipientIDNotSeen
    case recipientIDCopyNotKept
    case recipientIdentityMissing
    case recipientIsTheHolder
    case authorisationMissing
    case guardianshipProofMissing
    case minorNeedsGuardian(String, age: Int)
    case agentCannotSetPIN
    case wrongCard(expected: String, found: String)
    case stepMissing(HandoverStep)
    /// `Activation.activate` before the handover was complete.
    case incomplete(String, missing: [HandoverStep])

    public var chinese: String {
        switch self {
        case .holderIDNotSeen: "未核实持卡人本人有效身份证件原件（第十四条）"
        case .recipientIDNotSeen: "代领须核实领取人本人有效身份证件原件（第十四条）"
        case .recipientIDCopyNotKept: "代领须留存领取人身份证件复印件或影像资料（第十四条）"
        case .recipientIdentityMissing: "代领须填写领取人姓名和证件号码"
        case .recipientIsTheHolder: "领取人证件号码与持卡人相同，应按本人领取办理"
        case .authorisationMissing: "他人代领须有持卡人的委托书或证明材料"
        case .guardianshipProofMissing: "监护人代领须有监护关系证明（如户口簿、出生医学证明）"
        case .minorNeedsGuardian(let a, let age): "申请 \(a) 的持卡人未满16周岁（\(age)岁），须由法定监护人领卡"
        case .agentCannotSetPIN: "社保卡密码仅限持卡人本人使用，代领人不能设置密码（第十八条）；请持卡人本人到卡经办网点设置"
        case .wrongCard(let expected, let found): "读卡器中的卡是 \(found)，不是本笔制成的卡 \(expected)"
        case .stepMissing(let step): "须先完成“\(step.chinese)”"
        case .incomplete(let a, let missing): "申请 \(a) 的领卡手续未完成（尚缺：\(missing.map(\.chinese).joined(separator: "、"))），不能启用（《广东省社会保障卡经办规程》第十四条、第十八条）"
        }
    }

    public var english: String {
        switch self {
        case .holderIDNotSeen: "the holder's original ID document was not checked (第十四条)"
        case .recipientIDNotSeen: "an agent's or guardian's own original ID document must be checked (第十四条)"
        case .recipientIDCopyNotKept: "a copy or image of the agent's or guardian's ID document must be kept (第十四条)"
        case .recipientIdentityMissing: "give the agent's or guardian's name and ID number"
        case .recipientIsTheHolder: "the recipient's ID number is the holder's: hand the card over as to the holder"
        case .authorisationMissing: "an agent needs the holder's authorisation or supporting papers"
        case .guardianshipProofMissing: "a guardian needs proof of guardianship (户口簿, birth certificate)"
        case .minorNeedsGuardian(let a, let age): "the holder of application \(a) is under 16 (\(age)); a legal guardian takes the card"
        case .agentCannotSetPIN: "the PIN is the holder's alone (第十八条): an agent cannot set it; the holder sets it at a counter"
        case .wrongCard(let expected, let found): "the card in the reader is \(found), not \(expected), the card made for this application"
        case .stepMissing(let step): "first: \(step.english)"
        case .incomplete(let a, let missing): "the handover of application \(a) is not complete (missing: \(missing.map(\.english).joined(separator: ", "))), so it cannot be activated (《广东省社会保障卡经办规程》第十四条、第十八条)"
        }
    }

    public var description: String { chinese + " " + english }
}
