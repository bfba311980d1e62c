/// Every function of include/SSCardDriver.h a page may call, with its parameters as the C
/// interface names them. Not here, ever: raw APDUs, files, the configuration and the PIN
/// callback (a page asking for them gets −13).
public enum BridgeFunction: String, CaseIterable, Sendable {
    case iReadCardBas, iReadCard, iWriteCard
    case iVerifyPIN, iChangePIN, iReloadPIN, iUnblockPIN
    case iReadCardBas_HSM_Step1, iReadCardBas_HSM_Step2
    case iReadCard_HSM_Step1, iReadCard_HSM_Step2
    case iWriteCard_HSM_Step1, iWriteCard_HSM_Step2
    case iReloadPIN_HSM_Step1, iReloadPIN_HSM_Step2, iReloadPIN_HSM_Step3
    case iUnblockPIN_HSM_Step1, iUnblockPIN_HSM_Step2, iUnblockPIN_HSM_Step3
    case iLoadCard, iWriteCaStep1, iWriteCaStep2, iPrint

    /// A parameter's name and JSON type.
    public enum Parameter: Sendable, Hashable {
        case int(String)
        case string(String)
        /// A string that may be left out (iPrint's items: empty).
        case optionalString(String)

        public var name: String {
            switch self {
            case .int(let n), .string(let n), .optionalString(let n): return n
            }
        }
    }

    public var parameters: [Parameter] {
        switch self {
        case .iReadCardBas, .iReadCardBas_HSM_Step1, .iVerifyPIN, .iChangePIN: return [.int("iType")]
        case .iReadCard: return [.int("iType"), .int("iAuthType"), .string("pCardInfo"), .string("pFileAddr")]
        case .iWriteCard: return [.int("iType"), .string("pCardInfo"), .string("pFileAddr"), .string("pWriteData")]
        case .iReloadPIN, .iUnblockPIN, .iReloadPIN_HSM_Step1, .iUnblockPIN_HSM_Step1: return [.int("iType"), .string("pCardInfo")]
        case .iReadCard_HSM_Step1, .iWriteCard_HSM_Step1: return [.int("iType"), .string("pCardInfo"), .string("pFileAddr")]
        case .iReadCardBas_HSM_Step2, .iReadCard_HSM_Step2, .iReloadPIN_HSM_Step2, .iReloadPIN_HSM_Step3,
             .iUnblockPIN_HSM_Step2, .iUnblockPIN_HSM_Step3:
            return [.string("pKey")]
        case .iWriteCard_HSM_Step2: return [.string("pKey"), .string("pWriteData")]
        case .iLoadCard: return [.int("n")]
        case .iWriteCaStep1: return []
        case .iWriteCaStep2: return [.string("pCaInfo")]
        case .iPrint:
            return [.int("n")] + Self.printItemNames.map { .optionalString($0) }
        }
    }

    /// iPrint's eight items, in order.
    public static let printItemNames = ["sData1", "sData2", "sData3", "sData4", "sData5", "sData6", "sPhoto1", "sPhoto2"]

    /// The two-step session a function begins, continues or ends.
    public var session: (family: HSMSessionFamily, step: Int)? {
        switch self {
        case .iReadCardBas_HSM_Step1: return (.readBasic, 1)
        case .iReadCardBas_HSM_Step2: return (.readBasic, 2)
        case .iReadCard_HSM_Step1: return (.readCard, 1)
        case .iReadCard_HSM_Step2: return (.readCard, 2)
        case .iWriteCard_HSM_Step1: return (.writeCard, 1)
        case .iWriteCard_HSM_Step2: return (.writeCard, 2)
        case .iReloadPIN_HSM_Step1: return (.reloadPIN, 1)
        case .iReloadPIN_HSM_Step2: return (.reloadPIN, 2)
        case .iReloadPIN_HSM_Step3: return (.reloadPIN, 3)
        case .iUnblockPIN_HSM_Step1: return (.unblockPIN, 1)
        case .iUnblockPIN_HSM_Step2: return (.unblockPIN, 2)
        case .iUnblockPIN_HSM_Step3: return (.unblockPIN, 3)
        default: return nil
        }
    }

    /// The issuance functions move or encode a card in the printer: they take its lock.
    public var usesPrinter: Bool {
        switch self {
        case .iLoadCard, .iWriteCaStep1, .iWriteCaStep2, .iPrint: return true
        default: return false
        }
    }

    /// Functions that ask for a PIN (on the reader's pad, else the desk's own prompt).
    public var asksForPIN: Bool {
        switch self {
        case .iVerifyPIN, .iChangePIN, .iReloadPIN, .iReloadPIN_HSM_Step1: return true
        default: return false
        }
    }
}

/// The names pages in the wild send for the functions above.
public enum BridgeAliases {
    /// Misnamed steps seen in page scripts, and the names without the leading `i`.
    static let names: [String: BridgeFunction] = {
        var table: [String: BridgeFunction] = [:]
        for f in BridgeFunction.allCases {
            table[f.rawValue.lowercased()] = f
            table[String(f.rawValue.dropFirst()).lowercased()] = f
        }
        return table
    }()

    /// Parameter names some pages spell differently (`pkey` for `pKey`).
    static let parameters: [String: String] = ["pkey": "pKey", "itype": "iType", "iauthtype": "iAuthType",
                                               "pcardinfo": "pCardInfo", "pfileaddr": "pFileAddr",
                                               "pwritedata": "pWriteData", "pcainfo": "pCaInfo"]

    /// The function `name` means. Exact names first, then case and the leading `i` ignored
    /// (`ReadCard_HSM_Step2`); `iReadCard` sent with Step1's parameters (no `iAuthType`) is
    /// `iReadCard_HSM_Step1`, as some pages send it.
    public static func resolve(_ name: String, fields: [String: JSONValue]) -> BridgeFunction? {
        guard let f = BridgeFunction(rawValue: name) ?? names[name.lowercased()] else { return nil }
        if f == .iReadCard, !fields.keys.contains(where: { $0.lowercased() == "iauthtype" }) {
            return .iReadCard_HSM_Step1
        }
        return f
    }

    /// The request's fields with alias spellings turned into the interface's names.
    static func canonicalFields(_ fields: [String: JSONValue]) -> [String: JSONValue] {
        var out: [String: JSONValue] = [:]
        for (key, value) in fields {
            let name = parameters[key.lowercased()] ?? key
            if out[name] == nil || name == key { out[name] = value }
        }
        return out
    }
}
