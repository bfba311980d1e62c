import CSSCardDriverABI
import SSCardDriver

// The C functions of include/SSCardDriver.h. `@c @implementation` makes the compiler check
// each signature against the header. Each is a one-liner over ABICall and SSCardInterface.

let standardOutSize = 1024

@c @implementation
public func iReadCardBas(_ iType: CInt, _ pOutInfo: UnsafeMutablePointer<CChar>?) -> CLong {
    iReadCardBas_n(iType, pOutInfo, standardOutSize)
}

@c @implementation
public func iReadCardBas_n(_ iType: CInt, _ pOutInfo: UnsafeMutablePointer<CChar>?, _ outSize: Int) -> CLong {
    ABICall.run(pOutInfo, outSize) { $0.iReadCardBas(Int(iType)) }
}

@c @implementation
public func iReadCardBas_HSM_Step1(_ iType: CInt, _ pOutInfo: UnsafeMutablePointer<CChar>?) -> CLong {
    iReadCardBas_HSM_Step1_n(iType, pOutInfo, standardOutSize)
}

@c @implementation
public func iReadCardBas_HSM_Step1_n(_ iType: CInt, _ pOutInfo: UnsafeMutablePointer<CChar>?, _ outSize: Int) -> CLong {
    ABICall.run(pOutInfo, outSize) { $0.iReadCardBas_HSM_Step1(Int(iType)) }
}

@c @implementation
public func iReadCardBas_HSM_Step2(_ pKey: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?) -> CLong {
    iReadCardBas_HSM_Step2_n(pKey, pOutInfo, standardOutSize)
}

@c @implementation
public func iReadCardBas_HSM_Step2_n(_ pKey: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?, _ outSize: Int) -> CLong {
    ABICall.run(pOutInfo, outSize, strings: [(pKey, "pKey")]) { $0.iReadCardBas_HSM_Step2($1[0]) }
}

@c @implementation
public func SSCardDriver_Configure(_ configPath: UnsafePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?, _ outSize: Int) -> CLong {
    guard let pOutInfo, outSize > 0 else { return -14 }
    let path = configPath.map { String(cString: $0) }
    switch DriverInstance.configure(path: path) {
    case .success:
        ABIText.write("", to: pOutInfo, capacity: outSize, encoding: DriverInstance.encoding)
        return 0
    case .failure(let failure):
        ABIText.write(failure.message, to: pOutInfo, capacity: outSize, encoding: DriverInstance.encoding)
        return failure.code
    }
}
