import Foundation
import SSCardDriver

/// iPrint: the card face rendered and printed through the printer's mechanics
/// (《广东省社会保障卡经办规程》附件9).
extension SSCardInterface {
    /// Prints `job`: renders the card face, moves the card from the reader to the printer,
    /// prints the panels, and ALWAYS ejects — to `job.exit` when printing succeeded, to the
    /// reject box when it failed. A job with nothing to print only moves the card to
    /// `job.exit`.
    ///
    /// A face that cannot print — a character with no glyph, a private-use code point or an
    /// unresolved `[PINYIN]` placeholder (−41), a box off the card or over the chip (−14), an
    /// unusable font (−5) — prints nothing, and the card in the printer still leaves, by the
    /// reject exit: "不论印卡是否成功，执行完本命令均要自动退卡" (《广东省社会保障卡经办规程》
    /// 附件9, iPrint). The error's message says why and that the card went to the reject box
    /// (docs/card-face.md).
    public func printCard(_ job: CardFaceJob) throws(InterfaceError) {
        let printer = try requirePrinter()
        lock.lock()
        defer { lock.unlock() }
        if job.isEmpty {
            do { try printer.eject(to: job.exit) } catch { throw Self.interfaceError(error) }
            // The printer says the card is out: no wait for pcscd to notice.
            releaseContactCard()
            return
        }
        let face: RenderedFace
        do throws(CardFaceError) {
            face = try CardFaceRenderer(configuration: configuration).render(job)
        } catch {
            throw rejectingCard(after: error.interfaceError, printer: printer)
        }
        try printLocked(face, exit: job.exit, printer: printer)
    }

    /// A refused print job (nothing printed) still ends with the card out of the printer: it is
    /// ejected to the reject box (《广东省社会保障卡经办规程》附件9: "不论印卡是否成功，执行完本命令均要自动退卡").
    /// The refusal keeps its code; its message adds where the card went, or why it could not go.
    func rejectingCard(after refusal: InterfaceError, printer: any CardPrinterMechanics) -> InterfaceError {
        lock.lock()  // recursive: printCard may hold it already
        defer { lock.unlock() }
        var answer = refusal
        do {
            try printer.eject(to: .reject)
            releaseContactCard()
            answer.message += "；卡片已退到废卡盒"
            answer.englishMessage += "; the card was ejected to the reject box"
        } catch {
            answer.message += "；退卡到废卡盒失败：\(error.chineseMessage)"
            answer.englishMessage += "; ejecting the card to the reject box failed: \(error.englishMessage)"
        }
        return answer
    }

    /// Prints a face already rendered (`CardFaceRenderer.render(_:)` with this interface's
    /// configuration), so a caller that showed it — the station's preview — prints exactly the
    /// face it showed without drawing it twice. Moves the card from the reader to the printer,
    /// prints the panels and ALWAYS ejects: to `exit` when printing succeeded, to the reject box
    /// when it failed.
    public func printCard(rendered face: RenderedFace, exit: CardExit) throws(InterfaceError) {
        let printer = try requirePrinter()
        lock.lock()
        defer { lock.unlock() }
        try printLocked(face, exit: exit, printer: printer)
    }

    /// The card's way through the printer, with `lock` held.
    private func printLocked(_ face: RenderedFace, exit: CardExit, printer: any CardPrinterMechanics) throws(InterfaceError) {
        do {
            try printer.moveToPrint()
            // The printer says the card left the contact station: no wait for pcscd to notice.
            releaseContactCard()
            try printer.printPanels(PrintJob(name: "card face", payload: face.printJobPayload))
            try printer.eject(to: exit)
        } catch {
            // Printed or not, the card leaves the printer: a failed card goes to the reject box.
            try? printer.eject(to: .reject)
            throw Self.interfaceError(error)
        }
    }

    /// iPrint(n, items…): the eight items parsed into a `CardFaceJob`
    /// (`CardFaceJob(iPrint:_:configuration:)`), then `printCard(_:)`. Items that cannot
    /// print — malformed (−14), a bad photo (−14), and the refusals of `printCard(_:)` — print
    /// nothing and send the card to the reject box, the reason in pOutInfo (附件9: iPrint
    /// always ejects). When every item is empty nothing is printed and `n` (1 good, 2 reject)
    /// chooses where the card goes (an `n` that is neither: −14, and the reject box); a
    /// printed card leaves by the good exit.
    public func iPrint(_ n: Int, _ items: [String]) -> InterfaceResult {
        result { () throws(InterfaceError) in
            // A desk without a printer says so before the items are looked at.
            let printer = try requirePrinter()
            let job: CardFaceJob
            do throws(InterfaceError) {
                job = try CardFaceJob(iPrint: n, items, configuration: configuration)
            } catch {
                throw rejectingCard(after: error, printer: printer)
            }
            try printCard(job)
            return ""
        }
    }
}
