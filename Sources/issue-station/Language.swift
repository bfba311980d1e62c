import ArgumentParser
import StationOperations
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

    @Option(name: .customLong("log-level"), help: ArgumentHelp(
        "日志级别：error、warning、info 或 debug，写到标准错误（服务的日志由 journald 保存）；不给时用环境变量 SSCARD_LOG_LEVEL，都没有则不写日志。 "
            + "The log level: error, warning, info or debug, written to stderr (journald keeps a service's); without it SSCARD_LOG_LEVEL, else no log.",
        valueName: "level"))
    var logLevel: String?

    var language: Language { languageOption.language }

    func validate() throws {
        do { _ = try StationLogging.requested(option: logLevel) } catch { throw ValidationError("--log-level / SSCARD_LOG_LEVEL: \(error)") }
    }

    /// Installs the masking log handler at the level asked for; a one-shot command nobody asked
    /// to log writes only the clerk's lines (and the APDU trace, when driver.json turns it on).
    func startLogging() {
        StationLogging.bootstrap(level: (try? StationLogging.requested(option: logLevel)) ?? nil)
    }
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
