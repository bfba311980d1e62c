import Foundation
import SSCardDriver

/// 预制卡回盘数据: the card maker's return file for a batch of pre-made cards, which the station
/// imports as stock (《广东省社会保障卡经办规程》附件9 一（四）). Name
/// `YZKCG_银行_市卡管机构_批次_数量_卡商_开户行号_时间.txt`; line 1 the count, line 2 the header
/// `序号,社保卡号,身份证号,姓名,制卡日期,有效期至,卡识别码,卡复位码,个人账户,银行卡号,银行账户,装箱位置`,
/// one card a line from line 3. UTF-8 (with or without BOM) or GB18030.
///
/// Parsing checks everything that needs no database: the name, the counts, the header and every
/// field of every row, and duplicates inside the file. Any problem rejects the whole file; the
/// error lists the problems (line, field in Chinese and English, what is wrong).
public struct YZKCGFile: Sendable {
    public var name: YZKCGFileName
    /// Which text encoding the file was in.
    public var encoding: YZKCGEncoding
    /// SM3 of the file's bytes, recorded with the import.
    public var contentHash: String
    /// The cards, in file order.
    public var records: [YZKCGRecord]

    /// The header line 2 must equal, character for character.
    public static let header = "序号,社保卡号,身份证号,姓名,制卡日期,有效期至,卡识别码,卡复位码,个人账户,银行卡号,银行账户,装箱位置"

    /// Reads and parses the file at `url`; the file name is the URL's last component.
    public init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw YZKCGImportError(fileName: url.lastPathComponent, problems: [
                YZKCGProblem(kind: .unreadable, line: nil, field: nil,
                             chinese: "无法读取文件", english: "cannot read the file: \(error)"),
            ])
        }
        try self.init(fileName: url.lastPathComponent, contents: data)
    }

    /// Parses `contents` that arrived under `fileName`.
    public init(fileName: String, contents: Data) throws(YZKCGImportError) {
        let text = try YZKCGText(fileName: fileName, contents: contents)
        // The rows in `chunks` runs of lines, side by side on a large file (each run is read on
        // its own; nothing is shared but the text), then joined in file order; beside them, the
        // SM3 of the file's bytes.
        let chunks = text.rowCount >= Self.rowsPerParallelChunk ? 2 : 1
        var parts = [YZKCGRows](repeating: YZKCGRows(), count: chunks)
        var hashes = [String](repeating: "", count: 1)
        parts.withUnsafeMutableBufferPointer { slotsOfParts in hashes.withUnsafeMutableBufferPointer { hashSlot in
            // Each run writes its own slot.
            nonisolated(unsafe) let slots = slotsOfParts, hash = hashSlot
            DispatchQueue.concurrentPerform(iterations: chunks + 1) { chunk in
                guard chunk < chunks else {
                    hash[0] = text.contentHash
                    return
                }
                slots[chunk] = text.rows((text.rowCount * chunk / chunks)..<(text.rowCount * (chunk + 1) / chunks))
            }
        } }
        var rowProblems = YZKCGProblemList()
        var duplicates = YZKCGDuplicateCheck(rows: text.rowCount)
        for part in parts {
            rowProblems.append(contentsOf: part.problems)
            duplicates.check(part.keys)
        }
        // A row has field problems or duplicate problems, never both: merged by line, the list
        // reads as one pass over the file would have made it.
        var problems = text.fileProblems
        problems.append(merging: rowProblems, duplicates.problems)
        guard problems.total == 0, let parsedName = text.name else {
            throw YZKCGImportError(fileName: fileName, problems: problems.items, total: problems.total)
        }
        // The first run's array becomes the file's (not copied record by record).
        var records = parts[0].records
        parts[0].records = []
        for part in parts.dropFirst() { records += part.records }
        name = parsedName
        encoding = text.encoding
        self.records = records
        contentHash = hashes[0]
    }

    /// Rows from which a file is read in two runs at once (below it one run is quicker).
    static let rowsPerParallelChunk = 20_000

    /// The columns no two cards share, in the file or on the books.
    static let uniqueFields: [YZKCGField] = [.cardNumber, .cardIdentificationCode, .bankCardNumber]

    /// UTF-8 if the bytes are valid UTF-8 (a BOM is dropped), else GB18030, else nil.
    static func decode(_ data: Data) -> (String, YZKCGEncoding)? {
        var bytes = Array(data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if let text = String(validating: bytes, as: UTF8.self) { return (text, .utf8) }
        if let text = String(data: data, encoding: .gb18030) { return (text, .gb18030) }
        return nil
    }
}

extension String.Encoding {
    /// GB18030 through Foundation's ICU converter (kCFStringEncodingGB_18030_2000).
    static let gb18030 = String.Encoding(rawValue: 0x8000_0632)
}

/// The text encoding a return file was read in.
public enum YZKCGEncoding: String, Hashable, Sendable {
    case utf8 = "UTF-8"
    case gb18030 = "GB18030"
}

/// The fields of `YZKCG_银行_市卡管机构_批次_数量_卡商_开户行号_时间.txt`.
public struct YZKCGFileName: Hashable, Sendable {
    public var fileName: String
    /// 银行: the service bank. Hoppers hold one bank's cards, chosen by this name.
    public var bank: String
    /// 市卡管机构: the city card-management agency.
    public var cityAgency: String
    /// 批次: the batch.
    public var batch: String
    /// 数量: how many cards; must equal line 1.
    public var count: Int
    /// 卡商: the card maker.
    public var cardMaker: String
    /// 开户行号: the opening bank branch code.
    public var bankBranchCode: String
    /// 时间: as written (digits).
    public var time: String

    /// Throws a problem of kind `.fileName` naming the part that is wrong.
    public init(parsing fileName: String) throws(YZKCGProblem) {
        func bad(_ chinese: String, _ english: String) -> YZKCGProblem {
            YZKCGProblem(kind: .fileName, line: nil, field: nil,
                         chinese: "文件名\(chinese)，应为 YZKCG_银行_市卡管机构_批次_数量_卡商_开户行号_时间.txt",
                         english: "file name: \(english); expected YZKCG_bank_cityAgency_batch_count_cardMaker_branchCode_time.txt")
        }
        guard fileName.lowercased().hasSuffix(".txt") else { throw bad("不是.txt文件", "not a .txt file") }
        let parts = fileName.dropLast(4).split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 8, parts[0] == "YZKCG" else {
            throw bad("不是8段", "must be YZKCG and 7 fields separated by _")
        }
        let labels = ["", "银行 bank", "市卡管机构 city agency", "批次 batch", "数量 count", "卡商 card maker",
                      "开户行号 branch code", "时间 time"]
        for i in 1..<8 where parts[i].isEmpty || parts[i].contains(where: { $0.isWhitespace || $0.isNewline }) {
            throw bad("的\(labels[i])为空或含空白", "\(labels[i]) is empty or contains spaces")
        }
        guard parts[4].allSatisfy(\.isASCIIDigit), let count = Int(parts[4]) else {
            throw bad("的数量不是数字", "the count is not a number")
        }
        guard [8, 12, 14].contains(parts[7].count), parts[7].allSatisfy(\.isASCIIDigit) else {
            throw bad("的时间应为8、12或14位数字", "the time must be 8, 12 or 14 digits")
        }
        guard parts[6].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }) else {
            throw bad("的开户行号应为字母或数字", "the branch code must be letters and digits")
        }
        self.fileName = fileName
        bank = parts[1]; cityAgency = parts[2]; batch = parts[3]; self.count = count
        cardMaker = parts[5]; bankBranchCode = parts[6]; time = parts[7]
    }
}

/// One pre-made card of a return file.
public struct YZKCGRecord: Hashable, Sendable {
    /// The line in the file (rows start at 3).
    public var line: Int
    /// 序号: 1, 2, 3…
    public var sequence: Int
    /// 社保卡号: 9 upper-case letters or digits.
    public var cardNumber: CardNumber
    /// 制卡日期 YYYYMMDD, or empty.
    public var makeDate: String
    /// 有效期至 YYYYMMDD, or empty (pre-made cards have none yet).
    public var expiryDate: String
    /// 卡识别码.
    public var cardIdentificationCode: CardIdentificationCode
    /// 卡复位码 (ATR historical bytes), upper-case hex.
    public var resetCode: String
    /// 个人账户.
    public var personalAccount: String
    /// 银行卡号.
    public var bankCardNumber: String
    /// 银行账户, digits or empty.
    public var bankAccount: String
    /// 装箱位置: where the card sits in the maker's boxes.
    public var packingPosition: String

    static func parse(_ line: Substring, lineNumber: Int, expectedSequence: Int,
                      problems: inout YZKCGProblemList) -> YZKCGRecord? {
        let fields = line.utf8.split(separator: 0x2C, omittingEmptySubsequences: false).map(Substring.init)
        guard fields.count == YZKCGField.columns.count else {
            problems.append(YZKCGProblem(kind: .field, line: lineNumber, field: nil,
                                         chinese: "应有\(YZKCGField.columns.count)个字段，实有\(fields.count)个",
                                         english: "expected \(YZKCGField.columns.count) fields, found \(fields.count)"))
            return nil
        }
        let before = problems.total
        func fail(_ field: YZKCGField, _ chinese: String, _ english: String) {
            problems.append(YZKCGProblem(kind: .field, line: lineNumber, field: field, chinese: chinese, english: english))
        }
        func value(_ field: YZKCGField) -> Substring { fields[field.index] }

        let sequenceText = value(.sequence)
        if !sequenceText.utf8.allSatisfy(isDigit) || Int(sequenceText) != expectedSequence {
            fail(.sequence, "应为\(expectedSequence)，实为“\(sequenceText)”", "must be \(expectedSequence), found \"\(sequenceText)\"")
        }
        let cardNumberText = value(.cardNumber)
        // A 社保卡号 (`CardNumber`), and upper case in a return file.
        let cardNumber = cardNumberText.utf8.allSatisfy({ isDigit($0) || (0x41...0x5A).contains($0) }) ? CardNumber(cardNumberText) : nil
        if cardNumber == nil {
            fail(.cardNumber, "应为9位大写字母或数字，实为“\(cardNumberText)”",
                 "must be 9 upper-case letters or digits, found \"\(cardNumberText)\"")
        }
        for field in [YZKCGField.idNumber, .name] where !value(field).isEmpty {
            fail(field, "预制卡不应有个人信息，应为空", "must be empty on a pre-made card (no personal data)")
        }
        for field in [YZKCGField.makeDate, .expiryDate] {
            let v = value(field)
            if !v.isEmpty && !isDate(v) {
                fail(field, "应为空或YYYYMMDD日期，实为“\(v)”", "must be empty or a YYYYMMDD date, found \"\(v)\"")
            }
        }
        if isDate(value(.makeDate)), isDate(value(.expiryDate)), value(.expiryDate) <= value(.makeDate) {
            fail(.expiryDate, "有效期至应晚于制卡日期", "must be after the make date")
        }
        let cicText = value(.cardIdentificationCode)
        var cic: CardIdentificationCode?
        if cicText.utf8.count != 32 || !cicText.utf8.allSatisfy(isHex) {
            fail(.cardIdentificationCode, "应为32位十六进制，实为“\(cicText)”", "must be 32 hex digits, found \"\(cicText)\"")
        } else if let parsed = CardIdentificationCode(hex: String(cicText)) {
            cic = parsed
        } else {
            fail(.cardIdentificationCode, "应为BCD地区码+D156000005+8字节，实为“\(cicText)”",
                 "must be a BCD region, the RID D156000005 and 8 bytes, found \"\(cicText)\"")
        }
        let reset = value(.resetCode)
        if reset.isEmpty || reset.utf8.count % 2 != 0 || reset.utf8.count > 66 || !reset.utf8.allSatisfy(isHex) {
            fail(.resetCode, "应为十六进制字节（最多33字节），实为“\(reset)”",
                 "must be hex bytes (at most 33), found \"\(reset)\"")
        }
        checkDigits(.personalAccount, value(.personalAccount), lengths: 1...32, fail)
        checkDigits(.bankCardNumber, value(.bankCardNumber), lengths: 13...19, fail)
        if !value(.bankAccount).isEmpty { checkDigits(.bankAccount, value(.bankAccount), lengths: 1...32, fail) }
        let packing = value(.packingPosition)
        if packing.unicodeScalars.count > 64
            || packing.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "\"" }) {
            fail(.packingPosition, "应为不超过64字的文字，不含控制字符或引号",
                 "must be text of at most 64 characters without control characters or quotes")
        }
        guard problems.total == before, let cic, let cardNumber else { return nil }
        return YZKCGRecord(line: lineNumber, sequence: expectedSequence, cardNumber: cardNumber,
                           makeDate: String(value(.makeDate)), expiryDate: String(value(.expiryDate)),
                           cardIdentificationCode: cic, resetCode: reset.uppercased(),
                           personalAccount: String(value(.personalAccount)),
                           bankCardNumber: String(value(.bankCardNumber)), bankAccount: String(value(.bankAccount)),
                           packingPosition: String(packing))
    }

    /// Account numbers are not echoed in messages, only their length.
    private static func checkDigits(_ field: YZKCGField, _ v: Substring, lengths: ClosedRange<Int>,
                                    _ fail: (YZKCGField, String, String) -> Void) {
        if !lengths.contains(v.utf8.count) || !v.utf8.allSatisfy(isDigit) {
            fail(field, "应为\(lengths.lowerBound)–\(lengths.upperBound)位数字（实有\(v.count)个字符）",
                 "must be \(lengths.lowerBound)–\(lengths.upperBound) digits (found \(v.count) characters)")
        }
    }

    private static func isDate(_ v: Substring) -> Bool {
        guard v.utf8.count == 8, v.utf8.allSatisfy(isDigit), let y = Int(v.prefix(4)),
              let m = Int(v.dropFirst(4).prefix(2)), let d = Int(v.suffix(2)), y >= 1900, (1...12).contains(m) else {
            return false
        }
        let days = [31, (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        return (1...days[m - 1]).contains(d)
    }
}

/// A column of the return file, with its header name (Chinese) and an English name.
public enum YZKCGField: String, CaseIterable, Hashable, Sendable, CustomStringConvertible {
    case sequence = "序号"
    case cardNumber = "社保卡号"
    case idNumber = "身份证号"
    case name = "姓名"
    case makeDate = "制卡日期"
    case expiryDate = "有效期至"
    case cardIdentificationCode = "卡识别码"
    case resetCode = "卡复位码"
    case personalAccount = "个人账户"
    case bankCardNumber = "银行卡号"
    case bankAccount = "银行账户"
    case packingPosition = "装箱位置"

    /// The columns in file order (`allCases` makes a new array at every use).
    static let columns = allCases

    /// The column's position in a row.
    var index: Int { Self.columns.firstIndex(of: self)! }

    public var english: String {
        switch self {
        case .sequence: "sequence number"
        case .cardNumber: "card number"
        case .idNumber: "ID number"
        case .name: "name"
        case .makeDate: "make date"
        case .expiryDate: "valid until"
        case .cardIdentificationCode: "card identification code"
        case .resetCode: "card reset code"
        case .personalAccount: "personal account"
        case .bankCardNumber: "bank card number"
        case .bankAccount: "bank account"
        case .packingPosition: "packing position"
        }
    }

    /// `社保卡号 (card number)`.
    public var description: String { "\(rawValue) (\(english))" }
}

/// One thing wrong with a return file.
public struct YZKCGProblem: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: String, Hashable, Sendable {
        case unreadable, fileName, encoding, count, header, field, duplicateInFile, duplicateInStock, alreadyImported
    }
    public var kind: Kind
    /// 1-based line in the file; nil for the file as a whole.
    public var line: Int?
    public var field: YZKCGField?
    public var chinese: String
    public var english: String

    public init(kind: Kind, line: Int?, field: YZKCGField?, chinese: String, english: String) {
        self.kind = kind; self.line = line; self.field = field; self.chinese = chinese; self.english = english
    }

    /// `第15行 社保卡号：应为9位… — line 15, card number: must be 9…`
    public var description: String {
        let whereZH = (line.map { "第\($0)行" } ?? "") + (field.map { " \($0.rawValue)" } ?? "")
        let whereEN = [line.map { "line \($0)" }, field.map(\.english)].compactMap { $0 }.joined(separator: ", ")
        return (whereZH.isEmpty ? "" : whereZH + "：") + chinese + " — " + (whereEN.isEmpty ? "" : whereEN + ": ") + english
    }
}

/// The whole file was refused; nothing was imported.
public struct YZKCGImportError: Error, Hashable, Sendable, CustomStringConvertible {
    public var fileName: String
    /// The first problems found (at most `YZKCGProblemList.limit`).
    public var problems: [YZKCGProblem]
    /// How many problems there were in all.
    public var total: Int

    public init(fileName: String, problems: [YZKCGProblem], total: Int? = nil) {
        self.fileName = fileName; self.problems = problems; self.total = total ?? problems.count
    }

    public var description: String {
        var text = "回盘文件 \(fileName) 未导入（\(total)处错误），整个文件被拒绝。"
            + " Return file \(fileName) was not imported (\(total) problems); the whole file is refused."
        for p in problems { text += "\n  " + p.description }
        if total > problems.count { text += "\n  …另有\(total - problems.count)处 and \(total - problems.count) more" }
        return text
    }
}

/// Problems gathered while parsing, keeping the first `limit` and counting the rest.
struct YZKCGProblemList {
    static let limit = 100
    private(set) var items: [YZKCGProblem] = []
    private(set) var total = 0
    mutating func append(_ p: YZKCGProblem) {
        total += 1
        if items.count < Self.limit { items.append(p) }
    }

    /// Appends `other`'s problems after these.
    mutating func append(contentsOf other: YZKCGProblemList) {
        append(merging: other, YZKCGProblemList())
    }

    /// Appends the problems of two lists, each in line order and with no line in both, in line
    /// order. Each list kept its first `limit`, so the first `limit` of the two are among them.
    mutating func append(merging a: YZKCGProblemList, _ b: YZKCGProblemList) {
        var i = a.items.startIndex, j = b.items.startIndex
        while items.count < Self.limit, i < a.items.endIndex || j < b.items.endIndex {
            if j == b.items.endIndex || (i < a.items.endIndex && (a.items[i].line ?? 0) <= (b.items[j].line ?? 0)) {
                items.append(a.items[i]); i += 1
            } else {
                items.append(b.items[j]); j += 1
            }
        }
        total += a.total + b.total
    }
}

private extension Character {
    var isASCIIDigit: Bool { isASCII && isWholeNumber }
}

private func isDigit(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) }
private func isHex(_ b: UInt8) -> Bool { isDigit(b) || (0x41...0x46).contains(b) || (0x61...0x66).contains(b) }
