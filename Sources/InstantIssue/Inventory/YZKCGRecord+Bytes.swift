import SSCardDriver

/// The quick way through a return file's row: one pass over its UTF-8 bytes that accepts only
/// a row `YZKCGRecord.parse` would accept too, and gives the same record. Any doubt — a field
/// that is wrong, or merely unusual, such as a sequence number of more than 18 digits — returns
/// nil and the row goes through `parse`, which says what is wrong; so the problems a file gets
/// are `parse`'s alone. A 100,000-row file spends most of its parse time in Substrings,
/// Unicode scalar properties and temporary arrays otherwise (docs/performance.md).
extension YZKCGRecord {
    /// The record of row `bytes` (UTF-8, no line end) when it is valid; nil when `parse` must look.
    static func parseValid(_ bytes: UnsafeBufferPointer<UInt8>, lineNumber: Int, expectedSequence: Int) -> YZKCGRecord? {
        // The 12 fields, as byte ranges: where each ends (a comma or the end of the row).
        let columns = YZKCGField.columns.count
        return withUnsafeTemporaryAllocation(of: Int.self, capacity: columns) { fieldEnds in
            var found = 0
            for (i, byte) in bytes.enumerated() where byte == 0x2C {
                guard found < columns - 1 else { return nil }
                fieldEnds[found] = i
                found += 1
            }
            guard found == columns - 1 else { return nil }
            fieldEnds[found] = bytes.count
            return parseValid(bytes, fieldEnds: UnsafeBufferPointer(fieldEnds), lineNumber: lineNumber, expectedSequence: expectedSequence)
        }
    }

    /// `parseValid` of a row whose 12 fields end at `fieldEnds`.
    private static func parseValid(_ bytes: UnsafeBufferPointer<UInt8>, fieldEnds: UnsafeBufferPointer<Int>, lineNumber: Int,
                                   expectedSequence: Int) -> YZKCGRecord? {
        func field(_ n: Int) -> UnsafeBufferPointer<UInt8> {
            let start = n == 0 ? 0 : fieldEnds[n - 1] + 1
            return UnsafeBufferPointer(rebasing: bytes[start..<fieldEnds[n]])
        }
        let sequence = field(0), number = field(1), makeDate = field(4), expiryDate = field(5)
        let cicText = field(6), reset = field(7), personal = field(8), bankCard = field(9), bankAccount = field(10)
        let packing = field(11)

        // 序号: digits, the expected number.
        guard (1...18).contains(sequence.count), sequence.allSatisfy(isDigit),
              sequence.reduce(0, { $0 * 10 + Int($1 - 0x30) }) == expectedSequence else { return nil }
        // 社保卡号: 9 upper-case letters or digits.
        guard number.count == CardNumber.length, number.allSatisfy({ isDigit($0) || (0x41...0x5A).contains($0) }),
              let cardNumber = CardNumber(text(number)) else { return nil }
        // 身份证号, 姓名: empty on a pre-made card.
        guard field(2).isEmpty, field(3).isEmpty else { return nil }
        // 制卡日期, 有效期至: empty or a date; valid until after made.
        guard makeDate.isEmpty || isDate(makeDate), expiryDate.isEmpty || isDate(expiryDate),
              makeDate.isEmpty || expiryDate.isEmpty || makeDate.lexicographicallyPrecedes(expiryDate) else { return nil }
        // 卡识别码: 32 hex digits of a valid code.
        guard cicText.count == 32, cicText.allSatisfy(isHex) else { return nil }
        var cicBytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<16 { cicBytes[i] = nibble(cicText[2 * i]) << 4 | nibble(cicText[2 * i + 1]) }
        guard let cic = CardIdentificationCode(bytes: cicBytes) else { return nil }
        // 卡复位码: 1–33 hex bytes, kept upper case.
        guard !reset.isEmpty, reset.count % 2 == 0, reset.count <= 66, reset.allSatisfy(isHex) else { return nil }
        // 个人账户, 银行卡号, 银行账户: digits.
        guard (1...32).contains(personal.count), personal.allSatisfy(isDigit),
              (13...19).contains(bankCard.count), bankCard.allSatisfy(isDigit),
              bankAccount.isEmpty || ((1...32).contains(bankAccount.count) && bankAccount.allSatisfy(isDigit)) else { return nil }
        // 装箱位置: at most 64 characters, no control character (C0, DEL, C1 = C2 80…C2 9F in
        // UTF-8) and no quote.
        var scalars = 0, previous: UInt8 = 0
        for byte in packing {
            if byte < 0x20 || byte == 0x7F || byte == 0x22 || (previous == 0xC2 && (0x80...0x9F).contains(byte)) { return nil }
            if byte & 0xC0 != 0x80 { scalars += 1 }
            previous = byte
        }
        guard scalars <= 64 else { return nil }
        return YZKCGRecord(line: lineNumber, sequence: expectedSequence, cardNumber: cardNumber,
                           makeDate: text(makeDate), expiryDate: text(expiryDate), cardIdentificationCode: cic,
                           resetCode: reset.contains(where: { (0x61...0x66).contains($0) })
                               ? String(decoding: reset.map { (0x61...0x66).contains($0) ? $0 - 0x20 : $0 }, as: UTF8.self) : text(reset),
                           personalAccount: text(personal), bankCardNumber: text(bankCard), bankAccount: text(bankAccount),
                           packingPosition: text(packing))
    }

    private static func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        String(decoding: bytes, as: UTF8.self)
    }

    /// YYYYMMDD from 1900 on, a day the month has.
    private static func isDate(_ v: UnsafeBufferPointer<UInt8>) -> Bool {
        guard v.count == 8, v.allSatisfy(isDigit) else { return false }
        func number(_ from: Int, _ count: Int) -> Int { v[from..<(from + count)].reduce(0) { $0 * 10 + Int($1 - 0x30) } }
        let y = number(0, 4), m = number(4, 2), d = number(6, 2)
        guard y >= 1900, (1...12).contains(m) else { return false }
        let days = [31, (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return (1...days[m - 1]).contains(d)
    }

    private static func isDigit(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) }
    private static func isHex(_ b: UInt8) -> Bool { isDigit(b) || (0x41...0x46).contains(b) || (0x61...0x66).contains(b) }
    private static func nibble(_ b: UInt8) -> UInt8 { isDigit(b) ? b - 0x30 : (b | 0x20) - 0x61 + 10 }
}
