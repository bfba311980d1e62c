import Foundation
import SSCardDriver
import SSCardSimulator

// MARK: vprinter

extension Messages {
    static let vprinterAbstract = "Runs a virtual card printer that speaks the Evolis Escape protocol on a local socket."
    static let vprinterDiscussion = """
        The virtual printer has two hoppers of blank pre-made cards (hopper 1 holds SIM000001, \
        SIM000002, …; hopper 2 holds SIM000101, SIM000102, …), a contact station, a print \
        position, a good exit and a reject box. The station's driver, or any program that speaks \
        the Escape protocol (ESC command CR), connects to it on 127.0.0.1 (port 35970 unless \
        --port says otherwise); it never listens on other interfaces. When a card reaches the \
        contact station its chip is put into pcscd's virtual reader (vpcd slot 0 unless --slot \
        says otherwise), so pcscd must be running with the vpcd reader, unless --unwired is given.

        Every card it prints is written to the --output directory as PNG files: the black resin \
        panel (…-k.png) and the whole face (…-face.png).

        While it runs, type one command per line: `status` shows the hoppers, the card path and \
        the faults; `fault NAME` makes the next operation fail with that fault, and `fault NAME \
        sticky` keeps it until cleared (NAME is jamAtLoad, jamAtPrint, coverOpen, ribbonOut, \
        notConnected or timeout); `clear` clears every fault and `clear NAME` one of them; \
        `ribbon` fits a new ribbon; `collect` takes the cards out of the good exit and the reject \
        box; `quit` stops the printer. Ctrl-C and SIGTERM also stop it. A program connected to \
        the printer can send the same controls as private Escape commands, for example \
        ESC Xfault;jamAtPrint CR (docs/escape-protocol.md).
        """
    static let vprinterPortHelp = "The TCP port to listen on, on 127.0.0.1 only."
    static let vprinterSlotHelp = "The vpcd slot, 0 or 1, whose reader sees the card at the contact station."
    static let vprinterOutputHelp = "The directory where printed cards are written as PNG files. Without it nothing is written."
    static let vprinterCardsHelp = "How many blank pre-made cards each of the two hoppers holds at the start, 0 to 100."
    static let vprinterUnwiredHelp = "Do not put the chip into vpcd: the printer then works without pcscd, and no reader sees the card."
    static let vprinterQuietHelp = "Prints only printed cards, connections and errors, not every command and reply."
    static let vprinterCardsRange = "The number of cards per hopper must be 0 to 100."

    static func vprinterListening(_ endpoint: String, encoder: String) -> String {
        "Virtual printer listening on \(endpoint); contact station: \(encoder). "
            + "Commands: status, fault NAME [sticky], clear [NAME], ribbon, collect, quit."
    }
    static func vprinterEncoder(slot: Int?) -> String {
        slot.map { "vpcd slot \($0) (reader Virtual PCD 00 0\($0))" } ?? "not wired (no reader sees the card)"
    }
    static func vprinterCannotStart(_ error: any Error) -> String { "Could not start the virtual printer: \(error)" }
    static func vprinterConnected(_ id: Int) -> String { "Connection \(id) opened." }
    static func vprinterDisconnected(_ id: Int) -> String { "Connection \(id) closed." }
    static func vprinterCommand(_ command: EscapeCommand, _ reply: EscapeReply?) -> String {
        "> \(command)\n< \(reply?.text ?? "(no reply: timeout fault)")"
    }
    static func vprinterDecodingError(_ text: String) -> String { "Bad bytes from the client: \(text)" }
    static func vprinterPrinted(_ card: VirtualPrinterServer.PrintedCard) -> String {
        let number = card.cardNumber ?? "unknown card"
        let files = card.files.isEmpty ? "no files written" : card.files.map(\.path).joined(separator: ", ")
        let failure = card.outputError.map { " (could not write: \($0))" } ?? ""
        return "Printed card \(card.sequence), \(number), \(card.panels.ribbonPanelCount) panels: \(files)\(failure)"
    }
    static func vprinterFaultArmed(_ name: String, sticky: Bool) -> String {
        sticky ? "Fault \(name) armed until cleared." : "Fault \(name) armed for the next operation it affects."
    }
    static func vprinterUnknownFault(_ name: String) -> String {
        "Unknown fault “\(name)”. Faults: jamAtLoad, jamAtPrint, coverOpen, ribbonOut, notConnected, timeout."
    }
    static let vprinterCleared = "Faults cleared."
    static let vprinterRibbon = "A new ribbon is fitted."
    static func vprinterCollected(good: Int, rejected: Int) -> String {
        "Took \(good) cards out of the good exit and \(rejected) out of the reject box."
    }
    static func vprinterUnknownCommand(_ line: String) -> String {
        "Unknown command “\(line)”. Commands: status, fault NAME [sticky], clear [NAME], ribbon, collect, quit."
    }
}
