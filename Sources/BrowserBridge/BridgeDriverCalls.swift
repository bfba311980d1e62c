import Foundation
import SSCardDriver
import SSCardPrinter

/// The bridge's calls into the Swift driver, in process: each function of the dialect is the
/// `i*` function of `SSCardInterface` with the same parameters, so a page gets exactly what
/// the C library would give (pOutInfo and code). JSON is UTF-8 and Swift strings are Unicode:
/// the GB18030/UTF-8 choice of the C ABI (`stringEncoding`) does not arise here.
///
/// PIN functions get no PIN from the page: the driver asks the reader's PIN pad, else the
/// desk's own prompt (`PINEntryRegistry.current`, else the terminal the bridge runs in).
struct BridgeDriverCalls: Sendable {
    let driver: SSCardInterface

    func call(_ function: BridgeFunction, _ a: BridgeArguments) -> InterfaceResult {
        let d = driver
        switch function {
        case .iReadCardBas: return d.iReadCardBas(a.int("iType"))
        case .iReadCard: return d.iReadCard(a.int("iType"), a.int("iAuthType"), a.string("pCardInfo"), a.string("pFileAddr"))
        case .iWriteCard: return d.iWriteCard(a.int("iType"), a.string("pCardInfo"), a.string("pFileAddr"), a.string("pWriteData"))
        case .iVerifyPIN: return d.iVerifyPIN(a.int("iType"))
        case .iChangePIN: return d.iChangePIN(a.int("iType"))
        case .iReloadPIN: return d.iReloadPIN(a.int("iType"), a.string("pCardInfo"))
        case .iUnblockPIN: return d.iUnblockPIN(a.int("iType"), a.string("pCardInfo"))
        case .iReadCardBas_HSM_Step1: return d.iReadCardBas_HSM_Step1(a.int("iType"))
        case .iReadCardBas_HSM_Step2: return d.iReadCardBas_HSM_Step2(a.string("pKey"))
        case .iReadCard_HSM_Step1: return d.iReadCard_HSM_Step1(a.int("iType"), a.string("pCardInfo"), a.string("pFileAddr"))
        case .iReadCard_HSM_Step2: return d.iReadCard_HSM_Step2(a.string("pKey"))
        case .iWriteCard_HSM_Step1: return d.iWriteCard_HSM_Step1(a.int("iType"), a.string("pCardInfo"), a.string("pFileAddr"))
        case .iWriteCard_HSM_Step2: return d.iWriteCard_HSM_Step2(a.string("pKey"), a.string("pWriteData"))
        case .iReloadPIN_HSM_Step1: return d.iReloadPIN_HSM_Step1(a.int("iType"), a.string("pCardInfo"))
        case .iReloadPIN_HSM_Step2: return d.iReloadPIN_HSM_Step2(a.string("pKey"))
        case .iReloadPIN_HSM_Step3: return d.iReloadPIN_HSM_Step3(a.string("pKey"))
        case .iUnblockPIN_HSM_Step1: return d.iUnblockPIN_HSM_Step1(a.int("iType"), a.string("pCardInfo"))
        case .iUnblockPIN_HSM_Step2: return d.iUnblockPIN_HSM_Step2(a.string("pKey"))
        case .iUnblockPIN_HSM_Step3: return d.iUnblockPIN_HSM_Step3(a.string("pKey"))
        case .iLoadCard: return d.iLoadCard(a.int("n"))
        case .iWriteCaStep1: return d.iWriteCaStep1()
        case .iWriteCaStep2: return d.iWriteCaStep2(a.string("pCaInfo"))
        case .iPrint: return d.iPrint(a.int("n"), BridgeFunction.printItemNames.map { a.string($0) })
        }
    }

    /// The resources a call occupies: the readers its iType names (a step after the first
    /// works on the contact card of its Step1), the printer for issuance, and the driver's
    /// two-step state for every two-step function.
    static func resources(_ function: BridgeFunction, _ a: BridgeArguments) -> Set<BridgeResource> {
        var set: Set<BridgeResource> = []
        if function.parameters.contains(.int("iType")) {
            switch a.int("iType") {
            case 2: set = [.contactlessReader]
            case 3, 4: set = [.contactReader, .contactlessReader]
            default: set = [.contactReader]
            }
        } else {
            set = [.contactReader]
        }
        if function.usesPrinter { set.insert(.printer) }
        if function.session != nil { set.insert(.twoStepState) }
        return set
    }
}

/// Runs driver calls off Swift's cooperative threads: PC/SC, the printer and a PIN prompt
/// block. One thread is enough, since the driver serialises its calls anyway.
final class DriverThread: Sendable {
    private let queue = DispatchQueue(label: "browser-bridge.driver")

    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: body()) }
        }
    }
}
