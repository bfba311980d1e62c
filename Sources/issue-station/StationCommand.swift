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
        do {
            try execute(console)
        } catch let exit as ExitCode {
            throw exit
        } catch let error as CleanExit {
            throw error
        } catch {
            ErrorAdvice(for: error).print(to: console)
            throw ExitCode(ErrorAdvice.errorStatus)
        }
    }
}

/// The exit status of a check that ran and found a problem.
extension ExitCode {
    static let checkFailed = ExitCode(ErrorAdvice.checkFailedStatus)
}

extension IssueStation {
    /// The commands clerks and technicians run besides the issuance workflow: stock, ledger,
    /// card services, printer, readers, the morning check.
    static let clerkAndTechnicianCommands: [any ParsableCommand.Type] = [
        InventoryCommand.self, LedgerCommand.self, CardCommand.self, PrinterCommand.self, ReadersCommand.self, DoctorCommand.self,
    ]
}
