import ArgumentParser
import Foundation
import CardManagement
import InstantIssue

/// `issue-station old-card`: 补卡/换卡 — the old card checked, read, cancelled before the new card
/// is made (《广东省社会保障卡经办规程》第二十三条至第三十一条).
struct OldCardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "old-card",
        abstract: "补卡、换卡的原卡：查询、读卡确认、注销。 The old card of a 补卡 or 换卡: check, read, cancel.",
        discussion: """
            补卡：原卡须已正式挂失，注销时登记为丢失。换卡：收回原卡，读芯片确认后注销，登记回收或销毁；变更服务银行时\
            可交持卡人到原服务银行回收。原卡注销前不能制新卡（《广东省社会保障卡经办规程》第二十七条）。 \
            补卡 (lost card): the old card must be formally reported lost; it is cancelled as lost. 换卡: the card is \
            handed in, its chip read to confirm it, then it is cancelled as collected or destroyed, or taken to the old \
            bank when the bank changes. No new card is made before the old one is cancelled.
            """,
        subcommands: [OldCardCheckCommand.self, OldCardReadCommand.self, OldCardCancelCommand.self])
}

/// `old-card check ID`: the old card's state and the next step.
struct OldCardCheckCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "查询原卡状态和下一步。 Shows the old card's state and the next step.")

    @OptionGroup var global: GlobalOptions
    @Argument(help: ArgumentHelp("补卡或换卡的申请编号。 The 补卡 or 换卡 application id.", valueName: "application-id"))
    var applicationID: String

    func execute(_ console: StationConsole) throws {
        let station = try StationSetup(global).openStation()
        defer { station.stock.close(); try? station.database.close() }
        let check = try OldCardDesk(station: station).check(applicationID: applicationID)
        for line in OldCardMessages.describe(check.card) { console.say(line) }
        console.say(OldCardMessages.next(check, applicationID))
    }
}

/// `old-card read ID`: 换卡 — reads the chip of the card handed in and has the system confirm it.
struct OldCardReadCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "read", abstract: "换卡：读交回原卡的芯片并确认。 换卡: reads the chip of the card handed in and confirms it.",
        discussion: """
            把交回的原卡插入读卡器。芯片上的卡号和社会保障号码须与卡管系统的原卡一致，确认后原卡被锁定（第三十一条）。 \
            Insert the card handed in. Its chip's card number and social security number must be the old card's; \
            the system then locks it.
            """)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var reader: CardReaderOption
    @OptionGroup var clerk: ClerkOption
    @Argument(help: ArgumentHelp("换卡的申请编号。 The 换卡 application id.", valueName: "application-id"))
    var applicationID: String

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        let basic = try CardDesk.interface(setup, reader: reader.reader).readBasicInformation(reader: .contact)
        let station = try setup.openStation()
        defer { station.stock.close(); try? station.database.close() }
        let card = try OldCardDesk(station: station).confirmChip(
            applicationID: applicationID, chipCardNumber: basic.cardNumber, chipSocialSecurityNumber: basic.socialSecurityNumber,
            clerk: clerk.resolved)
        console.say(Localized("原卡 \(card.cardNumber) 已读卡确认并锁定。", "Old card \(card.cardNumber) confirmed by its chip and locked."))
        console.say(OldCardMessages.next(OldCardCheck(card: card), applicationID))
    }
}

/// `old-card cancel ID --disposition …`: asks the system to cancel the old card.
struct OldCardCancelCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "cancel", abstract: "申请注销原卡并登记其去向。 Asks the system to cancel the old card and records what became of it.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var clerk: ClerkOption
    @Argument(help: ArgumentHelp("补卡或换卡的申请编号。 The 补卡 or 换卡 application id.", valueName: "application-id"))
    var applicationID: String

    @Option(help: ArgumentHelp(
        "原卡去向：lost（补卡，丢失）、collected（换卡，回收）、destroyed（换卡，当场销毁）、to-old-bank（变更服务银行，持卡人交原银行）。 "
            + "What became of the card: lost (补卡), collected or destroyed (换卡), to-old-bank (bank change).", valueName: "disposition"))
    var disposition: DispositionArgument

    func execute(_ console: StationConsole) throws {
        let station = try StationSetup(global).openStation()
        defer { station.stock.close(); try? station.database.close() }
        let card = try OldCardDesk(station: station).cancel(applicationID: applicationID, disposition: disposition.value, clerk: clerk.resolved)
        console.say(Localized("原卡 \(card.cardNumber) 已注销（\(card.disposition?.chinese ?? "")），已记入台账。",
                              "Old card \(card.cardNumber) cancelled (\(card.disposition?.english ?? "")), recorded in the ledger."))
        if card.bankChanges {
            console.say(Localized("服务银行由 \(card.bank ?? "") 变更为 \(card.newBank)：请告知持卡人新卡启用后到原服务银行办理资金结转和旧卡注销（第三十一条）。",
                                  "The bank changes from \(card.bank ?? "") to \(card.newBank): tell the holder to move the money and close the old card at the old bank once the new card is activated."))
        }
        console.say(Localized("下一步：issue-station issue \(applicationID)。", "Next: issue-station issue \(applicationID)."))
    }
}

/// `--disposition`'s values.
struct DispositionArgument: ExpressibleByArgument {
    let value: OldCardDisposition
    init?(argument: String) {
        switch argument {
        case "lost": value = .lost
        case "collected": value = .collected
        case "destroyed": value = .destroyed
        case "to-old-bank": value = .toOldBank
        default: return nil
        }
    }
    static var allValueStrings: [String] { ["lost", "collected", "destroyed", "to-old-bank"] }
}

enum OldCardMessages {
    static func describe(_ card: OldCard) -> [Localized] {
        var lines = [
            Localized("\(card.kind.chinese)申请 \(card.applicationID) 的原卡：\(card.cardNumber)，状态“\(card.state.rawValue)”。",
                      "Old card of \(card.kind.rawValue) application \(card.applicationID): \(card.cardNumber), \(card.state.english)."),
        ]
        if let disposition = card.disposition {
            lines.append(Localized("去向：\(disposition.chinese)。", "It was \(disposition.english)."))
        }
        if card.bankChanges {
            lines.append(Localized("变更服务银行：\(card.bank ?? "") → \(card.newBank)。", "Bank change: \(card.bank ?? "") → \(card.newBank)."))
        }
        return lines
    }

    static func next(_ check: OldCardCheck, _ id: String) -> Localized {
        switch check.next {
        case .formalLossReport:
            Localized("下一步：补卡须先正式挂失——请持卡人到服务银行办理正式挂失后再来（第二十七条一（一））。",
                      "Next: a 补卡 needs a formal loss report — the holder reports the card lost at the bank first.")
        case .cancelAsLost:
            Localized("下一步：issue-station old-card cancel \(id) --disposition lost。", "Next: issue-station old-card cancel \(id) --disposition lost.")
        case .readChip:
            Localized("下一步：收回原卡，插入读卡器后运行 issue-station old-card read \(id)。",
                      "Next: take the old card, insert it, then run issue-station old-card read \(id).")
        case .releaseLossOrReplace:
            Localized("下一步：原卡已挂失——请持卡人到银行解挂后换卡，或改办补卡。",
                      "Next: the card is reported lost — the holder releases the report at the bank before a 换卡, or applies for a 补卡.")
        case .cancelHandedIn:
            Localized("下一步：issue-station old-card cancel \(id) --disposition collected（或 destroyed；变更银行时 to-old-bank）。",
                      "Next: issue-station old-card cancel \(id) --disposition collected (or destroyed; to-old-bank on a bank change).")
        case .issue:
            Localized("下一步：issue-station issue \(id)。", "Next: issue-station issue \(id).")
        }
    }
}

extension OldCardDeskError: AdvisedError {
    var advice: ErrorAdvice {
        switch self {
        case let .noCardToRead(id):
            ErrorAdvice(Localized("申请 \(id) 不是换卡，没有交回的原卡可读", "Application \(id) is not a 换卡; there is no handed-in card to read"),
                        next: Localized("补卡的原卡已丢失：运行 issue-station old-card cancel \(id) --disposition lost",
                                        "a 补卡's card is lost: run issue-station old-card cancel \(id) --disposition lost"))
        case let .oldCardNotCancelled(id, card, state):
            ErrorAdvice(Localized("申请 \(id) 的原卡 \(card) 为“\(state.rawValue)”，原卡注销前不能制新卡（第二十七条一（四））",
                                  "The old card \(card) of application \(id) is \(state.english); no new card before it is cancelled"),
                        next: Localized("运行 issue-station old-card check \(id) 按提示办理", "run issue-station old-card check \(id) and follow it"))
        }
    }
}
