import ProvinceSimulator
import CardManagement
import Foundation
import InstantIssue

/// The checks before a card is made: the application (from the system or a file), its
/// `[PINYIN]` placeholders resolved by the clerk, the application rules and one person, one card.
struct IssueChecks {
    let station: Station
    let console: StationConsole

    func request(applicationID: String?, file: String?, characters: [String]) throws -> IssuanceRequest {
        let application: Application
        if let file {
            application = try ApplicationFile.load(from: URL(fileURLWithPath: file))
            // Offline demo: the embedded simulator learns the application from the file.
            if let simulator = station.cardManagement as? SimulatedCardManagementSystem,
               (try? simulator.application(id: application.id)) == nil {
                try simulator.add(application)
            }
        } else {
            application = try station.cardManagement.application(id: applicationID!)
        }
        // 补卡/换卡: the old card cancelled first (第二十七条一（四）); 一人一卡: a printed 确认单 signed (附件10).
        try OldCardDesk(station: station).requireOldCardCancelled(application)
        try OnePersonOneCardDesk(station: station).requireSignedFormIfPrinted(applicationID: application.id)
        return try validated(application, characters: characters)
    }

    /// The clerk types each rare character the name's `[PINYIN]` placeholders stand for (those
    /// not given with --char); then every rule is checked at once (`ApplicationValidator`).
    private func validated(_ application: Application, characters: [String]) throws -> IssuanceRequest {
        var replacements = characters
        let placeholders = (try? ApplicantName(application.name).placeholders) ?? []
        for placeholder in placeholders.dropFirst(replacements.count) {
            guard let typed = IssuanceConsole.ask(console, Localized(
                "姓名“\(application.name)”中的 [\(placeholder)] 是生僻字，请输入该汉字后按回车：",
                "The name \(application.name) has the rare character [\(placeholder)]: type the character, then Enter:")), !typed.isEmpty
            else { break }
            replacements.append(typed)
        }
        let validator = try ApplicationValidator(cardManagement: station.cardManagement, configuration: station.driver.configuration)
        let checked = try validator.validate(application, replacements: replacements)
        for notice in checked.notices { console.say(Localized("提示：\(notice.chinese)", "Note: \(notice.english)")) }
        return checked.issuanceRequest
    }
}
