import Foundation
import SSCardDriver

/// iPrint: the card face rendered and printed through the printer's mechanics
/// (《广东省社会保障卡经办规程》附件9).
extension SSCardInterface {
    /// iPrint(n, items…): renders the card face, moves the card from the reader to the
    /// printer, prints the panels, and ALWAYS ejects — to the good exit when printing
    /// succeeded, to the reject box when it failed. When every item is empty nothing is
    /// printed and `exit` (1 good, 2 reject) chooses where the card goes.
    ///
    /// Items that cannot print — malformed (−14), a character with no glyph, a private-use
    /// code point or an unresolved `[PINYIN]` placeholder (−41), a bad photo or a box off the
    /// card or over the chip (−14), an unusable font (−5) — are refused before the card
    /// moves: it stays at the contact station and iPrint can be called again with corrected
    /// items (docs/card-face.md).
    public func printCard(exit: Int, items: [String]) throws(InterfaceError) {
        let printer = try requirePrinter()
        let job = try PrintItems(items, units: PrintUnits(configuration.printUnits))
        lock.lock()
        defer { lock.unlock() }
        if job.isEmpty {
            guard let chosen = CardExit(rawValue: exit) else {
                throw .badParameter("n=\(exit) 不是 1 或 2", "n=\(exit) is not 1 or 2")
            }
            do { try printer.eject(to: chosen) } catch { throw Self.interfaceError(error) }
            try waitForContactCard(present: false)
            return
        }
        let face: RenderedFace
        do throws(CardFaceError) {
            face = try CardFaceRenderer(configuration: configuration).render(job)
        } catch {
            throw error.interfaceError
        }
        do {
            try printer.moveToPrint()
            try waitForContactCard(present: false)
            try printer.printPanels(PrintJob(name: "card face", payload: face.printJobPayload))
            try printer.eject(to: .good)
        } catch {
            // Printed or not, the card leaves the printer: a failed card goes to the reject box.
            try? printer.eject(to: .reject)
            throw Self.interfaceError(error)
        }
    }

    public func iPrint(_ n: Int, _ items: [String]) -> InterfaceResult {
        result { () throws(InterfaceError) in
            try printCard(exit: n, items: items)
            return ""
        }
    }

}
