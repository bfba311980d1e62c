import SSCardDriver

/// One of the values no two cards of a return file share (`YZKCGFile.uniqueFields`: 社保卡号,
/// 卡识别码, 银行卡号) packed into 16 bytes, so the in-file duplicate check hashes and compares
/// two integers instead of a String (a 100,000-card file spent a tenth of its parse there).
/// Two keys of one column are equal exactly when the texts are:
/// - 社保卡号: 9 ASCII characters, 7 bits each (63 bits);
/// - 卡识别码: its 16 bytes (the text is their upper-case hex);
/// - 银行卡号: 13–19 ASCII digits as a number below 10^19, with the digit count beside it (so
///   leading zeros count). Texts outside these forms (which `YZKCGRecord` never holds) fall back
///   to the text's own hash, compared by text.
struct YZKCGUniqueKey: Hashable, Sendable {
    private var high: UInt64
    private var low: UInt64
    /// Set only for a text outside the packed forms.
    private var text: String?

    /// The key of `record`'s value in column `column` of `YZKCGFile.uniqueFields`.
    init(_ record: borrowing YZKCGRecord, column: Int) {
        switch column {
        case 0: self = Self(ascii: record.cardNumber.value)
        case 1:
            let bytes = record.cardIdentificationCode.bytes
            self = Self(high: bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }, low: bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) })
        default: self = Self(digits: record.bankCardNumber)
        }
    }

    /// Up to 9 ASCII characters, 7 bits each, and the count.
    init(ascii value: String) {
        var packed: UInt64 = 0, count: UInt64 = 0
        for byte in value.utf8 {
            guard byte < 0x80, count < 9 else { self = Self(fallback: value); return }
            packed = packed << 7 | UInt64(byte)
            count += 1
        }
        self = Self(high: count, low: packed)
    }

    /// Up to 19 ASCII digits as their number, and the count.
    init(digits value: String) {
        var packed: UInt64 = 0, count: UInt64 = 0
        for byte in value.utf8 {
            guard (0x30...0x39).contains(byte), count < 19 else { self = Self(fallback: value); return }
            packed = packed * 10 + UInt64(byte - 0x30)
            count += 1
        }
        self = Self(high: count, low: packed)
    }

    private init(high: UInt64, low: UInt64) {
        self.high = high; self.low = low; text = nil
    }

    private init(fallback value: String) {
        high = .max; low = .max; text = value
    }
}

/// A valid row's line and its three unique keys, taken when the row is read, so that the
/// duplicate check needs no copy of the record (each copy retains its Strings).
struct YZKCGRowKeys: Sendable {
    var line: Int
    var keys: (YZKCGUniqueKey, YZKCGUniqueKey, YZKCGUniqueKey)

    init(_ record: borrowing YZKCGRecord) {
        line = record.line
        keys = (YZKCGUniqueKey(record, column: 0), YZKCGUniqueKey(record, column: 1), YZKCGUniqueKey(record, column: 2))
    }

    func key(_ column: Int) -> YZKCGUniqueKey {
        switch column {
        case 0: keys.0
        case 1: keys.1
        default: keys.2
        }
    }
}

/// Duplicates among the valid rows of a return file, fed in file order (in one piece or batch by
/// batch). The first line of each 社保卡号, 卡识别码 and 银行卡号 names it in a later duplicate's
/// problem.
struct YZKCGDuplicateCheck {
    private var firstLine: [[YZKCGUniqueKey: Int]]
    private(set) var problems = YZKCGProblemList()

    init(rows: Int) {
        firstLine = [[YZKCGUniqueKey: Int]](repeating: Dictionary(minimumCapacity: rows), count: 3)
    }

    /// Checks the next rows of the file.
    mutating func check(_ rows: [YZKCGRowKeys]) {
        for row in rows {
            for column in 0..<3 {
                if let earlier = firstLine[column].updateValue(row.line, forKey: row.key(column)) {
                    firstLine[column][row.key(column)] = earlier
                    problems.append(YZKCGProblem(
                        kind: .duplicateInFile, line: row.line, field: YZKCGFile.uniqueFields[column],
                        chinese: "与第\(earlier)行重复", english: "repeats line \(earlier)"))
                }
            }
        }
    }
}
