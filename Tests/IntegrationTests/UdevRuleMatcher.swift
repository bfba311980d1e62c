import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A small evaluator of the part of udev's rule language udev/60-sscard.rules uses (udev(7)):
/// match keys ACTION, SUBSYSTEM, ENV{…}, ATTR{…} with == and !=, shell-glob patterns with
/// `|` alternatives (fnmatch(3), as udev), assignments GROUP, MODE, OWNER, TAG, and GOTO/LABEL.
/// Any other key is an error, so a rule this evaluator does not understand fails the test
/// instead of being skipped.
struct UdevRules {
    struct Key: Equatable {
        var name: String
        var attribute: String?
        var operation: String
        var value: String
    }

    /// What the rules did to one device.
    struct Outcome: Equatable {
        var group: String?
        var mode: String?
        var owner: String?
        var tags: [String] = []
    }

    /// A device as udev sees it: its properties (ACTION, SUBSYSTEM, DEVTYPE, DEVNAME,
    /// ID_USB_INTERFACES …) and its sysfs attributes (idVendor …).
    struct Device {
        var properties: [String: String]
        var attributes: [String: String]
    }

    enum ParseError: Error, CustomStringConvertible {
        case malformed(line: Int, text: String)
        case unknownKey(line: Int, key: String)
        case missingLabel(String)
        var description: String {
            switch self {
            case .malformed(let line, let text): "line \(line): cannot parse “\(text)”"
            case .unknownKey(let line, let key): "line \(line): key \(key) is not understood by this test's evaluator"
            case .missingLabel(let label): "GOTO=\"\(label)\" has no LABEL"
            }
        }
    }

    private(set) var rules: [(line: Int, keys: [Key])] = []

    static let matchKeys: Set<String> = ["ACTION", "SUBSYSTEM", "ENV", "ATTR"]
    static let assignKeys: Set<String> = ["GROUP", "MODE", "OWNER", "TAG", "GOTO", "LABEL"]

    init(text: String) throws {
        let pattern = try NSRegularExpression(pattern: #"^\s*([A-Z_]+)(?:\{([^}]*)\})?\s*(==|!=|\+=|-=|:=|=)\s*"((?:[^"\\]|\\.)*)"\s*(?:,|$)"#)
        for (index, raw) in text.components(separatedBy: "\n").enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            var rest = Substring(line)
            var keys: [Key] = []
            while !rest.trimmingCharacters(in: .whitespaces).isEmpty {
                let text = String(rest)
                guard let match = pattern.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
                      let whole = Range(match.range, in: text) else {
                    throw ParseError.malformed(line: index + 1, text: line)
                }
                func group(_ n: Int) -> String? { Range(match.range(at: n), in: text).map { String(text[$0]) } }
                let key = Key(name: group(1)!, attribute: group(2), operation: group(3)!, value: group(4)!)
                let isMatch = key.operation == "==" || key.operation == "!="
                guard isMatch ? Self.matchKeys.contains(key.name) : Self.assignKeys.contains(key.name) else {
                    throw ParseError.unknownKey(line: index + 1, key: key.name + " " + key.operation)
                }
                keys.append(key)
                rest = text[whole.upperBound...]
            }
            rules.append((index + 1, keys))
        }
        let labels = Set(rules.flatMap { $0.keys }.filter { $0.name == "LABEL" }.map(\.value))
        for key in rules.flatMap({ $0.keys }) where key.name == "GOTO" && !labels.contains(key.value) {
            throw ParseError.missingLabel(key.value)
        }
    }

    /// Every key of every rule, for checks over the whole file.
    var allKeys: [Key] { rules.flatMap { $0.keys } }

    /// Runs the rules over `device` in order, as udev does for one event.
    func apply(to device: Device) -> Outcome {
        var outcome = Outcome()
        var skipTo: String?
        for rule in rules {
            if let label = skipTo {
                if rule.keys.contains(where: { $0.name == "LABEL" && $0.value == label }) { skipTo = nil }
                continue
            }
            let matches = rule.keys.filter { $0.operation == "==" || $0.operation == "!=" }
            guard matches.allSatisfy({ Self.matches($0, device) }) else { continue }
            for key in rule.keys {
                switch key.name {
                case "GROUP": outcome.group = key.value
                case "MODE": outcome.mode = key.value
                case "OWNER": outcome.owner = key.value
                case "TAG" where key.operation == "+=": outcome.tags.append(key.value)
                case "GOTO": skipTo = key.value
                default: break
                }
            }
        }
        return outcome
    }

    /// A match key against the device: a missing attribute matches only `!=` (as udev's
    /// token_match_attr); a missing property is the empty string (as udev's ENV).
    static func matches(_ key: Key, _ device: Device) -> Bool {
        let value: String?
        switch key.name {
        case "ENV": value = device.properties[key.attribute ?? ""] ?? ""
        case "ATTR": value = device.attributes[key.attribute ?? ""]
        default: value = device.properties[key.name] ?? ""
        }
        guard let value else { return key.operation == "!=" }
        let found = key.value.split(separator: "|", omittingEmptySubsequences: false)
            .contains { fnmatch(String($0), value, 0) == 0 }
        return key.operation == "==" ? found : !found
    }
}
