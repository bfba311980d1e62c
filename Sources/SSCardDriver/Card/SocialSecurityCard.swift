/// The SSSE of a third-generation social security card, over any `CardChannel`
/// (a reader through pcscd, or a simulated card in process).
public struct SocialSecurityCard: Sendable {
    public let channel: any CardChannel

    public init(channel: any CardChannel) {
        self.channel = channel
    }

    /// Selects the social security application environment by AID.
    public func selectSSSE() throws {
        _ = try channel.expectSuccess(SSSECommands.select(aid: SSSE.aid))
    }

    /// Selects an EF of the SSSE by file id.
    public func select(_ file: SSSEFile) throws {
        _ = try channel.expectSuccess(SSSECommands.select(fileID: file.fileID))
    }

    /// Reads one element of the currently selected EF by its tag; nil when the card has no
    /// such record (6A83), as EF06 of a blank pre-made card.
    public func readElement(_ element: CardElement) throws -> [UInt8]? {
        let response = try channel.transmit(SSSECommands.readRecord(tag: element.tag))
        if response.statusWord == .recordNotFound { return nil }
        guard response.statusWord.isSuccess else {
            throw CardError.refused(instruction: 0xB2, status: response.statusWord)
        }
        let record: SimpleTLV
        do {
            record = try SimpleTLV.parseOne(response.data[...]).0
        } catch {
            throw CardError.malformedData("\(element.name) record: \(error)")
        }
        guard record.tag == element.tag else {
            throw CardError.malformedData("\(element.name): record tag \([record.tag].hexString), expected \([element.tag].hexString)")
        }
        return record.value
    }

    /// Selects the SSSE and EF05 and reads the issuer data: 9 APDUs. `selecting: false`
    /// reads from EF05 as already selected (2 fewer), for a caller that knows it is current;
    /// `complete: false` leaves out 卡的类别 and 初始化机构编号 (empty in the result), which
    /// iReadCardBas does not show (2 fewer).
    public func readIssuerData(selecting: Bool = true, complete: Bool = true) throws -> IssuerData {
        if selecting {
            try selectSSSE()
            try select(.ef05)
        }
        func value(_ e: CardElement) throws -> [UInt8] { try readElement(e) ?? [] }
        return IssuerData(
            cardIdentificationCode: try readCardIdentificationCode(),
            cardType: complete ? ElementText.decode(try value(.cardType)) : "",
            specificationVersion: ElementText.decode(try value(.specificationVersion)),
            initialisingOrganisation: complete ? try value(.initialisingOrganisation).hexString : "",
            issueDate: BCD.decode(try value(.issueDate)) ?? "",
            expiryDate: BCD.decode(try value(.expiryDate)) ?? "",
            cardNumber: ElementText.decode(try value(.cardNumber)))
    }

    /// The 卡识别码 from EF05, which must be current: the one record a card check, an HSM
    /// challenge or a key derivation needs (the card-number check adds 卡号).
    public func readCardIdentificationCode() throws -> CardIdentificationCode {
        let bytes = try readElement(.cardIdentificationCode) ?? []
        guard let id = CardIdentificationCode(bytes: bytes) else {
            throw CardError.malformedData("卡识别码 \(bytes.hexString) is not a 3.0 card identification code")
        }
        return id
    }

    /// GET CHALLENGE: random bytes from the card for the next EXTERNAL AUTHENTICATE or MAC.
    public func getChallenge(length: Int = 8) throws -> [UInt8] {
        let data = try channel.expectSuccess(SSSECommands.getChallenge(length: length))
        guard data.count == length else { throw CardError.malformedData("challenge of \(data.count) bytes, expected \(length)") }
        return data
    }

    /// INTERNAL AUTHENTICATE: the card proves it holds its key; returns its 16-byte answer.
    public func internalAuthenticate(factor: [UInt8], raw: [UInt8]) throws -> [UInt8] {
        try channel.expectSuccess(SSSECommands.internalAuthenticate(factor: factor, raw: raw))
    }

    /// EXTERNAL AUTHENTICATE with key `keyID` (0A read, 04 write): the terminal proves it
    /// holds the key, which opens the files that key protects.
    public func externalAuthenticate(keyID: UInt8, data: [UInt8]) throws {
        _ = try channel.expectSuccess(SSSECommands.externalAuthenticate(keyID: keyID, data: data))
    }

    /// VERIFY the SSSE PIN given as ASCII digits.
    public func verifyPIN(_ digits: [UInt8]) throws -> PINVerification {
        guard let command = SSSECommands.verifyPIN(digits) else { return .invalidFormat }
        return PINVerification(try channel.transmit(command).statusWord)
    }

    /// Tries left before the PIN locks, without spending one.
    public func pinTriesLeft() throws -> PINVerification {
        PINVerification(try channel.transmit(SSSECommands.pinTriesLeft).statusWord)
    }
}

/// The outcome of a PIN verification as the card reports it.
public enum PINVerification: Hashable, Sendable {
    case verified
    /// 63Cx: wrong PIN, x tries left.
    case wrong(triesLeft: Int)
    /// 6983: locked after too many wrong tries; only a counter can unblock it.
    case locked
    /// Not 4–16 digits; nothing was sent.
    case invalidFormat
    /// Any other status word.
    case refused(StatusWord)

    init(_ sw: StatusWord) {
        if sw.isSuccess { self = .verified }
        else if let n = sw.triesLeft { self = n == 0 ? .locked : .wrong(triesLeft: n) }
        else if sw == .authenticationMethodBlocked { self = .locked }
        else { self = .refused(sw) }
    }
}

/// Text elements: left-aligned, 00-padded; GB18030 (a superset of GBK) for names.
public enum ElementText {
    /// Decodes an element's bytes, dropping 00 (and FF) padding.
    public static func decode(_ bytes: [UInt8]) -> String {
        var end = bytes.count
        while end > 0 && (bytes[end - 1] == 0x00 || bytes[end - 1] == 0xFF) { end -= 1 }
        return GB18030.decode(Array(bytes[..<end])) ?? String(decoding: bytes[..<end], as: UTF8.self)
    }
}
