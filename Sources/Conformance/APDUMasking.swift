import SSCardDriver
import SSCardSimulator

/// How the report shows the APDUs a case exchanged: headers and status words in full, data
/// only where it cannot be personal or secret. A command's data is shown for SELECT (file
/// names) only; a response's data for SELECT and GET CHALLENGE only. Everything else — records
/// read or written (社会保障号码, 姓名…), PINs, authentication cryptograms, keys — becomes
/// `[n B masked]`, so the report can be handed on without the card holder's data.
enum APDUMasking {
    static func line(_ exchange: VPCDConnector.APDUExchange) -> String {
        line(command: exchange.command, response: exchange.response)
    }

    /// `→ command  ← response`; a nil response is a card that did not answer.
    static func line(command: [UInt8], response: [UInt8]?) -> String {
        let ins: UInt8? = command.count > 1 ? command[1] : nil
        let commandText = mask(command: command)
        guard let response else { return "→ \(commandText)  ← (no answer)" }
        guard response.count >= 2 else { return "→ \(commandText)  ← \(response.spacedHexString)" }
        let data = Array(response.dropLast(2))
        let sw = Array(response.suffix(2)).spacedHexString
        let shown: String
        if data.isEmpty { shown = sw }
        else if ins == 0xA4 || ins == 0x84 { shown = data.spacedHexString + " " + sw }
        else { shown = "[\(data.count) B masked] " + sw }
        return "→ \(commandText)  ← \(shown)"
    }

    /// The header and, for a case-3/4 command, Lc and its data (masked unless SELECT).
    static func mask(command: [UInt8]) -> String {
        guard command.count > 5 else { return command.spacedHexString }
        let header = Array(command.prefix(5))
        let lc = Int(command[4])
        guard lc > 0, command.count >= 5 + lc else { return Array(command.prefix(5)).spacedHexString + " [\(command.count - 5) B masked]" }
        let data = Array(command[5..<(5 + lc)])
        let le = Array(command[(5 + lc)...])
        let shownData = command[1] == 0xA4 ? data.spacedHexString : "[\(lc) B masked]"
        return ([header.spacedHexString, shownData] + (le.isEmpty ? [] : [le.spacedHexString])).joined(separator: " ")
    }
}
