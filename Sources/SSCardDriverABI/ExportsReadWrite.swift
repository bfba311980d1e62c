import CSSCardDriverABI
import SSCardDriver

// iReadCard, iWriteCard and their two-step HSM forms (include/SSCardDriver.h).

@c @implementation
public func iReadCard(_ iType: CInt, _ iAuthType: CInt, _ pCardInfo: UnsafeMutablePointer<CChar>?, _ pFileAddr: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?) -> CLong {
    iReadCard_n(iType, iAuthType, pCardInfo, pFileAddr, pOutInfo, standardOutSize)
}

@c @implementation
public func iReadCard_n(_ iType: CInt, _ iAuthType: CInt, _ pCardInfo: UnsafeMutablePointer<CChar>?, _ pFileAddr: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?, _ outSize: Int) -> CLong {
    ABICall.run(pOutInfo, outSize, strings: [(pCardInfo, "pCardInfo"), (pFileAddr, "pFileAddr")]) {
        $0.iReadCard(Int(iType), Int(iAuthType), $1[0], $1[1])
    }
}

@c @implementation
public func iWriteCard(_ iType: CInt, _ pCardInfo: UnsafeMutablePointer<CChar>?, _ pFileAddr: UnsafeMutablePointer<CChar>?, _ pWriteData: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?) -> CLong {
    iWriteCard_n(iType, pCardInfo, pFileAddr, pWriteData, pOutInfo, standardOutSize)
}

@c @implementation
public func iWriteCard_n(_ iType: CInt, _ pCardInfo: UnsafeMutablePointer<CChar>?, _ pFileAddr: UnsafeMutablePointer<CChar>?, _ pWriteData: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?, _ outSize: Int) -> CLong {
    ABICall.run(pOutInfo, outSize, strings: [(pCardInfo, "pCardInfo"), (pFileAddr, "pFileAddr"), (pWriteData, "pWriteData")]) {
        $0.iWriteCard(Int(iType), $1[0], $1[1], $1[2])
    }
}

@c @implementation
public func iReadCard_HSM_Step1(_ iType: CInt, _ pCardInfo: UnsafeMutablePointer<CChar>?, _ pFileAddr: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?) -> CLong {
    iReadCard_HSM_Step1_n(iType, pCardInfo, pFileAddr, pOutInfo, standardOutSize)
}

@c @implementation
public func iReadCard_HSM_Step1_n(_ iType: CInt, _ pCardInfo: UnsafeMutablePointer<CChar>?, _ pFileAddr: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?, _ outSize: Int) -> CLong {
    ABICall.run(pOutInfo, outSize, strings: [(pCardInfo, "pCardInfo"), (pFileAddr, "pFileAddr")]) {
        $0.iReadCard_HSM_Step1(Int(iType), $1[0], $1[1])
    }
}

@c @implementation
public func iReadCard_HSM_Step2(_ pKey: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?) -> CLong {
    iReadCard_HSM_Step2_n(pKey, pOutInfo, standardOutSize)
}

@c @implementation
public func iReadCard_HSM_Step2_n(_ pKey: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?, _ outSize: Int) -> CLong {
    ABICall.run(pOutInfo, outSize, strings: [(pKey, "pKey")]) { $0.iReadCard_HSM_Step2($1[0]) }
}

@c @implementation
public func iWriteCard_HSM_Step1(_ iType: CInt, _ pCardInfo: UnsafeMutablePointer<CChar>?, _ pFileAddr: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?) -> CLong {
    ABICall.run(pOutInfo, standardOutSize, strings: [(pCardInfo, "pCardInfo"), (pFileAddr, "pFileAddr")]) {
        $0.iWriteCard_HSM_Step1(Int(iType), $1[0], $1[1])
    }
}

@c @implementation
public func iWriteCard_HSM_Step2(_ pKey: UnsafeMutablePointer<CChar>?, _ pWriteData: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?) -> CLong {
    ABICall.run(pOutInfo, standardOutSize, strings: [(pKey, "pKey"), (pWriteData, "pWriteData")]) {
        $0.iWriteCard_HSM_Step2($1[0], $1[1])
    }
}

// The instant-issuance certificate steps.

@c @implementation
public func iWriteCaStep1(_ pOutInfo: UnsafeMutablePointer<CChar>?) -> CLong {
    iWriteCaStep1_n(pOutInfo, standardOutSize)
}

@c @implementation
public func iWriteCaStep1_n(_ pOutInfo: UnsafeMutablePointer<CChar>?, _ outSize: Int) -> CLong {
    ABICall.run(pOutInfo, outSize) { $0.iWriteCaStep1() }
}

@c @implementation
public func iWriteCaStep2(_ pCaInfo: UnsafeMutablePointer<CChar>?, _ pOutInfo: UnsafeMutablePointer<CChar>?) -> CLong {
    ABICall.run(pOutInfo, standardOutSize, strings: [(pCaInfo, "pCaInfo")]) { $0.iWriteCaStep2($1[0]) }
}
