import ArgumentParser
import Foundation
import SSCardDriver

/// `--id-checked`: the clerk has already compared the holder with the original ID document.
struct IdentityCheckOption: ParsableArguments {
    @Flag(name: .customLong("id-checked"), help: ArgumentHelp(
        "已核实持卡人本人有效身份证件原件，与卡上的姓名和社会保障号码一致（不再询问）。 "
            + "You have checked the holder's original ID document against the name and number on the card (no question asked)."))
    var idChecked = false
}

/// 核实身份 (《广东省社会保障卡经办规程》第二十条, 第二十一条): before a PIN is unblocked or reset
/// the clerk sees who the card belongs to and confirms the original ID document shows the same
/// person. No answer (no terminal) is no: the service is refused and nothing is done to the card.
enum IdentityCheck {
    /// What the ledger records with the service.
    static let ledgerNote = "已核实本人有效身份证件原件"

    static func confirm(_ holder: BasicInformation, alreadyChecked: Bool, console: StationConsole) throws {
        console.say(Messages.cardHolder(name: holder.name, socialSecurityNumber: holder.socialSecurityNumber))
        if alreadyChecked { return }
        let answer = IssuanceConsole.ask(console, Messages.askIDMatches)?.lowercased()
        guard let answer, ["y", "yes", "是"].contains(answer) else { throw CardCommandError.identityNotConfirmed }
    }
}
