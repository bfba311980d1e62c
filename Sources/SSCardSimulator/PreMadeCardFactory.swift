import SSCardDriver

/// What the card maker is told about one pre-made card (预制卡): the chip's EF05 data and the
/// bank that issues it.
public struct PreMadeCardSpec: Hashable, Sendable {
    /// 发卡地区行政区划代码, 6 digits (e.g. "411600").
    public var regionCode: String
    /// 卡号, 9 upper-case letters or digits.
    public var cardNumber: String
    /// The 8 card-specific bytes of the 卡识别码; nil derives them from region and card
    /// number (first 8 bytes of SM3 of both), so the same spec always makes the same card.
    public var cardSerial: [UInt8]?
    /// 初始化机构编号, 12 bytes; nil uses `9156000002 <region> <region> 6A`.
    public var initialisingOrganisation: [UInt8]?
    /// 发卡日期 and 卡有效期, YYYYMMDD.
    public var issueDate: String
    public var expiryDate: String
    /// The bank and bank card number of the card (not on the SSSE).
    public var label: PreMadeCardLabel
    /// Make the card answer like a T=0 card (61xx/6Cxx).
    public var answersLikeT0: Bool

    public init(regionCode: String, cardNumber: String, cardSerial: [UInt8]? = nil, initialisingOrganisation: [UInt8]? = nil,
                issueDate: String, expiryDate: String, label: PreMadeCardLabel, answersLikeT0: Bool = false) {
        self.regionCode = regionCode
        self.cardNumber = cardNumber
        self.cardSerial = cardSerial
        self.initialisingOrganisation = initialisingOrganisation
        self.issueDate = issueDate
        self.expiryDate = expiryDate
        self.label = label
        self.answersLikeT0 = answersLikeT0
    }

    /// A test card of region 411600 (周口), number `SIM` + `sequence` in 6 digits, issued
    /// 2021-12-03, valid to 2031-12-02, bank "模拟银行", bank card `6217000000` + the same digits.
    public static func sample(sequence: Int = 1, answersLikeT0: Bool = false) -> PreMadeCardSpec {
        precondition(sequence >= 0, "sequence must not be negative")
        let digits = String(sequence % 1_000_000)
        let padded = String(repeating: "0", count: 6 - digits.count) + digits
        return PreMadeCardSpec(
            regionCode: "411600", cardNumber: "SIM" + padded, issueDate: "20211203", expiryDate: "20311202",
            label: PreMadeCardLabel(bank: "模拟银行", bankCardNumber: "6217000000" + padded),
            answersLikeT0: answersLikeT0)
    }
}

/// The holder data written to EF06 at personalisation.
public struct CardHolder: Hashable, Sendable {
    /// 社会保障号码, 18 characters.
    public var socialSecurityNumber: String
    /// 姓名, at most 30 bytes in GB18030; the rest of a longer name goes to `nameExtension`.
    public var name: String
    /// 姓名扩展, at most 20 bytes in GB18030.
    public var nameExtension: String
    /// 性别: "1" male, "2" female, "9" unstated.
    public var sex: String
    /// 民族 (GB 3304), 2 digits, e.g. "01".
    public var ethnicity: String
    /// 出生地, a 6-digit region code.
    public var birthPlace: String
    /// 出生日期, YYYYMMDD.
    public var birthDate: String

    public init(socialSecurityNumber: String, name: String, nameExtension: String = "", sex: String,
                ethnicity: String, birthPlace: String, birthDate: String) {
        self.socialSecurityNumber = socialSecurityNumber
        self.name = name
        self.nameExtension = nameExtension
        self.sex = sex
        self.ethnicity = ethnicity
        self.birthPlace = birthPlace
        self.birthDate = birthDate
    }

    /// 张三, the specification's sample holder (111111198101011110).
    public static let sample = CardHolder(
        socialSecurityNumber: "111111198101011110", name: "张三", sex: "1", ethnicity: "01",
        birthPlace: "411602", birthDate: "19810101")
}

/// Why a pre-made card could not be made.
public enum PreMadeCardError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A field that does not fit its element: which, and why.
    case invalidField(String, reason: String)
    /// Key diversification failed inside OpenSSL.
    case crypto(CryptoError)

    public var description: String {
        switch self {
        case .invalidField(let f, let r): return "\(f): \(r)"
        case .crypto(let e): return "key diversification failed: \(e)"
        }
    }
}

/// Makes card images the way a card maker and a personalisation desk would: blank pre-made
/// cards (EF05 written, EF06 empty, keys diversified from the HSM master keys) and, for
/// tests, already personalised cards.
public struct PreMadeCardFactory: Sendable {
    /// The HSM master keys the cards' keys are diversified from.
    public var masterKeys: HSMMasterKeys

    public init(masterKeys: HSMMasterKeys = .simulatorTestKeys) {
        self.masterKeys = masterKeys
    }

    /// A blank 3.0 pre-made card: EF05 holds 卡识别码, card type "3", version "3.00",
    /// initialising organisation, issue and expiry dates and card number; EF06–EF08 are
    /// empty; SSSE PIN 123456, admin PIN 12345678, no PKI keys.
    public func blankCard(_ spec: PreMadeCardSpec) throws(PreMadeCardError) -> CardImage {
        guard spec.regionCode.count == 6, let region = BCD.encode(spec.regionCode, byteCount: 3) else {
            throw .invalidField("regionCode", reason: "\"\(spec.regionCode)\" is not 6 digits")
        }
        let number = Array(spec.cardNumber.utf8)
        guard number.count == 9, number.allSatisfy({ (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) }) else {
            throw .invalidField("cardNumber", reason: "\"\(spec.cardNumber)\" is not 9 upper-case letters or digits")
        }
        let serial: [UInt8]
        if let given = spec.cardSerial {
            guard given.count == 8 else { throw .invalidField("cardSerial", reason: "\(given.count) bytes, expected 8") }
            serial = given
        } else {
            do { serial = Array(try SM3.hash(Array((spec.regionCode + spec.cardNumber).utf8)).prefix(8)) } catch { throw .crypto(error) }
        }
        let organisation = spec.initialisingOrganisation ?? [0x91, 0x56, 0x00, 0x00, 0x02] + region + region + [0x6A]
        guard organisation.count == 12 else {
            throw .invalidField("initialisingOrganisation", reason: "\(organisation.count) bytes, expected 12")
        }
        guard let id = CardIdentificationCode(bytes: region + SSSE.rid + serial) else {
            throw .invalidField("regionCode", reason: "does not make a valid 卡识别码")
        }
        let keys: CardSecretKeys
        do { keys = try CardSecretKeys(diversifiedFrom: masterKeys, cardID: id) } catch { throw .crypto(error) }

        var records = SSSERecords()
        try write(&records, .cardIdentificationCode, id.bytes, "cardIdentificationCode")
        try write(&records, .cardType, Array("3".utf8), "cardType")
        try write(&records, .specificationVersion, Array("3.00".utf8), "specificationVersion")
        try write(&records, .initialisingOrganisation, organisation, "initialisingOrganisation")
        try write(&records, .issueDate, try date(spec.issueDate, "issueDate"), "issueDate")
        try write(&records, .expiryDate, try date(spec.expiryDate, "expiryDate"), "expiryDate")
        try write(&records, .cardNumber, number, "cardNumber")
        return CardImage(cardIdentificationCode: id, label: spec.label, answersLikeT0: spec.answersLikeT0,
                         records: records, keys: keys)
    }

    /// A card already personalised for `holder` (EF06 written), for tests that start after
    /// the chip step.
    public func personalisedCard(_ spec: PreMadeCardSpec, holder: CardHolder) throws(PreMadeCardError) -> CardImage {
        var image = try blankCard(spec)
        try personalise(&image, holder: holder)
        return image
    }

    /// Writes `holder` into EF06 of `image`, as UPDATE RECORD would.
    public func personalise(_ image: inout CardImage, holder: CardHolder) throws(PreMadeCardError) {
        let ssn = Array(holder.socialSecurityNumber.utf8)
        guard ssn.count == 18, ssn.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .invalidField("socialSecurityNumber", reason: "not 18 ASCII characters")
        }
        guard let name = GB18030.encode(holder.name), !name.isEmpty else {
            throw .invalidField("name", reason: "empty or not encodable in GB18030")
        }
        guard let nameExtension = GB18030.encode(holder.nameExtension) else {
            throw .invalidField("nameExtension", reason: "not encodable in GB18030")
        }
        guard ["1", "2", "9"].contains(holder.sex) else { throw .invalidField("sex", reason: "not 1, 2 or 9") }
        guard holder.ethnicity.count == 2, let ethnicity = BCD.encode(holder.ethnicity, byteCount: 1) else {
            throw .invalidField("ethnicity", reason: "not 2 digits")
        }
        guard holder.birthPlace.count == 6, let birthPlace = BCD.encode(holder.birthPlace, byteCount: 3) else {
            throw .invalidField("birthPlace", reason: "not 6 digits")
        }
        try write(&image.records, .socialSecurityNumber, ssn, "socialSecurityNumber")
        try write(&image.records, .name, name, "name")
        if !nameExtension.isEmpty { try write(&image.records, .nameExtension, nameExtension, "nameExtension") }
        try write(&image.records, .sex, Array(holder.sex.utf8), "sex")
        try write(&image.records, .ethnicity, ethnicity, "ethnicity")
        try write(&image.records, .birthPlace, birthPlace, "birthPlace")
        try write(&image.records, .birthDate, try date(holder.birthDate, "birthDate"), "birthDate")
    }

    private func write(_ records: inout SSSERecords, _ element: CardElement, _ value: [UInt8], _ field: String) throws(PreMadeCardError) {
        guard records.write(element, value: value) else {
            throw .invalidField(field, reason: "\(value.count) bytes, longer than \(element.name)'s \(element.length)")
        }
    }

    private func date(_ text: String, _ field: String) throws(PreMadeCardError) -> [UInt8] {
        guard text.count == 8, let bytes = BCD.encode(text, byteCount: 4) else {
            throw .invalidField(field, reason: "\"\(text)\" is not YYYYMMDD")
        }
        return bytes
    }
}
