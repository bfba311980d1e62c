import ArgumentParser
import Foundation
import InstantIssue

/// `issue-station activate ID`: 领卡启用 when the applicant takes the card.
struct ActivateCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "activate",
        abstract: "领卡启用：申请人领走制成的卡后运行。 Activates a card when the applicant takes it (领卡启用).",
        discussion: """
            只有制卡成功（含制卡补登）且领卡手续已完成（issue-station handover：核验身份、持卡人设置密码、签收单签名）\
            的卡可以启用；启用后该笔制卡结束，并记入台账（《广东省社会保障卡经办规程》第十四条、第十八条）。 \
            Only a card reported 制卡成功 (or completed by 制卡补登) whose handover is complete (issue-station handover: ID \
            checked, the holder's PIN set, the receipt signed) can be activated; activation ends the issuance and is \
            recorded in the ledger.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("申请编号。 The application id.", valueName: "application-id"))
    var applicationID: String

    @OptionGroup var clerkOption: ClerkOption
    /// The clerk the journal and the ledger record (--clerk, SSCARD_CLERK, else the login name).
    var clerk: String { clerkOption.resolved }

    func execute(_ console: StationConsole) throws {
        let station = try StationSetup(global).openStation()
        defer { station.stock.close(); try? station.database.close() }
        let card = try Activation(station: station).activate(applicationID: applicationID, clerk: clerk)
        console.say(Localized("领卡启用完成：申请 \(applicationID)，卡号 \(card)。", "Activated: application \(applicationID), card \(card)."))
    }
}
