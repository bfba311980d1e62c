import Foundation

/// One thing wrong in a driver configuration: the key as the file spells it (dotted, e.g.
/// `printer.virtualEncoderSlot`) and why.
public struct ConfigurationProblem: Hashable, Sendable, CustomStringConvertible {
    public var key: String
    public var reason: String

    public init(key: String, reason: String) {
        self.key = key
        self.reason = reason
    }

    public var description: String { "\(key): \(reason)" }
}

/// The ranges every number and name of a driver configuration must keep (docs/configuration.md),
/// checked whole when a file is loaded and again when a desk is assembled from a configuration
/// made in code, so nothing out of range reaches a part: every problem is reported at once,
/// key by key.
extension DriverConfiguration {
    /// Longest card operation a configuration may ask for, in seconds.
    public static let maximumCardTimeoutSeconds: Double = 600
    /// Most faces a font chain may hold.
    public static let maximumFontChainLength = 16
    /// The vpcd slots a virtual printer's contact station may use (vsmartcard's default build
    /// has two; `VPCDFraming.slotCount`).
    public static let virtualEncoderSlots = 0...1

    /// Everything out of range, in file order; empty when the configuration is usable.
    public var problems: [ConfigurationProblem] {
        var found: [ConfigurationProblem] = []
        if !(cardTimeoutSeconds > 0 && cardTimeoutSeconds <= Self.maximumCardTimeoutSeconds) {
            found.append(.init(key: "cardTimeoutSeconds", reason: "\(cardTimeoutSeconds) is not above 0 and at most \(Int(Self.maximumCardTimeoutSeconds)) seconds"))
        }
        if let province {
            if !(province.timeoutSeconds > 0 && province.timeoutSeconds <= 600) {
                found.append(.init(key: "province.timeoutSeconds", reason: "\(province.timeoutSeconds) is not above 0 and at most 600 seconds"))
            }
        }
        found += printer.problems(keyPrefix: "printer.")
        for (bank, hopper) in hoppers.sorted(by: { $0.key < $1.key }) {
            if bank.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                found.append(.init(key: "hoppers", reason: "a bank name is empty"))
            }
            if !(1...9).contains(hopper) {
                found.append(.init(key: "hoppers.\(bank)", reason: "hopper \(hopper) is not 1–9"))
            }
        }
        if fontChain.isEmpty {
            found.append(.init(key: "fontChain", reason: "is empty: iPrint needs at least one font (docs/configuration.md)"))
        } else if fontChain.count > Self.maximumFontChainLength {
            found.append(.init(key: "fontChain", reason: "has \(fontChain.count) fonts, more than \(Self.maximumFontChainLength)"))
        }
        for (index, face) in fontChain.enumerated() {
            if face.path.isEmpty || face.path.utf8.contains(0) {
                found.append(.init(key: "fontChain[\(index)].path", reason: "is not a file path"))
            }
            if !(0...0xFFFF).contains(face.faceIndex) {
                found.append(.init(key: "fontChain[\(index)].faceIndex", reason: "\(face.faceIndex) is not 0–65535"))
            }
        }
        return found
    }

    /// Throws `ConfigurationError.invalid` naming every key out of range; `source` names the
    /// file (or says where the configuration came from).
    public func validate(source: String = "(driver configuration)") throws(ConfigurationError) {
        let found = problems
        guard found.isEmpty else {
            throw .invalid(path: source, reason: found.map(\.description).joined(separator: "; "))
        }
    }

    /// `cardTimeoutSeconds` as a duration, kept within (0, 600] seconds whatever the value.
    public var cardTimeout: Duration {
        let seconds = cardTimeoutSeconds.isFinite ? min(max(cardTimeoutSeconds, 0.001), Self.maximumCardTimeoutSeconds) : 10
        return .milliseconds(Int((seconds * 1000).rounded()))
    }
}

extension DriverConfiguration.PrinterSettings {
    /// Everything out of range in the printer settings; keys start with `keyPrefix`.
    public func problems(keyPrefix: String = "printer.") -> [ConfigurationProblem] {
        var found: [ConfigurationProblem] = []
        if !(1...9).contains(hopperCount) {
            found.append(.init(key: keyPrefix + "hopperCount", reason: "\(hopperCount) is not 1–9"))
        }
        if let escapeHost, escapeHost.isEmpty || escapeHost.count > 253
            || escapeHost.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) {
            found.append(.init(key: keyPrefix + "escapeHost", reason: "\"\(escapeHost)\" is not a host name or address"))
        }
        if escapePort == 0 {
            found.append(.init(key: keyPrefix + "escapePort", reason: "0 is not a port (1–65535)"))
        }
        for (key, value) in [("usbVendorID", usbVendorID), ("usbProductID", usbProductID)] {
            if let value, Self.usbID(value) == nil {
                found.append(.init(key: keyPrefix + key, reason: "\"\(value)\" is not 1–4 hexadecimal digits (e.g. \"0f49\")"))
            }
        }
        if !DriverConfiguration.virtualEncoderSlots.contains(virtualEncoderSlot) {
            found.append(.init(key: keyPrefix + "virtualEncoderSlot", reason: "\(virtualEncoderSlot) is not a vpcd slot (0 or 1)"))
        }
        return found
    }

    /// A USB vendor or product id written as 1–4 hexadecimal digits ("0f49"); nil otherwise.
    public static func usbID(_ text: String) -> UInt16? {
        guard (1...4).contains(text.utf8.count), text.utf8.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x46).contains($0) || (0x61...0x66).contains($0) }) else {
            return nil
        }
        return UInt16(text, radix: 16)
    }
}
