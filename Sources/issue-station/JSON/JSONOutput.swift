import ArgumentParser
import Foundation

/// `--json`: the command's result as one JSON document on stdout, for scripts and monitoring,
/// instead of the lines for people. Keys are sorted; every document carries `format` (1 now).
/// Fields are only ever added within a format; one removed or changed in meaning would get a new
/// format number. A value the command does not know is left out. Errors that stop the command
/// still go to stderr as sentences, with the usual exit status (docs/technician.md §17).
struct JSONOption: ParsableArguments {
    @Flag(name: .customLong("json"), help: ArgumentHelp(
        "以 JSON 输出结果（供脚本和监控使用，格式见技术员手册 §17）。 "
            + "Prints the result as one JSON document for scripts and monitoring (technician's guide §17)."))
    var json = false
}

enum JSONOutput {
    /// The format number of the documents this build writes.
    static let format = 1

    static func write<Document: Encodable>(_ document: Document, to console: StationConsole) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        console.say(verbatim: String(decoding: try encoder.encode(document), as: UTF8.self))
    }
}
