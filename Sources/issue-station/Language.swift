import ArgumentParser
import Foundation

/// The language the station speaks to clerks and technicians: Chinese (中文) unless `--lang en`
/// or `SSCARD_LANG=en` asks for English. Help screens are shown before options are parsed, so
/// they carry both languages; everything printed after that is in the chosen one.
enum Language: String, CaseIterable, Sendable, ExpressibleByArgument {
    case zh, en

    /// `--lang` when given, else `SSCARD_LANG` (`en`, `en_US.UTF-8`… mean English; `zh…` Chinese;
    /// anything else is ignored), else Chinese.
    static func resolve(option: Language?, environment: [String: String] = ProcessInfo.processInfo.environment) -> Language {
        if let option { return option }
        if let value = environment["SSCARD_LANG"]?.lowercased() {
            if value.hasPrefix("en") { return .en }
            if value.hasPrefix("zh") { return .zh }
        }
        return .zh
    }
}

/// One user-facing message in both languages; the console prints the one chosen.
struct Localized: Hashable, Sendable {
    var zh: String
    var en: String

    init(_ zh: String, _ en: String) {
        self.zh = zh
        self.en = en
    }

    /// The same text in both languages: card numbers, hashes, file names.
    init(verbatim text: String) {
        self.init(text, text)
    }

    func text(_ language: Language) -> String {
        language == .zh ? zh : en
    }

    /// Two messages joined as they are, language by language.
    static func + (a: Localized, b: Localized) -> Localized {
        Localized(a.zh + b.zh, a.en + b.en)
    }
}

/// `--lang zh|en` on its own, for the commands that read no station configuration (the
/// technician's `vcard` and `vprinter`); every other command takes it within `GlobalOptions`.
struct LanguageOption: ParsableArguments {
    @Option(name: .customLong("lang"), help: ArgumentHelp(
        "界面语言：zh（中文，默认）或 en（英文）；也可用环境变量 SSCARD_LANG 设置。 "
            + "The language of the messages: zh (Chinese, the default) or en (English); the SSCARD_LANG environment variable sets it too.",
        valueName: "zh|en"))
    var lang: Language?

    var language: Language { Language.resolve(option: lang) }
}

/// Options every station command accepts: `--lang zh|en` and `--config FILE`.
struct GlobalOptions: ParsableArguments {
    @OptionGroup var languageOption: LanguageOption

    @Option(name: .customLong("config"), help: ArgumentHelp(
        "制卡站配置文件（JSON）；不给时用环境变量 SSCARD_STATION_CONFIG，再找 /etc/sscard/station.json，都没有则用默认值。 "
            + "The station configuration file (JSON); without it SSCARD_STATION_CONFIG, then /etc/sscard/station.json, else the defaults.",
        valueName: "file"))
    var config: String?

    var language: Language { languageOption.language }
}

/// Lines for the clerk in the chosen language: stdout for results, stderr for failures.
struct StationConsole: Sendable {
    let language: Language
    private let console = Console()

    init(language: Language) {
        self.language = language
    }

    func say(_ message: Localized) { console.say(message.text(language)) }
    func say(verbatim text: String) { console.say(text) }
    func fail(_ message: Localized) { console.fail(message.text(language)) }

    /// Picks the text in the chosen language.
    func text(_ message: Localized) -> String { message.text(language) }
    func text(_ zh: String, _ en: String) -> String { language == .zh ? zh : en }
}
