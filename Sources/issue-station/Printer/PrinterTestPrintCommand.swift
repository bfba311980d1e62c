import ArgumentParser
import Foundation
import InstantIssue
import SSCardDriver
import SSCardPrinter

/// `issue-station printer test-print`: feeds a card, prints the province reference layout with
/// sample data (张䄲𠀀, a generated photo), and ejects it to the exit the technician chose. A
/// pre-made card used up this way is recorded as spoiled on the station's books, so no blank
/// card goes missing; the station lock keeps a running station from sharing the printer.
struct PrinterTestPrintCommand: StationCommand {
    static let configuration = CommandConfiguration(
        commandName: "test-print", abstract: Messages.testPrintAbstract, discussion: Messages.testPrintDiscussion)

    enum Exit: String, ExpressibleByArgument, CaseIterable {
        case good, reject
        var cardExit: CardExit { self == .good ? .good : .reject }
    }

    @OptionGroup var global: GlobalOptions
    @OptionGroup var clerk: ClerkOption

    @Option(help: ArgumentHelp(Messages.testPrintHopperHelp, valueName: "n"))
    var hopper: Int?

    @Option(help: ArgumentHelp(Messages.testPrintExitHelp, valueName: "good|reject"))
    var exit: Exit = .reject

    @Option(help: ArgumentHelp(Messages.testPrintPreviewHelp, valueName: "file.png"))
    var preview: String?

    func validate() throws {
        if let hopper, !(1...9).contains(hopper) { throw ValidationError(Messages.hopperRange) }
    }

    func execute(_ console: StationConsole) throws {
        let setup = try StationSetup(global)
        let (printer, driver) = try StationPrinter.make(setup)
        // Render first: a face that cannot be rendered (missing font, bad layout) is refused
        // before any card moves.
        let job = try ProvinceLayout.reference.job(for: try SampleFace.holder(), units: PrintUnits(driver.printUnits))
        let face = try CardFaceRenderer(configuration: driver).render(job)
        if let preview {
            let path = NSString(string: preview).expandingTildeInPath
            do { try PNGWriter.write(face.rgb, to: path) } catch { throw LedgerCommandError.cannotWrite(path: path) }
            console.say(Messages.previewWritten(path))
        }
        let books = try TestCardBooks.open(setup)
        defer { books?.close() }
        console.say(Messages.testPrintFeeding(hopper: hopper))
        let fed: CardIdentificationCode?
        do {
            try printer.loadCard(fromHopper: hopper)
            fed = TestCardBooks.identifyCardAtContactStation(driver)
            try printer.moveToPrint()
            try printer.printPanels(PrintJob(name: "test print", payload: face.printJobPayload))
            try printer.eject(to: exit.cardExit)
        } catch {
            // As iPrint: printed or not, the card leaves the printer, a failed one to the reject box.
            try? printer.eject(to: .reject)
            throw error
        }
        console.say(Messages.testPrinted(exit.cardExit))
        console.say(TestCardBooks.recordUsed(fed, in: books, clerk: clerk.resolved))
    }
}

/// The sample holder of a test card: a name with CJK Ext A and Ext B characters (to exercise
/// the font chain) and a gradient photo, as sscard-bench's BenchmarkFace.
enum SampleFace {
    static func holder() throws -> CardFaceHolder {
        let width = 358, height = 441
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        for y in 0..<height {
            for x in 0..<width {
                let i = (y * width + x) * 3
                pixels[i] = UInt8((x * 255) / (width - 1))
                pixels[i + 1] = UInt8((y * 255) / (height - 1))
                pixels[i + 2] = UInt8(((x + y) * 7) & 0xFF)
            }
        }
        // The dimensions match the pixel count by construction.
        let jpeg = try PhotoDecoder.encodeJPEG(RGBImage(width: width, height: height, pixels: pixels)!, quality: 85)
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.dateFormat = "yyyyMMdd"
        return CardFaceHolder(name: "张䄲𠀀", socialSecurityNumber: "111111198101011110", cardNumber: "X00000019",
                              issueDate: f.string(from: Date()), photoJPEG: Data(jpeg))
    }
}
