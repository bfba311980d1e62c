/// 社会保障号码: the number that names the holder on the card (EF06 tag 08, 18 bytes) and in
/// the card-management system. Two forms (《广东省社会保障卡经办规程》第五条, 第三十五条):
///
/// - **citizen** (`.citizen`): the 18-character 公民身份号码 of an ID card, household register
///   or residence permit (GB 11643): 6-digit address code, 8-digit birth date, 3-digit sequence
///   whose last digit is odd for men and even for women, and a check character (ISO 7064
///   MOD 11-2). Address codes 810000/820000/830000 are the Hong Kong, Macau and Taiwan
///   residence permits. A lower-case `x` check character is accepted and stored as `X`:
///   clerks type it either way and the card holds upper case.
/// - **non-resident** (`.nonResident`): 3 upper-case letters of the country or region, the
///   digit `0`, then the document number: `HKG012345678` for the Hong Kong pass `H12345678`,
///   `MAC012345678` for the Macau pass `M12345678` (the examples Guangdong service banks give
///   their counters under "非居民社会保障号码生成规则"; 《规程》第三十五条（三） refers to
///   粤人社发〔2014〕234号 for these passes).
///
/// A parsed number is valid; the raw text a system sent is kept only in problems.
public struct SocialSecurityNumber: Hashable, Sendable, CustomStringConvertible {
    public enum Form: Hashable, Sendable {
        case citizen
        case nonResident
    }

    /// The number as it goes on the card (`X` upper case).
    public let value: String
    public let form: Form

    /// The 18 bytes of the card element bound every number.
    public static let maximumLength = 18
    /// GB 11643 weights of the first 17 digits.
    static let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    /// Sum mod 11 → check character.
    static let checkCharacters = Array("10X98765432")
    /// Province-level codes of GB/T 2260 (the first two digits of an address code), plus
    /// 81/82/83 for the residence permits of Hong Kong, Macau and Taiwan residents.
    static let provinceCodes: Set<String> = [
        "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
        "71", "81", "82", "83",
    ]

    /// Parses and checks `text` (surrounding white space is an error: the number is an
    /// identifier, not prose). Throws the first thing wrong.
    public init(_ text: String) throws(Problem) {
        guard !text.isEmpty else { throw .empty }
        let characters = Array(text.unicodeScalars)
        if characters.count >= 3, characters.prefix(3).allSatisfy({ $0.properties.isAlphabetic && $0.isASCII }) {
            value = try Self.checkNonResident(text, characters)
            form = .nonResident
        } else {
            value = try Self.checkCitizen(text, characters)
            form = .citizen
        }
    }

    /// The non-resident number for a document: `region` (3 letters, ISO 3166-1 alpha-3 or the
    /// code the system shows for 国家地区) + `0` + the document number. A Hong Kong or Macau
    /// pass (`HKG` with `H…`, `MAC` with `M…`) drops its leading letter, as in the service
    /// banks' examples; other documents are used as written.
    public static func nonResident(region: String, documentNumber: String) throws(Problem) -> SocialSecurityNumber {
        var document = Substring(documentNumber)
        if (region == "HKG" && document.first == "H") || (region == "MAC" && document.first == "M") {
            document = document.dropFirst()
        }
        return try SocialSecurityNumber(region + "0" + document)
    }

    /// The check character GB 11643 gives the first 17 digits; nil unless `first17` is 17
    /// ASCII digits.
    public static func checkCharacter(for first17: some StringProtocol) -> Character? {
        let digits = first17.utf8.map { Int($0) - 0x30 }
        guard digits.count == 17, digits.allSatisfy({ (0...9).contains($0) }) else { return nil }
        let sum = zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 }
        return checkCharacters[sum % 11]
    }

    /// 出生日期 inside a citizen number (characters 7–14); nil for a non-resident number.
    public var birthDate: CalendarDate? {
        guard form == .citizen else { return nil }
        return CalendarDate(yyyymmdd: value.dropFirst(6).prefix(8))
    }

    /// The sex digit of a citizen number (character 17): odd for men, even for women; nil
    /// for a non-resident number.
    public var sexDigit: Int? {
        guard form == .citizen else { return nil }
        return Int(Array(value.utf8)[16] - 0x30)
    }

    /// 性别 per GB/T 2261.1 that the sex digit means: "1" male, "2" female; nil for a
    /// non-resident number.
    public var sex: String? { sexDigit.map { $0 % 2 == 1 ? "1" : "2" } }

    /// The 6-digit address code (行政区划代码) of a citizen number; nil for a non-resident one.
    public var addressCode: String? { form == .citizen ? String(value.prefix(6)) : nil }

    /// The 3 letters of country or region of a non-resident number; nil for a citizen one.
    public var region: String? { form == .nonResident ? String(value.prefix(3)) : nil }

    public var description: String { value }

    private static func checkCitizen(_ text: String, _ characters: [Unicode.Scalar]) throws(Problem) -> String {
        guard characters.count == 18 else { throw .wrongLength(text, characters.count) }
        for (index, scalar) in characters.enumerated() {
            let isDigit = ("0"..."9").contains(scalar)
            let isCheckX = index == 17 && (scalar == "X" || scalar == "x")
            guard isDigit || isCheckX else { throw .illegalCharacter(text, position: index + 1, scalar) }
        }
        let normalised = text.uppercased()
        let address = String(normalised.prefix(6))
        let province = String(address.prefix(2))
        // A residence permit's code is exactly 810000/820000/830000 (no county below it).
        let isPermit = ["81", "82", "83"].contains(province)
        guard provinceCodes.contains(province), !isPermit || address.hasSuffix("0000") else {
            throw .badAddressCode(text, address)
        }
        let dateText = String(normalised.dropFirst(6).prefix(8))
        guard CalendarDate(yyyymmdd: dateText) != nil else { throw .badBirthDate(text, dateText) }
        let expected = checkCharacter(for: normalised.prefix(17))!
        let found = normalised.last!
        guard expected == found else { throw .badCheckCharacter(text, expected: expected, found: found) }
        return normalised
    }

    private static func checkNonResident(_ text: String, _ characters: [Unicode.Scalar]) throws(Problem) -> String {
        let region = String(String.UnicodeScalarView(characters.prefix(3)))
        guard region == region.uppercased() else { throw .lowerCaseRegion(text, region) }
        guard characters.count <= maximumLength else { throw .wrongLength(text, characters.count) }
        guard characters.count >= 5, characters[3] == "0" else { throw .noZeroAfterRegion(text) }
        for (index, scalar) in characters.enumerated().dropFirst(4) {
            guard ("0"..."9").contains(scalar) || ("A"..."Z").contains(scalar) else {
                throw .illegalCharacter(text, position: index + 1, scalar)
            }
        }
        return text
    }
}

extension SocialSecurityNumber {
    /// Why a text is not a 社会保障号码; each names the text and, where it helps, the place.
    public enum Problem: Error, Hashable, Sendable, CustomStringConvertible {
        case empty
        /// A citizen number has 18 characters; a non-resident one at most 18.
        case wrongLength(String, Int)
        /// Not a digit (or `X` as the last character) in a citizen number; not an upper-case
        /// letter or digit in a non-resident document number. Position counts from 1.
        case illegalCharacter(String, position: Int, Unicode.Scalar)
        /// The first 6 digits are not an address code (a GB/T 2260 province, or exactly
        /// 810000/820000/830000 for the residence permits).
        case badAddressCode(String, String)
        /// Characters 7–14 are not a real day.
        case badBirthDate(String, String)
        /// The 18th character is not the GB 11643 check character of the first 17.
        case badCheckCharacter(String, expected: Character, found: Character)
        /// The 3 letters of a non-resident number must be upper case.
        case lowerCaseRegion(String, String)
        /// A non-resident number is the 3 letters, `0`, then the document number.
        case noZeroAfterRegion(String)

        public var chinese: String {
            switch self {
            case .empty: "社会保障号码为空"
            case .wrongLength(let t, let n): "社会保障号码“\(t)”为\(n)位，公民身份号码应为18位，非居民号码不超过18位"
            case .illegalCharacter(let t, let p, let s): "社会保障号码“\(t)”第\(p)位“\(Self.shown(s))”不是允许的字符"
            case .badAddressCode(let t, let a): "社会保障号码“\(t)”的地址码\(a)无效"
            case .badBirthDate(let t, let d): "社会保障号码“\(t)”中的出生日期\(d)不是有效日期"
            case .badCheckCharacter(let t, let e, let f): "社会保障号码“\(t)”校验码错误：应为\(e)，实为\(f)"
            case .lowerCaseRegion(let t, let r): "社会保障号码“\(t)”的国家或地区代码\(r)须为大写字母"
            case .noZeroAfterRegion(let t): "社会保障号码“\(t)”应为3位国家或地区代码加数字0再加证件号码"
            }
        }

        public var english: String {
            switch self {
            case .empty: "the social security number is empty"
            case .wrongLength(let t, let n): "the social security number \"\(t)\" has \(n) characters; a citizen number has 18, a non-resident number at most 18"
            case .illegalCharacter(let t, let p, let s): "the social security number \"\(t)\" has \"\(Self.shown(s))\" at position \(p), which is not allowed there"
            case .badAddressCode(let t, let a): "the social security number \"\(t)\" has the invalid address code \(a)"
            case .badBirthDate(let t, let d): "the social security number \"\(t)\" holds the birth date \(d), which is not a real day"
            case .badCheckCharacter(let t, let e, let f): "the social security number \"\(t)\" has the wrong check character: \(f) instead of \(e)"
            case .lowerCaseRegion(let t, let r): "the social security number \"\(t)\": the country or region code \(r) must be upper case"
            case .noZeroAfterRegion(let t): "the social security number \"\(t)\" must be a 3-letter country or region code, the digit 0, then the document number"
            }
        }

        public var description: String { chinese + " / " + english }

        /// A printable character as itself, anything else as U+XXXX.
        static func shown(_ scalar: Unicode.Scalar) -> String {
            switch scalar.properties.generalCategory {
            case .control, .format, .spaceSeparator, .lineSeparator, .paragraphSeparator, .unassigned, .privateUse, .surrogate:
                "U+" + String(scalar.value, radix: 16, uppercase: true)
            default: String(scalar)
            }
        }
    }
}

extension SocialSecurityNumber: Codable {
    /// Decodes the plain string and parses it; a text that is not a 社会保障号码 is
    /// `dataCorrupted` with the problem.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        do throws(Problem) {
            self = try SocialSecurityNumber(text)
        } catch {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: error.description)
        }
    }

    /// Encodes `value`, the number as it goes on the card.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(value)
    }
}
