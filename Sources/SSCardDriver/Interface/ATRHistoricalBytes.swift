/// The answer to reset (ATR) of a contact card, parsed per ISO/IEC 7816-3 §8.2. iReadCardBas
/// reports its historical bytes as 卡复位信息; parsing the interface-byte chain (rather than
/// slicing at a fixed offset, as some drivers do) finds them for any card.
public struct AnswerToReset: Hashable, Sendable, CustomStringConvertible {
    /// TS: 3B direct convention, 3F inverse (the reader has already converted the bytes).
    public enum Convention: UInt8, Hashable, Sendable {
        case direct = 0x3B
        case inverse = 0x3F
    }

    /// The whole ATR as received.
    public let bytes: [UInt8]
    public let convention: Convention
    /// The interface bytes after T0, in order (TA1 TB1 TC1 TD1 TA2 …, those present).
    public let interfaceBytes: [UInt8]
    /// T1…TK.
    public let historicalBytes: [UInt8]
    /// Transmission protocols offered, in the order the TDi name them (T=15, global interface
    /// bytes, is not a protocol); [0] when no TD1 is present.
    public let protocols: [Int]
    /// TCK, present when any TDi indicates a protocol other than T=0.
    public let checkByte: UInt8?

    /// Parses `bytes`. A bad TS, a chain that runs past the end, bytes left over, or more than
    /// 33 bytes → −1 (not a card this interface knows); a TCK that does not XOR T0…TCK to 00 → −15.
    public init(bytes: [UInt8]) throws(InterfaceError) {
        func malformed(_ chinese: String, _ english: String) -> InterfaceError {
            InterfaceError(.wrongCardType, detail: "复位应答（ATR）\(bytes.hexString) \(chinese)",
                           englishDetail: "answer to reset \(bytes.hexString) \(english)")
        }
        guard bytes.count <= 33 else { throw malformed("超过33字节", "is longer than 33 bytes") }
        guard bytes.count >= 2 else { throw malformed("不足2字节（TS、T0）", "lacks TS and T0") }
        guard let convention = Convention(rawValue: bytes[0]) else {
            throw malformed("的TS不是3B或3F", "has a TS other than 3B or 3F")
        }
        let k = Int(bytes[1] & 0x0F)
        var y = bytes[1] >> 4
        var index = 2
        var interface: [UInt8] = []
        var protocols: [Int] = []
        var needsTCK = false
        var level = 1
        while true {
            // TAi, TBi, TCi, TDi are present as bits 5, 6, 7, 8 of Yi say.
            for bit: UInt8 in [0x1, 0x2, 0x4] where y & bit != 0 {
                guard index < bytes.count else { throw malformed("在第\(level)组接口字节处截断", "ends inside interface bytes of group \(level)") }
                interface.append(bytes[index])
                index += 1
            }
            guard y & 0x8 != 0 else { break }
            guard index < bytes.count else { throw malformed("在TD\(level)处截断", "ends before TD\(level)") }
            let td = bytes[index]
            interface.append(td)
            index += 1
            let t = Int(td & 0x0F)
            if t != 0 { needsTCK = true }
            if t != 15 && !protocols.contains(t) { protocols.append(t) }
            y = td >> 4
            level += 1
        }
        guard index + k <= bytes.count else {
            throw malformed("的历史字节不足\(k)个", "ends before its \(k) historical bytes")
        }
        let historical = Array(bytes[index..<index + k])
        index += k
        var checkByte: UInt8?
        if needsTCK {
            guard index < bytes.count else { throw malformed("缺少TCK", "lacks TCK") }
            checkByte = bytes[index]
            index += 1
            guard bytes[1..<index].reduce(0, ^) == 0 else {
                throw InterfaceError(.checksumError, detail: "复位应答（ATR）\(bytes.hexString) 的TCK校验不符",
                                     englishDetail: "answer to reset \(bytes.hexString) fails its TCK check")
            }
        }
        guard index == bytes.count else {
            throw malformed("末尾多出\(bytes.count - index)字节", "has \(bytes.count - index) bytes too many")
        }
        self.bytes = bytes
        self.convention = convention
        interfaceBytes = interface
        historicalBytes = historical
        self.protocols = protocols.isEmpty ? [0] : protocols
        self.checkByte = checkByte
    }

    /// Parses an ATR given as hex (spaces ignored); not hex → −14.
    public init(hex: String) throws(InterfaceError) {
        guard let bytes = [UInt8](hex: hex) else {
            throw .badParameter("复位应答 \(InterfaceFields.quoted(hex)) 不是十六进制", "answer to reset \(InterfaceFields.quoted(hex)) is not hex")
        }
        try self.init(bytes: bytes)
    }

    /// 卡复位信息 of iReadCardBas: the historical bytes in upper-case hex.
    public var historicalBytesHex: String { historicalBytes.hexString }

    public var description: String { bytes.hexString }
}
