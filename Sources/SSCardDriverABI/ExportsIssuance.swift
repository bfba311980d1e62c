import CSSCardDriverABI
import SSCardDriver
import SSCardPrinter

// The printer side of instant issuance: iLoadCard and iPrint.

@c @implementation
public func iLoadCard(_ n: CInt, _ pOutInfo: UnsafeMutablePointer<CChar>?) -> CLong {
    iLoadCard_n(n, pOutInfo, standardOutSize)
}

@c @implementation
public func iLoadCard_n(_ n: CInt, _ pOutInfo: UnsafeMutablePointer<CChar>?, _ outSize: Int) -> CLong {
    ABICall.run(pOutInfo, outSize) { $0.iLoadCard(Int(n)) }
}

@c @implementation
public func iPrint(
    _ n: CInt, _ sData1: UnsafeMutablePointer<CChar>?, _ sData2: UnsafeMutablePointer<CChar>?,
    _ sData3: UnsafeMutablePointer<CChar>?, _ sData4: UnsafeMutablePointer<CChar>?,
    _ sData5: UnsafeMutablePointer<CChar>?, _ sData6: UnsafeMutablePointer<CChar>?,
    _ sPhoto1: UnsafeMutablePointer<CChar>?, _ sPhoto2: UnsafeMutablePointer<CChar>?,
    _ pOutInfo: UnsafeMutablePointer<CChar>?
) -> CLong {
    // An item left NULL is an empty item (not printed), as callers pass for unused items.
    let items = [sData1, sData2, sData3, sData4, sData5, sData6, sPhoto1, sPhoto2]
    let names = ["sData1", "sData2", "sData3", "sData4", "sData5", "sData6", "sPhoto1", "sPhoto2"]
    let given = zip(items, names).filter { $0.0 != nil }
    return ABICall.run(pOutInfo, standardOutSize, strings: given.map { ($0.0, $0.1) }) { driver, values in
        var texts = [String](repeating: "", count: 8)
        for ((_, name), value) in zip(given, values) { texts[names.firstIndex(of: name)!] = value }
        return driver.iPrint(Int(n), texts)
    }
}
