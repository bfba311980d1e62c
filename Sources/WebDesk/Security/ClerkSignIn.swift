import Foundation
import InstantIssue

/// Signing a clerk in: the password checked against the stored credential, wrong passwords
/// counted, and the account locked for `lockFor` after `attemptLimit` in a row (the lock is in
/// the database, so a restart does not lift it). The answer never says whether a name exists.
struct ClerkSignIn: Sendable {
    let accounts: ClerkAccounts
    var attemptLimit = 5
    var lockFor: TimeInterval = 15 * 60
    /// The cost of the decoy check made for an unknown name: that of new passwords.
    var iterations = PasswordKDF.defaultIterations

    enum Outcome: Equatable, Sendable {
        case signedIn(ClerkAccount)
        case wrong
        case locked(until: StationTimestamp)
    }

    func signIn(name: String, password: String) throws -> Outcome {
        guard let account = try accounts.account(named: name), account.active else {
            // The same work as a real check, so timing does not tell names apart.
            _ = PasswordKDF.verify(password, against: ClerkCredential(
                scheme: PasswordKDF.scheme, iterations: iterations, salt: [UInt8](repeating: 7, count: 16), hash: [UInt8](repeating: 0, count: 32)))
            return .wrong
        }
        if let until = account.lockedUntil, until.date > accounts.database.clock() { return .locked(until: until) }
        guard PasswordKDF.verify(password, against: account.credential) else {
            let after = try accounts.recordFailedSignIn(name, limit: attemptLimit, lockFor: lockFor)
            if let until = after?.lockedUntil, until.date > accounts.database.clock() { return .locked(until: until) }
            return .wrong
        }
        try accounts.recordSignIn(name)
        return .signedIn(account)
    }
}
