import SSCardDriver

/// What the card forgets on power-off and reset: the selection, verified PINs, passed
/// authentications, the last challenge and a response waiting for GET RESPONSE.
struct CardSecurityState: Sendable {
    /// The dedicated files (applications) of the simulated card.
    enum DedicatedFile: Sendable, Equatable {
        /// 3F00, the master file: the state after power-on.
        case masterFile
        /// The social security application environment (SSSE).
        case ssse
        /// The PKI application PKI.社会保障.
        case pki
        /// SS.CERT.ADF1 under the PKI application: keys and certificates.
        case certificateADF

        /// The application a DF belongs to: security states live per application.
        var application: Int {
            switch self {
            case .masterFile: return 0
            case .ssse: return 1
            case .pki, .certificateADF: return 2
            }
        }
    }

    /// The current elementary file.
    enum ElementaryFile: Sendable, Equatable {
        /// A record file of the SSSE.
        case record(SSSEFile)
        /// A transparent file of SS.CERT.ADF1.
        case binary(PKIFile)
    }

    var currentDF: DedicatedFile = .masterFile
    var currentEF: ElementaryFile?
    /// The SSSE PIN was presented correctly since the last reset (card-wide).
    var userPINVerified = false
    /// The PKI admin PIN was presented correctly since the PKI application was entered.
    var adminPINVerified = false
    /// INTERNAL AUTHENTICATE was answered since the SSSE was entered.
    var internallyAuthenticated = false
    /// Keys whose EXTERNAL AUTHENTICATE passed since the SSSE was entered.
    var externallyAuthenticated: Set<CardKeyRole> = []
    /// The last GET CHALLENGE, until an EXTERNAL AUTHENTICATE or MACed command uses it.
    var challenge: [UInt8]?
    /// Response data held for GET RESPONSE (T=0 style only).
    var pendingResponse: [UInt8]?

    /// Makes `df` current with no current EF. Entering another application drops the
    /// authentication and admin-PIN states of the one left; re-selecting the same keeps them.
    mutating func enter(_ df: DedicatedFile) {
        if df.application != currentDF.application {
            internallyAuthenticated = false
            externallyAuthenticated = []
            adminPINVerified = false
        }
        currentDF = df
        currentEF = nil
    }

    /// The challenge, now spent: a challenge is good for one use.
    mutating func takeChallenge() -> [UInt8]? {
        defer { challenge = nil }
        return challenge
    }
}
