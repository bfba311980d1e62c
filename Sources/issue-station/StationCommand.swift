import ArgumentParser
import Foundation

/// A command clerks and technicians run: it speaks the chosen language, and every error it
/// meets is printed by `ErrorAdvice` as one sentence and what to do next — never a stack trace
/// or a Swift dump — with a non-zero exit status.
///
/// Exit status: 0 done; 1 an error stopped the command (the message says what to do);
/// 2 a check found a problem (stock-take does not add up, ledger tampered, doctor failed);
/// 64 the command line was wrong (swift-argument-parser's usage error).
protocol StationCommand: ParsableCommand {
    var global: GlobalOptions { get }
    /// The command's work; throw any library error and the caller prints it.
    func execute(_ console: StationConsole) throws
}

extension StationCommand {
    func run() throws {
        let console = StationConsole(language: global.language)
        global.startLogging()
        do {
            try execute(console)
        } catch {
            throw ErrorAdvice.exit(for: error, printingTo: console)
        }
    }
}

extension ErrorAdvice {
    /// What a command throws after `error`: ArgumentParser's own exits pass through; any other
    /// error is printed as its two lines and becomes the error exit status.
    static func exit(for error: any Error, printingTo console: StationConsole) -> any Error {
        if error is ExitCode || error is CleanExit { return error }
        ErrorAdvice(for: error).print(to: console)
        return ExitCode(errorStatus)
    }
}

/// The exit status of a check that ran and found a problem.
extension ExitCode {
    static let checkFailed = ExitCode(ErrorAdvice.checkFailedStatus)
}

extension IssueStation {
    /// The commands clerks and technicians run besides the issuance workflow: stock, ledger,
    /// card services, printer, readers, the morning check, the card-face images.
    static let clerkAndTechnicianCommands: [any ParsableCommand.Type] = [
        HandoverCommand.self, FeeCommand.self, AcceptanceReceiptCommand.self, ReportCommand.self, DocumentsCommand.self, InventoryCommand.self, LedgerCommand.self, CardCommand.self, PrinterCommand.self, ReadersCommand.self, DoctorCommand.self,
        FacesCommand.self, StorageCommand.self,
    ]
}
