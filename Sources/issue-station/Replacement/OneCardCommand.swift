import ArgumentParser
import Foundation
import CardManagement
import InstantIssue

/// `issue-station one-card`: 一人一卡 (《广东省社会保障卡经办规程》附件10) — the 确认单 printed for the
/// applicant's signature, the signature recorded, the clean-up checked with the system.
struct OneCardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "one-card",
        abstract: "一人一卡：核验、打印确认单、登记签字。 One person, one card: check, print the form, record the signature.",
        discussion: """
            卡管系统发现申请人名下有其他社保卡时，打印《广东省社会保障卡一人一卡业务确认单》交申请人签字；其他卡在省卡管系统\
            清理完毕后才能制卡（附件10）。 When the system finds other cards of the applicant, the confirmation form \
            is printed for the applicant to sign; the card is made only after the other cards are cleaned up in the \
            province system.
            """,
        subcommands: [OneCardCheckCommand.self, OneCardSignedCommand.self])
}

/// `one-card check ID`: asks the system; prints the form the first time other cards are found.
struct OneCardCheckCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "向卡管系统核验一人一卡，需要时打印确认单。 Checks with the system and prints the form when needed.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var clerk: ClerkOption
    @Argument(help: ArgumentHelp("申请编号。 The application id.", valueName: "application-id"))
    var applicationID: String

    func execute(_ console: StationConsole) throws {
        let station = try StationSetup(global).openStation()
        defer { station.stock.close(); try? station.database.close() }
        let check = try OnePersonOneCardDesk(station: station).check(applicationID: applicationID, clerk: clerk.resolved)
        let id = applicationID
        switch check {
        case .clear:
            console.say(Localized("一人一卡核验通过：申请人名下没有其他社保卡。", "One person, one card: the applicant holds no other card."))
        case let .formPrinted(cards, delivered):
            console.say(Localized("申请人名下另有 \(cards.count) 张社保卡：\(Self.list(cards))。", "The applicant holds \(cards.count) other card(s): \(Self.list(cards))."))
            console.say(Localized("确认单：\(delivered)", "Confirmation form: \(delivered)"))
            console.say(Localized("下一步：申请人签字后运行 issue-station one-card signed \(id)，并在省卡管系统办理“一人一卡”清理。",
                                  "Next: once the applicant signed, run issue-station one-card signed \(id), and clean up the cards in the province system."))
        case let .awaitingSignature(cards):
            console.say(Localized("确认单尚未登记签字\(cards.isEmpty ? "" : "（其他卡：\(Self.list(cards))）")。", "The form's signature is not recorded yet."))
            console.say(Localized("下一步：申请人签字后运行 issue-station one-card signed \(id)。", "Next: once the applicant signed, run issue-station one-card signed \(id)."))
        case let .awaitingCleanUp(cards):
            console.say(Localized("确认单已签字；卡管系统仍有其他卡：\(Self.list(cards))。", "The form is signed; the system still reports: \(Self.list(cards))."))
            console.say(Localized("下一步：在省卡管系统“一人一卡”功能清理后再运行本命令。", "Next: clean them up with the province system's 一人一卡 function, then run this again."))
        case .cleanedUp:
            console.say(Localized("其他卡已清理，确认单已签字：可以制卡（issue-station issue \(id)）。",
                                  "The other cards are cleaned up and the form is signed: the card may be made (issue-station issue \(id))."))
        }
        if !check.allowsIssuance { throw ExitCode.checkFailed }
    }

    static func list(_ cards: [ExistingCard]) -> String {
        cards.map { "\($0.cardNumber)（\($0.regionCode)，\($0.state)）" }.joined(separator: "、")
    }
}

/// `one-card signed ID`: the applicant signed the printed form.
struct OneCardSignedCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "signed", abstract: "登记申请人已在确认单上签字。 Records that the applicant signed the form.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var clerk: ClerkOption
    @Argument(help: ArgumentHelp("申请编号。 The application id.", valueName: "application-id"))
    var applicationID: String

    func execute(_ console: StationConsole) throws {
        let station = try StationSetup(global).openStation()
        defer { station.stock.close(); try? station.database.close() }
        try OnePersonOneCardDesk(station: station).recordSignature(applicationID: applicationID, clerk: clerk.resolved)
        console.say(Localized("已登记签字，确认单请专柜保管（附件10 七）。", "Signature recorded; keep the form in its cabinet."))
        console.say(Localized("下一步：清理完成后运行 issue-station one-card check \(applicationID)。",
                              "Next: once the cards are cleaned up, run issue-station one-card check \(applicationID)."))
    }
}

extension OnePersonOneCardError: AdvisedError {
    var advice: ErrorAdvice {
        switch self {
        case let .noFormPrinted(id):
            ErrorAdvice(Localized("申请 \(id) 没有打印过一人一卡确认单", "No one-person-one-card form was printed for application \(id)"),
                        next: Localized("先运行 issue-station one-card check \(id)", "run issue-station one-card check \(id) first"))
        case let .notSigned(id):
            ErrorAdvice(Localized("申请 \(id) 的一人一卡确认单尚未签字，不能制卡（附件10）", "The one-person-one-card form of application \(id) is not signed; no card can be made"),
                        next: Localized("申请人签字后运行 issue-station one-card signed \(id)", "once the applicant signed, run issue-station one-card signed \(id)"))
        }
    }
}
