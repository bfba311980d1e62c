/// RELOAD PIN (PIN重置) and UNBLOCK PIN (PIN解锁): the two secure-messaging commands that need
/// the card's PUK (个人密码解锁密钥), and the values their three-step HSM forms pass around.
///
/// Both commands carry a 4-byte MAC (docs/card-simulation.md §1): the SM4 CBC-MAC of
/// `CLA INS P1 P2 Lc ‖ data ‖ 80 00…` with IV = the card's challenge. Header, Lc and a new PIN
/// of at most 8 BCD bytes always fit one 16-byte block, so with a 16-byte challenge
///
///     MAC = first 4 bytes of SM4-ECB(card PUK, challenge ⊕ block)
///
/// The driver computes `challenge ⊕ block` (the *MAC input*) and the security module only
/// encrypts it. The challenge is a fresh 16-byte random the module never sees, so the MAC
/// input hides the PIN from it completely (a one-time pad): no PIN reaches the HSM, the
/// caller relaying the steps, pOutInfo or any log (docs/pin-functions.md).
public enum PINResetKind: Hashable, Sendable, CustomStringConvertible {
    /// RELOAD PIN `84 5E 00 00 Lc <new PIN BCD ‖ MAC4>`: a new PIN and a full try counter.
    case reload
    /// UNBLOCK PIN `84 24 00 00 04 <MAC4>`: a full try counter, the PIN unchanged.
    case unblock

    /// CLA INS P1 P2.
    public var header: [UInt8] {
        switch self {
        case .reload: return [0x84, 0x5E, 0x00, 0x00]
        case .unblock: return [0x84, 0x24, 0x00, 0x00]
        }
    }

    /// The C function family, for messages.
    public var functionName: String {
        switch self {
        case .reload: return "iReloadPIN_HSM"
        case .unblock: return "iUnblockPIN_HSM"
        }
    }

    public var description: String { self == .reload ? "RELOAD PIN" : "UNBLOCK PIN" }
}

/// A security module that can MAC RELOAD PIN and UNBLOCK PIN with a card's PUK. A PSAM or HSM
/// that only opens files (`CardSecurityModule`) cannot; the one-step iReloadPIN/iUnblockPIN
/// answer −24 with such a module and −2201 without any.
public protocol PINSecurityModule: CardSecurityModule {
    /// The 4-byte MAC for the card `cardID`: the first 4 bytes of SM4-ECB(card PUK,
    /// `macInput`), where `macInput` (16 bytes) is the command's single CBC-MAC block already
    /// combined with the IV by the driver (`PINCommandBlock.macInput`). The module never
    /// receives a PIN.
    func pinCommandMAC(cardID: CardIdentificationCode, macInput: [UInt8]) throws -> [UInt8]
}

/// Building the MAC input of a one-block secure-messaging command.
public enum PINCommandBlock {
    /// `challenge` ⊕ (`header` ‖ Lc ‖ `data` ‖ 80 00…), 16 bytes; Lc = data.count + 4 counts
    /// the MAC. Programmer error (traps): a challenge other than 16 bytes, a header other than
    /// 4 bytes, or data longer than 10 bytes (a PIN packs into at most 8).
    public static func macInput(header: [UInt8], data: [UInt8], challenge: [UInt8]) -> [UInt8] {
        precondition(challenge.count == 16 && header.count == 4 && data.count <= 10, "one-block MAC input")
        var block = header + [UInt8(data.count + CardKeyScheme.macSize)] + data + [0x80]
        block += [UInt8](repeating: 0, count: 16 - block.count)
        defer { KeyMaterial.wipe(&block) }
        return (0..<16).map { block[$0] ^ challenge[$0] }
    }
}

/// Output of iReloadPIN_HSM_Step1 / iUnblockPIN_HSM_Step1:
/// `地区码|ATR历史字节|算法标识|卡识别码|SJS1|SJS2|`: the card, and the internal-authentication
/// factor and raw data (8 bytes each, 16 hex) the HSM needs to prove the card genuine.
/// It holds no PIN: the new PIN of a reload was read by Step1 and stays in the driver.
public struct PINResetChallenge: Hashable, Sendable, CustomStringConvertible {
    public let cardIdentificationCode: CardIdentificationCode
    public let historicalBytes: [UInt8]
    /// 算法标识; 03 (SM4 family) for 3.0 cards.
    public let algorithmIdentifier: UInt8
    /// SJS1 内部认证过程因子.
    public let internalAuthenticationFactor: [UInt8]
    /// SJS2 内部认证鉴别所需的原始信息.
    public let internalAuthenticationRaw: [UInt8]

    /// SJS1 and SJS2 must be 8 bytes (−42).
    public init(cardIdentificationCode: CardIdentificationCode, historicalBytes: [UInt8], algorithmIdentifier: UInt8,
                internalAuthenticationFactor: [UInt8], internalAuthenticationRaw: [UInt8]) throws(InterfaceError) {
        guard internalAuthenticationFactor.count == 8, internalAuthenticationRaw.count == 8 else {
            throw InterfaceError(.dataLength, detail: "SJS1、SJS2 应各为8字节", englishDetail: "SJS1 and SJS2 must be 8 bytes each")
        }
        self.cardIdentificationCode = cardIdentificationCode
        self.historicalBytes = historicalBytes
        self.algorithmIdentifier = algorithmIdentifier
        self.internalAuthenticationFactor = internalAuthenticationFactor
        self.internalAuthenticationRaw = internalAuthenticationRaw
    }

    /// Parses a Step1 output (the HSM side). Wrong shape or hex → −14, bad 卡识别码 → −20.
    public init(parsing text: String) throws(InterfaceError) {
        let fields = try PINResetText.fields(text, count: 6, what: "Step1 输出", english: "Step1 output")
        let id = try PINResetText.cardID(fields[3])
        guard fields[0] == id.regionCode else {
            throw .badParameter("地区码 \(InterfaceFields.quoted(fields[0])) 与卡识别码不符", "region code \(InterfaceFields.quoted(fields[0])) is not the 卡识别码's")
        }
        try self.init(cardIdentificationCode: id, historicalBytes: try PINResetText.hex(fields[1], "ATR历史字节", count: nil),
                      algorithmIdentifier: try PINResetText.hex(fields[2], "算法标识", count: 1)[0],
                      internalAuthenticationFactor: try PINResetText.hex(fields[4], "SJS1", count: 8),
                      internalAuthenticationRaw: try PINResetText.hex(fields[5], "SJS2", count: 8))
    }

    public var regionCode: String { cardIdentificationCode.regionCode }

    public var interfaceText: String {
        [regionCode, historicalBytes.hexString, [algorithmIdentifier].hexString, cardIdentificationCode.hex,
         internalAuthenticationFactor.hexString, internalAuthenticationRaw.hexString].map { $0 + "|" }.joined()
    }

    public var description: String { interfaceText }
}

/// pKey of iReloadPIN_HSM_Step2 / iUnblockPIN_HSM_Step2: `<32 hex>|`, the HSM's internal
/// authentication value: the first 8 bytes of the genuine card's INTERNAL AUTHENTICATE answer
/// ‖ SJS2 (the same form as the internal half of the read functions' Step2 pKey). The closing
/// `|` may be missing; anything else → −14.
public struct PINResetAuthentication: Hashable, Sendable, CustomStringConvertible {
    public let internalAuthentication: [UInt8]

    /// 16 bytes (−42).
    public init(internalAuthentication: [UInt8]) throws(InterfaceError) {
        guard internalAuthentication.count == 16 else {
            throw InterfaceError(.dataLength, detail: "内部认证数据应为16字节", englishDetail: "the internal-authentication value must be 16 bytes")
        }
        self.internalAuthentication = internalAuthentication
    }

    public init(parsing text: String) throws(InterfaceError) {
        let fields = try PINResetText.fields(PINResetText.closed(text), count: 1, what: "pKey", english: "pKey")
        try self.init(internalAuthentication: try PINResetText.hex(fields[0], "内部认证数据", count: 16))
    }

    public var interfaceText: String { internalAuthentication.hexString + "|" }
    public var description: String { interfaceText }
}

/// Output of iReloadPIN_HSM_Step2 / iUnblockPIN_HSM_Step2: `卡识别码|命令头|MAC输入|` — which
/// card's PUK to use, the command header CLA INS P1 P2 Lc (10 hex, for the HSM's records),
/// and the MAC input (32 hex) = 16-byte challenge ⊕ the command's padded block. The HSM
/// answers the first 4 bytes of SM4-ECB(card PUK, MAC input). The challenge itself is not
/// given out, so the MAC input reveals nothing of a new PIN inside the block.
public struct PINCommandMACRequest: Hashable, Sendable, CustomStringConvertible {
    public let cardIdentificationCode: CardIdentificationCode
    /// CLA INS P1 P2 Lc.
    public let commandHeader: [UInt8]
    public let macInput: [UInt8]

    /// The header must be 5 bytes and the MAC input 16 (−42).
    public init(cardIdentificationCode: CardIdentificationCode, commandHeader: [UInt8], macInput: [UInt8]) throws(InterfaceError) {
        guard commandHeader.count == 5, macInput.count == 16 else {
            throw InterfaceError(.dataLength, detail: "命令头应为5字节、MAC输入应为16字节", englishDetail: "the header must be 5 bytes and the MAC input 16")
        }
        self.cardIdentificationCode = cardIdentificationCode
        self.commandHeader = commandHeader
        self.macInput = macInput
    }

    public init(parsing text: String) throws(InterfaceError) {
        let fields = try PINResetText.fields(text, count: 3, what: "Step2 输出", english: "Step2 output")
        try self.init(cardIdentificationCode: try PINResetText.cardID(fields[0]),
                      commandHeader: try PINResetText.hex(fields[1], "命令头", count: 5),
                      macInput: try PINResetText.hex(fields[2], "MAC输入", count: 16))
    }

    public var interfaceText: String {
        [cardIdentificationCode.hex, commandHeader.hexString, macInput.hexString].map { $0 + "|" }.joined()
    }

    public var description: String { interfaceText }
}

/// pKey of iReloadPIN_HSM_Step3 / iUnblockPIN_HSM_Step3 (安全报文数据): the 4-byte MAC as
/// 8 hex, `|` optional. The whole 16-byte SM4 output (32 hex) is accepted too; its first 4
/// bytes are the MAC. Anything else → −14.
public struct PINCommandMAC: Hashable, Sendable, CustomStringConvertible {
    public let mac: [UInt8]

    /// 4 bytes (−42).
    public init(mac: [UInt8]) throws(InterfaceError) {
        guard mac.count == CardKeyScheme.macSize else {
            throw InterfaceError(.dataLength, detail: "MAC应为4字节", englishDetail: "the MAC must be 4 bytes")
        }
        self.mac = mac
    }

    public init(parsing text: String) throws(InterfaceError) {
        let fields = try PINResetText.fields(PINResetText.closed(text), count: 1, what: "pKey", english: "pKey")
        let value = fields[0]
        guard value.unicodeScalars.count == 8 || value.unicodeScalars.count == 32 else {
            throw .badParameter("pKey \(InterfaceFields.quoted(value)) 应为8位（或32位）十六进制MAC", "pKey \(InterfaceFields.quoted(value)) must be an 8 (or 32) hex digit MAC")
        }
        try self.init(mac: Array(try PINResetText.hex(value, "MAC", count: nil).prefix(CardKeyScheme.macSize)))
    }

    public var interfaceText: String { mac.hexString + "|" }
    public var description: String { interfaceText }
}

/// Shared parsing of the `|`-terminated fields above.
enum PINResetText {
    static func closed(_ text: String) -> String {
        if let last = text.unicodeScalars.last, last != "|" { return text + "|" }
        return text
    }

    static func fields(_ text: String, count: Int, what: String, english: String) throws(InterfaceError) -> [String] {
        guard let fields = InterfaceFields.terminated(text, by: "|") else {
            throw .badParameter("\(what)末项缺少结尾的“|”", "\(english): the last field lacks its closing |")
        }
        guard fields.count == count else {
            throw .badParameter("\(what)应有\(count)项，实为\(fields.count)项", "\(english) must hold \(count) fields, it holds \(fields.count)")
        }
        return fields
    }

    static func cardID(_ text: String) throws(InterfaceError) -> CardIdentificationCode {
        guard text.unicodeScalars.count == 32, InterfaceFields.isHex(text), let id = CardIdentificationCode(hex: text) else {
            throw InterfaceError(.badCardIdentificationFormat, detail: "卡识别码 \(InterfaceFields.quoted(text)) 格式错",
                                 englishDetail: "卡识别码 \(InterfaceFields.quoted(text)) is malformed")
        }
        return id
    }

    static func hex(_ text: String, _ label: String, count: Int?) throws(InterfaceError) -> [UInt8] {
        guard InterfaceFields.isHex(text), let bytes = [UInt8](hex: text), !bytes.isEmpty || count == nil,
              count == nil || bytes.count == count else {
            let size = count.map { "\($0 * 2)位" } ?? ""
            throw .badParameter("\(label) \(InterfaceFields.quoted(text)) 应为\(size)十六进制",
                                "\(label) \(InterfaceFields.quoted(text)) must be \(count.map { "\($0 * 2) " } ?? "")hex digits")
        }
        return bytes
    }
}

/// What Step1 and Step2 of a three-step PIN function leave for the next step
/// (`PendingHSMStep.pin`).
struct PendingPINStep {
    enum Stage {
        /// After Step1: waiting for the HSM's internal-authentication value.
        case awaitingAuthentication(PINResetChallenge)
        /// After Step2: waiting for the HSM's MAC.
        case awaitingMAC(PINCommandMACRequest)
    }

    let kind: PINResetKind
    let reader: ReaderChoice
    /// RELOAD only: the new PIN, packed BCD; wiped when this step is dropped.
    let newPIN: HeldPIN?
    var stage: Stage
}
