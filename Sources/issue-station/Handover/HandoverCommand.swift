import ArgumentParser
import Foundation
import CounterDocuments
import InstantIssue
import SSCardDriver

/// `issue-station handover`: 领卡 — the steps before 启用 (《广东省社会保障卡经办规程》第十二条、
/// 第十四条、第十八条), one sub-command each, in order: check, set-pin, receipt, signed; `status`
/// shows what is done. The logic is `Handover` in InstantIssue; the web desk calls the same.
struct HandoverCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "handover",
        abstract: "领卡：核验领取人身份、持卡人设置密码、打印签收单、记录签收，然后才能启用。 "
            + "The handover: check the recipient's ID, the holder sets the PIN, print the receipt, record the signature; then activate.",
        discussion: """
            依次运行 check、set-pin（代领时免）、receipt、signed，最后 issue-station activate。每一步记入台账（《广东省社会保障卡经办规程》\
            第十二条、第十四条、第十八条）。 Run check, set-pin (not for an agent), receipt, signed, then issue-station activate; \
            each step is recorded in the ledger.
            """,
        subcommands: [HandoverStatusCommand.self, HandoverCheckCommand.self, HandoverSetPINCommand.self,
                      HandoverReceiptCommand.self, HandoverSignedCommand.self])
}

/// The application id every handover step takes.
struct HandoverApplication: ParsableArguments {
    @Argument(help: ArgumentHelp("申请编号。 The application id.", valueName: "application-id"))
    var applicationID: String
}

/// `issue-station handover status ID`: what is done and what is next.
struct HandoverStatusCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "显示领卡手续的进度。 Shows where the handover stands.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var application: HandoverApplication

    func execute(_ console: StationConsole) throws {
        let station = try StationSetup(global).openStation()
        defer { station.stock.close(); try? station.database.close() }
        let status = try Handover(station: station).status(applicationID: application.applicationID)
        console.say(HandoverMessages.status(status))
    }
}

/// `issue-station handover check ID --recipient holder|agent|guardian …`: 核验领取人身份.
struct HandoverCheckCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "核验领取人身份（本人、代领或监护人）。 Records who takes the card and that their ID was checked.",
        discussion: """
            本人领取：核实持卡人本人有效身份证件原件（--holder-id-checked）。代领：另需代领人姓名和证件号码、其证件原件\
            （--recipient-id-checked）、留存复印件（--copy-kept）和委托材料（--authorisation）。未满16周岁的持卡人由\
            监护人领取（--recipient guardian，--proof 监护关系证明）。 Holder: --holder-id-checked. Agent: also --name, \
            --id-number, --recipient-id-checked, --copy-kept, --authorisation. A holder under 16: --recipient guardian with --proof.
            """)

    enum Kind: String, ExpressibleByArgument, CaseIterable { case holder, agent, guardian }

    @OptionGroup var global: GlobalOptions
    @OptionGroup var application: HandoverApplication
    @OptionGroup var clerk: ClerkOption

    @Option(help: ArgumentHelp("领取人：holder（本人）、agent（代领）、guardian（监护人）。 Who takes the card.", valueName: "kind"))
    var recipient: Kind = .holder
    @Option(help: ArgumentHelp("代领人或监护人的姓名。 The agent's or guardian's name.", valueName: "name"))
    var name: String?
    @Option(name: .customLong("id-number"), help: ArgumentHelp("代领人或监护人的证件号码。 Their ID number.", valueName: "number"))
    var idNumber: String?
    @Option(help: ArgumentHelp("代领的委托书或证明材料。 The agent's authorisation (委托书 or supporting papers).", valueName: "text"))
    var authorisation: String?
    @Option(help: ArgumentHelp("监护关系证明，如户口簿。 The proof of guardianship.", valueName: "text"))
    var proof: String?
    @Flag(name: .customLong("holder-id-checked"), help: "已核实持卡人本人有效身份证件原件。 The holder's original ID document was checked.")
    var holderIDChecked = false
    @Flag(name: .customLong("recipient-id-checked"), help: "已核实代领人或监护人本人有效身份证件原件。 The agent's or guardian's original ID was checked.")
    var recipientIDChecked = false
    @Flag(name: .customLong("copy-kept"), help: "已留存代领人或监护人证件复印件或影像。 A copy of their ID document is kept.")
    var copyKept = false

    func execute(_ console: StationConsole) throws {
        let station = try StationSetup(global).openStation()
        defer { station.stock.close(); try? station.database.close() }
        let person = PersonIdentity(name: name ?? "", idNumber: idNumber ?? "")
        let who: CardRecipient = switch recipient {
        case .holder: .holder
        case .agent: .agent(person, authorisation: authorisation ?? "")
        case .guardian: .guardian(person, proof: proof ?? "")
        }
        let documents = RecipientDocuments(holderIDSeen: holderIDChecked, recipientIDSeen: recipientIDChecked, recipientIDCopyKept: copyKept)
        let handover = Handover(station: station)
        try handover.checkRecipient(applicationID: application.applicationID, recipient: who, documents: documents, clerk: clerk.resolved)
        console.say(Localized("已核验领取人：\(who.chinese)。", "Recipient checked: \(who.english)."))
        console.say(HandoverMessages.status(try handover.status(applicationID: application.applicationID)))
    }
}

/// `issue-station handover set-pin ID`: the holder sets their own PIN on the card in the desk reader.
struct HandoverSetPINCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "set-pin",
        abstract: "持卡人本人设置社保应用密码（第十八条）。 The holder sets their own PIN (第十八条).",
        discussion: """
            把卡放入柜台读卡器。持卡人在本终端输入两遍新密码（初始密码由本程序提供）；加 --pin-pad 时在密码键盘上依次输入\
            初始密码123456和两遍新密码。 Put the card in the desk reader. The holder types the new PIN twice here (the program \
            supplies the initial PIN); with --pin-pad, on the reader's PIN pad: the initial 123456, then the new PIN twice.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var application: HandoverApplication
    @OptionGroup var reader: CardReaderOption
    @OptionGroup var clerk: ClerkOption
    @Flag(name: .customLong("pin-pad"), help: "在读卡器的密码键盘上输入。 Use the reader's PIN pad.")
    var pinPad = false

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        let station = try setup.openStation()
        defer { station.stock.close(); try? station.database.close() }
        let card = try CardDesk.interface(setup, reader: reader.reader)
        console.say(pinPad ? Localized("请持卡人在密码键盘上先输入初始密码123456，再输入两遍新密码。",
                                       "Let the holder type the initial 123456 on the PIN pad, then the new PIN twice.")
                           : Messages.holderTypesNewPIN)
        try Handover(station: station).setPIN(applicationID: application.applicationID, card: card,
                                              holderEntry: pinPad ? nil : TerminalPINEntry(), clerk: clerk.resolved)
        console.say(Localized("持卡人已设置密码。", "The holder has set the PIN."))
    }
}

/// `issue-station handover receipt ID`: prints (or files) the handover receipt for signature.
struct HandoverReceiptCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "receipt",
        abstract: "打印领卡签收单，交领取人签名。 Prints the handover receipt for the recipient to sign.",
        discussion: """
            卡在柜台读卡器中时，签收单上的姓名取自卡片（含生僻字）；加 --no-card 时取自申请。 With the card in the desk reader \
            the receipt shows the name as on the card (rare characters included); with --no-card, as in the application.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var application: HandoverApplication
    @OptionGroup var reader: CardReaderOption
    @OptionGroup var clerk: ClerkOption
    @Flag(name: .customLong("no-card"), help: "不读卡，姓名取自申请。 Do not read the card; the name comes from the application.")
    var noCard = false

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        let station = try setup.openStation()
        defer { station.stock.close(); try? station.database.close() }
        let card = noCard ? nil : try CardDesk.interface(setup, reader: reader.reader)
        let delivered = try Handover(station: station).printReceipt(
            applicationID: application.applicationID, card: card, documents: station.documents, clerk: clerk.resolved)
        console.say(HandoverMessages.delivered(delivered))
    }
}

/// `issue-station handover signed ID`: the recipient signed the receipt.
struct HandoverSignedCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "signed", abstract: "记录领取人已在签收单上签名。 Records that the recipient signed the receipt.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var application: HandoverApplication
    @OptionGroup var clerk: ClerkOption

    func execute(_ console: StationConsole) throws {
        let station = try StationSetup(global).openStation()
        defer { station.stock.close(); try? station.database.close() }
        try Handover(station: station).recordSignature(applicationID: application.applicationID, clerk: clerk.resolved)
        console.say(Localized("已记录签收。下一步：issue-station activate \(application.applicationID)。",
                              "Signature recorded. Next: issue-station activate \(application.applicationID)."))
    }
}

enum HandoverMessages {
    static func status(_ s: HandoverStatus) -> Localized {
        let missing = s.missing
        if missing.isEmpty {
            return Localized("申请 \(s.applicationID)（卡号 \(s.cardNumber)）领卡手续已完成，可以启用：issue-station activate \(s.applicationID)。",
                             "Application \(s.applicationID) (card \(s.cardNumber)): the handover is complete; activate with issue-station activate \(s.applicationID).")
        }
        let next = missing[0]
        return Localized("申请 \(s.applicationID)（卡号 \(s.cardNumber)）尚缺：\(missing.map(\.chinese).joined(separator: "、"))。下一步：issue-station handover \(next.command) \(s.applicationID)。",
                         "Application \(s.applicationID) (card \(s.cardNumber)) still needs: \(missing.map(\.english).joined(separator: ", ")). Next: issue-station handover \(next.command) \(s.applicationID).")
    }

    static func delivered(_ d: DeliveredDocument) -> Localized {
        switch d {
        case .printed(let queue, let id):
            Localized("签收单已送打印队列 \(queue)（\(id)），请领取人签名后运行 handover signed。",
                      "The receipt went to the print queue \(queue) (\(id)); once signed, run handover signed.")
        case .saved(let path):
            Localized("签收单（PDF）：\(path)。打印后请领取人签名，再运行 handover signed。",
                      "The receipt (PDF): \(path). Print it, let the recipient sign, then run handover signed.")
        }
    }
}
