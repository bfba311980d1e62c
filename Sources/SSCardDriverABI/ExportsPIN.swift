import CSSCardDriverABI
import SSCardDriver

// iVerifyPIN, iChangePIN, iReloadPIN, iUnblockPIN, the three-step HSM forms and the C PIN
// provider (include/SSCardDriver.h, "PIN functions' extras"; docs/pin-functions.md).

@c @implementation
public func iVerifyPIN(_ iType: CInt, _ pOutInfo: UnsafeMutablePointer<CChar>?) -> CLong {
    iVerifyPIN_n(iType, pOutInfo, standardOutSize)
}

@c @implementation
public func iVerifyPIN_n(_ iType: CInt, _ pOutInfo: UnsafeMutablePointer<CChar>?, _ outSize: Int) -> CLong {
    ABICall.run(pOutInfo, outSize) { $0.iVerifyPIN(Int(iType)) }
}

@c @implementation
public func iChangePIN(_ iType: CInt, _ pOutInfo: UnsafeMutablePointer<CChar>?) -> CLong {
    iChangePIN_n(iType, pOutInfo, standardOutSize)
}

@c @implementation
public func iChangePIN_n(_ iType: CInt, _ pOutInfo: UnsafeMutablePointer<CChar>?, _ outSize: Int) -> CLong {
    ABICall.run(pOutInfo, outSize) { $0.iChangePIN(Int(iType)) }
}

@c @implementation
public func iReloadPIN(_ iType: CInt, _ pCardInfo: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?) -> CLong {
    iReloadPIN_n(iType, pCardInfo, pOutInfo, standardOutSize)
}

@c @implementation
public func iReloadPIN_n(_ iType: CInt, _ pCardInfo: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?, _ outSize: Int) -> CLong {
    ABICall.run(pOutInfo, outSize, strings: [(pCardInfo, "pCardInfo")]) { $0.iReloadPIN(Int(iType), $1[0]) }
}

@c @implementation
public func iUnblockPIN(_ iType: CInt, _ pCardInfo: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?) -> CLong {
    iUnblockPIN_n(iType, pCardInfo, pOutInfo, standardOutSize)
}

@c @implementation
public func iUnblockPIN_n(_ iType: CInt, _ pCardInfo: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?, _ outSize: Int) -> CLong {
    ABICall.run(pOutInfo, outSize, strings: [(pCardInfo, "pCardInfo")]) { $0.iUnblockPIN(Int(iType), $1[0]) }
}

@c @implementation
public func iReloadPIN_HSM_Step1(_ iType: CInt, _ pCardInfo: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?) -> CLong {
    iReloadPIN_HSM_Step1_n(iType, pCardInfo, pOutInfo, standardOutSize)
}

@c @implementation
public func iReloadPIN_HSM_Step1_n(_ iType: CInt, _ pCardInfo: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?, _ outSize: Int) -> CLong {
    ABICall.run(pOutInfo, outSize, strings: [(pCardInfo, "pCardInfo")]) { $0.iReloadPIN_HSM_Step1(Int(iType), $1[0]) }
}

@c @implementation
public func iReloadPIN_HSM_Step2(_ pKey: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?) -> CLong {
    iReloadPIN_HSM_Step2_n(pKey, pOutInfo, standardOutSize)
}

@c @implementation
public func iReloadPIN_HSM_Step2_n(_ pKey: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?, _ outSize: Int) -> CLong {
    ABICall.run(pOutInfo, outSize, strings: [(pKey, "pKey")]) { $0.iReloadPIN_HSM_Step2($1[0]) }
}

@c @implementation
public func iReloadPIN_HSM_Step3(_ pKey: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?) -> CLong {
    iReloadPIN_HSM_Step3_n(pKey, pOutInfo, standardOutSize)
}

@c @implementation
public func iReloadPIN_HSM_Step3_n(_ pKey: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?, _ outSize: Int) -> CLong {
    ABICall.run(pOutInfo, outSize, strings: [(pKey, "pKey")]) { $0.iReloadPIN_HSM_Step3($1[0]) }
}

@c @implementation
public func iUnblockPIN_HSM_Step1(_ iType: CInt, _ pCardInfo: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?) -> CLong {
    iUnblockPIN_HSM_Step1_n(iType, pCardInfo, pOutInfo, standardOutSize)
}

@c @implementation
public func iUnblockPIN_HSM_Step1_n(_ iType: CInt, _ pCardInfo: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?, _ outSize: Int) -> CLong {
    ABICall.run(pOutInfo, outSize, strings: [(pCardInfo, "pCardInfo")]) { $0.iUnblockPIN_HSM_Step1(Int(iType), $1[0]) }
}

@c @implementation
public func iUnblockPIN_HSM_Step2(_ pKey: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?) -> CLong {
    iUnblockPIN_HSM_Step2_n(pKey, pOutInfo, standardOutSize)
}

@c @implementation
public func iUnblockPIN_HSM_Step2_n(_ pKey: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?, _ outSize: Int) -> CLong {
    ABICall.run(pOutInfo, outSize, strings: [(pKey, "pKey")]) { $0.iUnblockPIN_HSM_Step2($1[0]) }
}

@c @implementation
public func iUnblockPIN_HSM_Step3(_ pKey: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?) -> CLong {
    iUnblockPIN_HSM_Step3_n(pKey, pOutInfo, standardOutSize)
}

@c @implementation
public func iUnblockPIN_HSM_Step3_n(_ pKey: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?, _ outSize: Int) -> CLong {
    ABICall.run(pOutInfo, outSize, strings: [(pKey, "pKey")]) { $0.iUnblockPIN_HSM_Step3($1[0]) }
}

@c @implementation
public func SSCardDriver_SetPINCallback(_ callback: SSCardPINCallback?, _ context: UnsafeMutableRawPointer?) -> CLong {
    PINEntryRegistry.install(callback.map { CallbackPINProvider(callback: $0, context: context) })
    return 0
}

/// The C caller's PIN callback as a `PINEntry`.
///
/// `@unchecked Sendable`: the function pointer is immutable and `context` is never touched
/// by the driver, only handed back to the callback; the C caller owns whatever it points to
/// (documented in the header: the callback runs on the thread of the driver call).
struct CallbackPINProvider: PINEntry, @unchecked Sendable {
    let callback: SSCardPINCallback
    let context: UnsafeMutableRawPointer?

    /// Room for 16 digits, a NUL and more: a longer answer is kept up to the buffer and
    /// then refused by the PIN rules (−33).
    static let bufferSize = 64

    func readPIN(for purpose: PINPurpose) throws(PINEntryError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: Self.bufferSize)
        defer { KeyMaterial.wipe(&buffer) }
        let code = buffer.withUnsafeMutableBytes { raw in
            callback(CInt(purpose.rawValue), raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count - 1, context)
        }
        switch code {
        case 0: break
        case -32: throw .timedOut
        default: throw .cancelled
        }
        let length = buffer.firstIndex(of: 0) ?? buffer.count
        var digits: [UInt8] = []
        digits.reserveCapacity(length)
        for i in 0..<length { digits.append(buffer[i]) }
        return digits
    }
}
