import Foundation
import SSCardDriver
import SSCardSimulator

/// Every text the station shows, in one place so that a `--lang` (Chinese first) can be added
/// by switching this table. English for now.
enum Messages {
    // MARK: Help

    static let stationAbstract = "Runs the social security card (三代卡) instant-issuance desk and its technician tools."
    static let vcardAbstract = "Serves a simulated social security card to pcscd's virtual reader (vpcd)."
    static let vcardDiscussion = """
        The card connects to vpcd, the virtual reader driver inside pcscd, so that every PC/SC \
        program on this machine sees it in the reader "Virtual PCD 00 00" (port 35963) or \
        "Virtual PCD 00 01" (port 35964). pcscd must already be running with the vpcd reader \
        (install it with scripts/install-deps.sh, start it with `pcscd -f`).

        While it runs, type one command per line: `remove` takes the card out of the reader, \
        `insert` puts it back, `mute` makes the card stop answering commands and `unmute` ends \
        that, `status` shows where the card is, and `quit` saves the card and exits. Ctrl-C and \
        SIGTERM also save the card before exiting.

        Warning: vpcd listens on all network interfaces, so anyone on the LAN can connect a card \
        to it. Firewall ports 35963 and 35964 on a technician's machine.
        """
    static let cardHelp = """
        The card image file (JSON) to serve. If it does not exist, a new blank pre-made card is \
        created and saved there. Every change the card makes is saved to this file at once, and \
        the card is saved again when the program exits. Without this option a blank card is \
        served and nothing is saved.
        """
    static let hostHelp = "The host where pcscd with the vpcd reader runs."
    static let portHelp = "The vpcd port to connect to: 35963 for slot 0, 35964 for slot 1."
    static let slotHelp = "The vpcd slot to use, 0 or 1; a shorter way of choosing the port."
    static let quietHelp = "Prints only changes of the card's state and errors, not every command the card answers."

    // MARK: Validation

    static let portAndSlot = "Give either --port or --slot, not both."
    static let slotRange = "The slot must be 0 or 1."

    // MARK: Console

    static func serving(_ card: String, host: String, port: UInt16) -> String {
        "Serving \(card) to vpcd at \(host):\(port). Commands: remove, insert, mute, unmute, status, quit."
    }
    static func blankCard() -> String { "a blank pre-made card" }
    static func cardFile(_ path: String) -> String { "the card in \(path)" }
    static func createdCard(_ path: String) -> String { "Created a new blank pre-made card in \(path)." }
    static func inserted(host: String, port: UInt16) -> String {
        "Card inserted: connected to vpcd at \(host):\(port) (reader \(readerName(port)))."
    }
    static let removed = "Card removed."
    static let inserting = "Inserting the card…"
    static let alreadyInserted = "The card is already in the reader."
    static let alreadyRemoved = "The card is already out of the reader."
    static func connectionLost(_ reason: String) -> String {
        "Lost the connection to vpcd (\(reason)); the card will reconnect when pcscd is back."
    }
    static func waitingForVPCD(_ reason: String) -> String { "Waiting for vpcd: \(reason)." }
    static let muted = "The card is mute: it reads commands and never answers them. Type `unmute` to end this."
    static let unmuted = "The card answers commands again."
    static func control(_ code: VPCDControl) -> String { "vpcd: \(code)" }
    static func exchange(_ e: VPCDConnector.APDUExchange) -> String {
        let response = e.response.map(spaced) ?? "(no answer: mute)"
        let micros = Int((e.processingTime.components.attoseconds / 1_000_000_000_000) + e.processingTime.components.seconds * 1_000_000)
        return "> \(spaced(e.command))\n< \(response)  [\(micros) µs]"
    }
    static func status(state: VPCDConnector.State, host: String, port: UInt16, card: String, commands: Int, mute: Bool) -> String {
        "Card: \(card). State: \(state). vpcd: \(host):\(port) (reader \(readerName(port))). "
            + "Commands answered or read: \(commands).\(mute ? " Mute." : "")"
    }
    static func unknownCommand(_ line: String) -> String {
        "Unknown command “\(line)”. Commands: remove, insert, mute, unmute, status, quit."
    }
    static func saved(_ path: String) -> String { "Saved the card to \(path)." }
    static func saveFailed(_ path: String, _ error: any Error) -> String { "Could not save the card to \(path): \(error)" }
    static func loadFailed(_ path: String, _ error: any Error) -> String { "Could not load the card from \(path): \(error)" }
    static func cardFailed(_ error: any Error) -> String { "Could not make a blank card: \(error)" }
    static let stopping = "Stopping."

    static func readerName(_ port: UInt16) -> String {
        let slot = Int(port) - Int(VPCDFraming.defaultPort)
        return (0..<VPCDFraming.slotCount).contains(slot) ? "Virtual PCD 00 0\(slot)" : "port \(port)"
    }

    private static func spaced(_ bytes: [UInt8]) -> String {
        let hex = Array(bytes.map { String(format: "%02X", $0) })
        return hex.joined(separator: " ")
    }
}
