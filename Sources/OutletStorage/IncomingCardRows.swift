import InstantIssue
import NIOCore

/// The parsed cards of a return file as rows of PostgreSQL's COPY text format, written straight
/// into one byte buffer: a row is its fields' UTF-8 bytes, tab-separated, ending in "\n". No
/// String is built per row or per field (a 100,000-card file took most of the client's COPY
/// time that way, docs/performance.md §7).
///
/// Two row shapes: the card as the safe holds it, for COPY into the outlet's partition
/// (`cardColumns`); and the file's row for the temporary table `incoming` that a refused import
/// is checked in (line, sequence, 社保卡号, 卡识别码, 卡复位码, 个人账户, 银行卡号, 银行账户, 装箱位置,
/// 制卡日期, 有效期至).
enum IncomingCardRows {
    /// Appends the COPY row of `record` to `buffer`, in one reservation of the buffer's space
    /// (each field copied in with its escapes; no per-field capacity check or String).
    static func append(_ record: YZKCGRecord, to buffer: inout ByteBuffer) {
        // The fields, two numbers of at most 20 digits, two tabs and "\n".
        let longest = longestFields(record) + 40 + 3
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: longest) { out in
            var row = RowWriter(out: out)
            row.decimal(record.line); row.tab()
            row.decimal(record.sequence); row.tab()
            row.fields(of: record)
            row.byte(0x0A)
            return row.written
        }
    }

    /// The columns of `pre_made_card` an import fills, in the order `append(_:as:to:)` writes them.
    static let cardColumns = ["outlet", "card_number", "card_identification_code", "reset_code", "personal_account",
                              "bank_card_number", "bank_account", "packing_position", "make_date", "expiry_date",
                              "bank", "import_id", "sequence", "state", "updated_at", "updated_by"]

    /// What every card of one import shares, as COPY text once: the outlet; the bank and the
    /// import; the state, time and clerk of its arrival in the safe.
    struct Constants {
        let head: [UInt8]
        let middle: [UInt8]
        let tail: [UInt8]

        init(outlet: String, bank: String, importID: Int64, at: String, clerk: String) {
            func text(_ value: String) -> [UInt8] {
                var buffer = ByteBuffer()
                buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: 2 * value.utf8.count) { out in
                    var row = RowWriter(out: out)
                    row.text(value)
                    return row.written
                }
                return Array(buffer.readableBytesView)
            }
            head = text(outlet) + [0x09]
            middle = [0x09] + text(bank) + [0x09] + Array(String(importID).utf8) + [0x09]
            tail = [0x09] + Array("inStock".utf8) + [0x09] + text(at) + [0x09] + text(clerk) + [0x0A]
        }
    }

    /// Appends the card of `record` as the safe holds it (`cardColumns`) to `buffer`.
    static func append(_ record: YZKCGRecord, as constants: Constants, to buffer: inout ByteBuffer) {
        let longest = longestFields(record) + 20 + constants.head.count + constants.middle.count + constants.tail.count
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: longest) { out in
            var row = RowWriter(out: out)
            row.bytes(constants.head)
            row.fields(of: record)
            row.bytes(constants.middle)
            row.decimal(record.sequence)
            row.bytes(constants.tail)
            return row.written
        }
    }

    /// The most bytes `RowWriter.fields(of:)` writes for `record`: every text byte escaped, the
    /// 卡识别码 in hex, the eight tabs between the nine.
    private static func longestFields(_ record: YZKCGRecord) -> Int {
        let texts = record.cardNumber.value.utf8.count + record.resetCode.utf8.count + record.personalAccount.utf8.count
            + record.bankCardNumber.utf8.count + record.bankAccount.utf8.count + record.packingPosition.utf8.count
            + record.makeDate.utf8.count + record.expiryDate.utf8.count
        return 2 * texts + 2 * record.cardIdentificationCode.bytes.count + 8
    }

    /// Writes one row into space already reserved for its longest form.
    private struct RowWriter {
        let out: UnsafeMutableRawBufferPointer
        var written = 0

        mutating func byte(_ b: UInt8) {
            out[written] = b
            written += 1
        }

        mutating func tab() { byte(0x09) }

        /// The card's nine fields from the file, 社保卡号 to 有效期至, tab-separated.
        mutating func fields(of record: YZKCGRecord) {
            text(record.cardNumber.value); tab()
            hex(record.cardIdentificationCode.bytes); tab()
            text(record.resetCode); tab()
            text(record.personalAccount); tab()
            text(record.bankCardNumber); tab()
            text(record.bankAccount); tab()
            text(record.packingPosition); tab()
            text(record.makeDate); tab()
            text(record.expiryDate)
        }

        mutating func bytes(_ bytes: [UInt8]) {
            bytes.withUnsafeBytes { UnsafeMutableRawBufferPointer(rebasing: out[written..<written + bytes.count]).copyMemory(from: $0) }
            written += bytes.count
        }

        /// A value in COPY's text format: backslash, tab, newline and carriage return escaped
        /// (the parser admits none of them but the backslash in these fields).
        mutating func text(_ value: String) {
            let copied: Void? = value.utf8.withContiguousStorageIfAvailable { bytes in
                for b in bytes { escaped(b) }
            }
            if copied == nil { for b in value.utf8 { escaped(b) } }
        }

        private mutating func escaped(_ b: UInt8) {
            switch b {
            case 0x5C: byte(0x5C); byte(0x5C)
            case 0x09: byte(0x5C); byte(0x74)
            case 0x0A: byte(0x5C); byte(0x6E)
            case 0x0D: byte(0x5C); byte(0x72)
            default: byte(b)
            }
        }

        /// Bytes as upper-case hex digits (the 卡识别码 as `CardIdentificationCode.hex` spells it).
        mutating func hex(_ bytes: [UInt8]) {
            func digit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x37 + nibble }
            for b in bytes { byte(digit(b >> 4)); byte(digit(b & 0x0F)) }
        }

        /// A non-negative integer's decimal digits (a line or sequence number).
        mutating func decimal(_ value: Int) {
            precondition(value >= 0, "line and sequence numbers are not negative")
            var n = value, digits = 1
            while n >= 10 { n /= 10; digits += 1 }
            n = value
            for i in stride(from: written + digits - 1, through: written, by: -1) {
                out[i] = UInt8(0x30 + n % 10)
                n /= 10
            }
            written += digits
        }
    }

    /// The order to send `records` in: by 社保卡号 (the primary key's order, bytewise as the
    /// books' C collation compares it), nil when the file already comes in that order. A btree
    /// takes keys in order far faster than scattered ones: 100,000 cards in a random order took
    /// 2.2× as long to INSERT as the same cards in order (docs/performance.md §7). The order
    /// changes no stored value: each row carries its own line and 序号.
    static func cardNumberOrder(_ records: [YZKCGRecord]) -> [Int]? {
        func precedes(_ a: YZKCGRecord, _ b: YZKCGRecord) -> Bool {
            a.cardNumber.value.utf8.lexicographicallyPrecedes(b.cardNumber.value.utf8)
        }
        guard records.indices.dropFirst().contains(where: { precedes(records[$0], records[$0 - 1]) }) else { return nil }
        return records.indices.sorted { precedes(records[$0], records[$1]) }
    }
}
