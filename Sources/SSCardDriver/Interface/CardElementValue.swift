/// The value of a card element as the national interface shows it (pWriteData in, read output
/// out) and as the card stores it: text left-aligned and 00-padded (GB18030 for names, ASCII
/// otherwise), BCD right-padded with F, binary shown as hex (《社会保障卡规范》).
///
/// Checks on values given to write, in this order: characters (−41), length (−42), then the
/// value's meaning (−41: a date that is not a real date, a sex other than 1/2/9), and −20 for a
/// 卡识别码 without a BCD region and the RID.
extension CardElement {
    /// The card bytes for `value`, exactly `length` bytes, after checking the value.
    public func cardBytes(forInterfaceValue value: String) throws(InterfaceError) -> [UInt8] {
        try validate(interfaceValue: value)
        switch encoding {
        case .binary:
            // Validated as 2 × length hex digits.
            return [UInt8](hex: value) ?? []
        case .bcd:
            return BCD.encode(value, byteCount: length) ?? []
        case .alphanumeric:
            let text = isName ? (GB18030.encode(value) ?? []) : Array(value.utf8)
            return text + [UInt8](repeating: 0, count: max(0, length - text.count))
        }
    }

    /// The interface value of the card bytes: names decoded from GB18030 and other text from
    /// ASCII without the 00 (or FF) padding, BCD as digits up to the F padding, binary as
    /// upper-case hex. Bytes that do not decode, or that would break the `|`/`$` syntax → −41.
    public func interfaceValue(ofCardBytes bytes: [UInt8]) throws(InterfaceError) -> String {
        switch encoding {
        case .binary:
            return bytes.hexString
        case .bcd:
            guard let digits = BCD.decode(bytes) else {
                throw cardDataError("不是BCD码：\(bytes.hexString)", "not BCD: \(bytes.hexString)")
            }
            return digits
        case .alphanumeric:
            var end = bytes.count
            while end > 0 && (bytes[end - 1] == 0x00 || bytes[end - 1] == 0xFF) { end -= 1 }
            let content = Array(bytes[..<end])
            if isName {
                guard let text = GB18030.decode(content) else {
                    throw cardDataError("不是有效的GB18030编码：\(content.hexString)", "not valid GB18030: \(content.hexString)")
                }
                for scalar in text.unicodeScalars where NameSplit.refusal(of: scalar) != nil {
                    throw cardDataError("含非法字符 U+\(String(scalar.value, radix: 16, uppercase: true))",
                                        "holds U+\(String(scalar.value, radix: 16, uppercase: true))")
                }
                return text
            }
            guard content.allSatisfy({ (0x20...0x7E).contains($0) && $0 != 0x7C && $0 != 0x24 }) else {
                throw cardDataError("含非ASCII可见字符：\(content.hexString)", "holds bytes other than printable ASCII: \(content.hexString)")
            }
            return String(decoding: content, as: UTF8.self)
        }
    }

    /// Checks `value` for this element without encoding it.
    public func validate(interfaceValue value: String) throws(InterfaceError) {
        let count = value.unicodeScalars.count
        switch self {
        case .cardIdentificationCode:
            try require(InterfaceFields.isHex(value), "应为十六进制", "must be hex digits", value)
            try requireLength(count == 32, "应为32位十六进制", "must be 32 hex digits", value)
            guard CardIdentificationCode(hex: value) != nil else {
                throw InterfaceError(.badCardIdentificationFormat,
                                     detail: "卡识别码 \(value) 的地区码或RID（D156000005）不对",
                                     englishDetail: "卡识别码 \(value) lacks a BCD region code or the RID D156000005")
            }
        case .cardType:
            try require(InterfaceFields.isAlphanumeric(value), "应为字母或数字", "must be an ASCII letter or digit", value)
            try requireLength(count == 1, "应为1位，如3", "must be 1 character such as 3", value)
        case .specificationVersion:
            try require(value.unicodeScalars.allSatisfy { ("0"..."9").contains($0) || $0 == "." }, "应为数字与“.”", "must be digits and a dot", value)
            try requireLength(count == 4, "应为4位，如3.00", "must be 4 characters such as 3.00", value)
            let s = Array(value.unicodeScalars)
            try require(s[1] == "." && s[0] != "." && s[2] != "." && s[3] != ".", "应为“n.nn”格式", "must read n.nn", value)
        case .issueDate, .expiryDate, .birthDate:
            try require(InterfaceFields.isDigits(value), "应为数字日期YYYYMMDD", "must be a YYYYMMDD date in digits", value)
            try requireLength(count == 8, "应为8位日期YYYYMMDD", "must be 8 digits YYYYMMDD", value)
            try require(Self.isCalendarDate(value), "不是有效日期", "is not a real date", value)
        case .cardNumber:
            try require(InterfaceFields.isAlphanumeric(value), "应为字母或数字", "must be ASCII letters or digits", value)
            try requireLength(count == 9, "应为9位", "must be 9 characters", value)
        case .socialSecurityNumber:
            try require(InterfaceFields.isAlphanumeric(value), "应为字母或数字", "must be ASCII letters or digits", value)
            try requireLength((1...length).contains(count), "应为1至\(length)位", "must be 1 to \(length) characters", value)
        case .name, .nameExtension:
            try NameSplit.validate(value, element: name)
            let size = GB18030.encode(value)?.count ?? 0
            let minimum = self == .name ? 1 : 0
            try requireLength((minimum...length).contains(size),
                              "GB18030编码占\(size)字节，应为\(minimum)至\(length)字节\(self == .name ? "（超长部分写入姓名扩展）" : "")",
                              "takes \(size) bytes in GB18030, must take \(minimum) to \(length)\(self == .name ? " (the rest goes into 姓名扩展)" : "")", value)
        case .sex:
            try require(InterfaceFields.isDigits(value), "应为数字", "must be a digit", value)
            try requireLength(count == 1, "应为1位", "must be 1 digit", value)
            try require(["1", "2", "9"].contains(value), "应为1（男）、2（女）或9（未说明）", "must be 1 (male), 2 (female) or 9 (unstated)", value)
        case .ethnicity:
            try require(InterfaceFields.isDigits(value), "应为数字", "must be digits", value)
            try requireLength(count == 2, "应为2位民族代码", "must be a 2-digit GB 3304 code", value)
        case .birthPlace:
            try require(InterfaceFields.isDigits(value), "应为数字", "must be digits", value)
            try requireLength(count == 6, "应为6位行政区划代码", "must be a 6-digit region code", value)
        default:
            // Elements outside the EF05/EF06 table of 《社会保障卡规范》, by their encoding alone.
            switch encoding {
            case .binary:
                try require(InterfaceFields.isHex(value), "应为十六进制", "must be hex digits", value)
                try requireLength(count == 2 * length, "应为\(2 * length)位十六进制", "must be \(2 * length) hex digits", value)
            case .bcd:
                try require(InterfaceFields.isDigits(value), "应为数字", "must be digits", value)
                try requireLength(count <= 2 * length, "最多\(2 * length)位", "must be at most \(2 * length) digits", value)
            case .alphanumeric:
                try require(InterfaceFields.isAlphanumeric(value), "应为字母或数字", "must be ASCII letters or digits", value)
                try requireLength(count <= length, "最多\(length)位", "must be at most \(length) characters", value)
            }
        }
    }

    /// Names are GB18030 text; every other alphanumeric element is ASCII.
    var isName: Bool { tag == CardElement.name.tag || tag == CardElement.nameExtension.tag }

    private func require(_ ok: Bool, _ chinese: String, _ english: String, _ value: String) throws(InterfaceError) {
        guard ok else {
            throw InterfaceError(.illegalCharacters,
                                 detail: "\(name)（\([tag].hexString)）\(InterfaceFields.quoted(value)) \(chinese)",
                                 englishDetail: "\(name) (\([tag].hexString)) \(InterfaceFields.quoted(value)) \(english)")
        }
    }

    private func requireLength(_ ok: Bool, _ chinese: String, _ english: String, _ value: String) throws(InterfaceError) {
        guard ok else {
            throw InterfaceError(.dataLength,
                                 detail: "\(name)（\([tag].hexString)）\(InterfaceFields.quoted(value)) \(chinese)",
                                 englishDetail: "\(name) (\([tag].hexString)) \(InterfaceFields.quoted(value)) \(english)")
        }
    }

    private func cardDataError(_ chinese: String, _ english: String) -> InterfaceError {
        InterfaceError(.illegalCharacters, detail: "卡内\(name)（\([tag].hexString)）\(chinese)",
                       englishDetail: "\(name) (\([tag].hexString)) on the card is \(english)")
    }

    /// YYYYMMDD naming a day of the Gregorian calendar, year 0001–9999.
    static func isCalendarDate(_ digits: String) -> Bool {
        guard digits.utf8.count == 8, InterfaceFields.isDigits(digits),
              let year = Int(digits.prefix(4)), let month = Int(digits.dropFirst(4).prefix(2)),
              let day = Int(digits.suffix(2)) else { return false }
        guard year >= 1, (1...12).contains(month), day >= 1 else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        return day <= days
    }
}
