import Foundation
import SSCardDriver

/// A return file decoded and cut into lines, with the checks of the file as a whole done (name,
/// encoding, line 1's count, line 2's header): what its rows are read from, in one run, in two
/// at once (`YZKCGFile`), or batch by batch beside the import's transaction
/// (`PreMadeCardInventory.importReturnFile(fileName:contents:by:)`). Immutable once made, so
/// any thread may read rows from it.
final class YZKCGText: @unchecked Sendable {
    // @unchecked Sendable: every property is a constant; `body` is written only in init and freed
    // in deinit.
    let fileName: String
    /// The file's bytes as they arrived (their SM3 is recorded with the import).
    let contents: Data
    /// Nil when the name is not a return file's; the problem is in `fileProblems`.
    let name: YZKCGFileName?
    let encoding: YZKCGEncoding
    /// Problems of the whole file: its name, line 1, line 2, the count of rows.
    let fileProblems: YZKCGProblemList
    /// Rows after the count and the header lines.
    let rowCount: Int
    /// The text in UTF-8, without a BOM.
    private let body: UnsafeMutableBufferPointer<UInt8>
    /// Byte ranges of the lines in `body`, without their line ends.
    private let lines: [Range<Int>]

    /// Throws only when the bytes are neither UTF-8 nor GB18030 (with a bad name's problem too).
    init(fileName: String, contents: Data) throws(YZKCGImportError) {
        var problems = YZKCGProblemList()
        let parsedName: YZKCGFileName?
        do { parsedName = try YZKCGFileName(parsing: fileName) } catch let error {
            problems.append(error)
            parsedName = nil
        }
        guard let (text, encoding) = YZKCGFile.decode(contents) else {
            problems.append(YZKCGProblem(kind: .encoding, line: nil, field: nil,
                                         chinese: "文件既不是UTF-8也不是GB18030编码",
                                         english: "the file is neither UTF-8 nor GB18030 text"))
            throw YZKCGImportError(fileName: fileName, problems: problems.items, total: problems.total)
        }
        var utf8 = text
        let body = utf8.withUTF8 { all in
            let text = UnsafeBufferPointer(rebasing: all[(text.hasPrefix("\u{FEFF}") ? 3 : 0)...])
            let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, text.count))
            _ = copy.initialize(from: text)
            return UnsafeMutableBufferPointer(rebasing: copy[0..<text.count])
        }
        // Split on the UTF-8 bytes, not Characters: "\r\n" is one Character, and grapheme
        // breaking 15 MB of text is most of the parse time. A "\r" before "\n" is dropped.
        var lines = Self.lineRanges(UnsafeBufferPointer(body))
        // Blank lines at the very end are an artefact of editors, not rows.
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        let rowCount = max(0, lines.count - 2)
        func line(_ index: Int) -> Substring { Self.text(of: lines[index], in: body) }

        // Line 1: the count.
        let declared: Int?
        if let first = lines.indices.first.map(line), let n = Int(first.trimmingCharacters(in: .whitespaces)), n >= 0,
           first.trimmingCharacters(in: .whitespaces).allSatisfy(\.isASCII) {
            declared = n
        } else {
            declared = nil
            problems.append(YZKCGProblem(kind: .count, line: 1, field: nil,
                                         chinese: "第1行应为卡片数量", english: "line 1 must be the number of cards"))
        }
        // Line 2: the header.
        if lines.count < 2 || line(1) != YZKCGFile.header {
            problems.append(YZKCGProblem(kind: .header, line: 2, field: nil,
                                         chinese: "第2行标题不符，应为：\(YZKCGFile.header)",
                                         english: "line 2 must be the header exactly: \(YZKCGFile.header)"))
        }
        if let declared, declared != rowCount {
            problems.append(YZKCGProblem(kind: .count, line: 1, field: nil,
                                         chinese: "第1行数量为\(declared)，但有\(rowCount)行数据",
                                         english: "line 1 says \(declared) cards but the file has \(rowCount) rows"))
        }
        if let parsedName, let declared, parsedName.count != declared {
            problems.append(YZKCGProblem(kind: .count, line: 1, field: nil,
                                         chinese: "文件名中的数量\(parsedName.count)与第1行的\(declared)不符",
                                         english: "the file name says \(parsedName.count) cards, line 1 says \(declared)"))
        }
        self.fileName = fileName
        self.contents = contents
        self.encoding = encoding
        name = parsedName
        self.body = body
        self.lines = lines
        self.rowCount = rowCount
        fileProblems = problems
    }

    deinit { body.deallocate() }

    /// SM3 of the file's bytes, in hex.
    var contentHash: String { (try? SM3.hash(Array(contents)).hexString) ?? "" }

    /// Reads rows `range` (0 is line 3): the valid ones' records and unique keys, and the
    /// problems of the others, in file order. Duplicates are left to `YZKCGDuplicateCheck`.
    func rows(_ range: Range<Int>) -> YZKCGRows {
        var part = YZKCGRows()
        part.records.reserveCapacity(range.count)
        part.keys.reserveCapacity(range.count)
        let bytes = UnsafeBufferPointer(body)
        for index in range {
            let lineNumber = index + 3
            // A valid row the quick way; anything else through `parse`, which names the problems.
            let row = UnsafeBufferPointer(rebasing: bytes[lines[index + 2]])
            guard let record = YZKCGRecord.parseValid(row, lineNumber: lineNumber, expectedSequence: index + 1)
                    ?? YZKCGRecord.parse(Substring(String(decoding: row, as: UTF8.self)), lineNumber: lineNumber,
                                         expectedSequence: index + 1, problems: &part.problems) else { continue }
            part.keys.append(YZKCGRowKeys(record))
            part.records.append(record)
        }
        return part
    }

    /// The line at `range` of `body` as text.
    private static func text(of range: Range<Int>, in body: UnsafeMutableBufferPointer<UInt8>) -> Substring {
        Substring(String(decoding: UnsafeBufferPointer(rebasing: body[range]), as: UTF8.self))
    }

    /// The byte ranges of the lines of `text`, split at "\n", without a "\r" before it.
    private static func lineRanges(_ text: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var lines: [Range<Int>] = []
        var start = 0
        guard let base = text.baseAddress else { return [0..<0] }
        // memchr finds each line end many bytes at a time.
        while start < text.count, let found = memchr(base + start, 0x0A, text.count - start) {
            let i = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
            lines.append(start..<(i > start && text[i - 1] == 0x0D ? i - 1 : i))
            start = i + 1
        }
        lines.append(start..<(text.count > start && text[text.count - 1] == 0x0D ? text.count - 1 : text.count))
        return lines
    }
}

/// Rows of a return file read in one run: the valid rows' records and unique keys, and the
/// problems of the rest, in file order.
struct YZKCGRows: Sendable {
    var records: [YZKCGRecord] = []
    var keys: [YZKCGRowKeys] = []
    var problems = YZKCGProblemList()
}
