import InstantIssue
import NIOCore

/// The parsed cards of a return file as rows of PostgreSQL's COPY text format, written straight
/// into one byte buffer: a row is its fields' UTF-8 bytes, tab-separated, ending in "\n". No
/// String is built per row or per field (a 100,000-card file took most of the client's COPY
/// time that way, docs/performance.md §7).
///
/// Columns, in the order of the import's `incoming` table: line, sequence, 社保卡号, 卡识别码,
/// 卡复位码, 个人账户, 银行卡号, 银行账户, 装箱位置, 制卡日期, 有效期至.
enum IncomingCardRows {
    /// Appends the COPY row of `record` to `buffer`.
    static func append(_ record: YZKCGRecord, to buffer: inout ByteBuffer) {
        appendDecimal(record.line, to: &buffer)
        buffer.writeInteger(UInt8(0x09))
        appendDecimal(record.sequence, to: &buffer)
        // Field by field, not through an array of the nine (an allocation and nine retains a row).
        func field(_ value: String) {
            buffer.writeInteger(UInt8(0x09))
            appendText(value, to: &buffer)
        }
        field(record.cardNumber.value)
        buffer.writeInteger(UInt8(0x09))
        appendHex(record.cardIdentificationCode.bytes, to: &buffer)
        field(record.resetCode)
        field(record.personalAccount); field(record.bankCardNumber); field(record.bankAccount)
        field(record.packingPosition); field(record.makeDate); field(record.expiryDate)
        buffer.writeInteger(UInt8(0x0A))
    }

    /// A value in COPY's text format: backslash, tab, newline and carriage return escaped (the
    /// parser admits none of them but the backslash in these fields; the scan is the cheap path).
    static func appendText(_ value: String, to buffer: inout ByteBuffer) {
        var value = value
        value.withUTF8 { bytes in
            guard bytes.contains(where: { $0 == 0x5C || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }) else {
                buffer.writeBytes(bytes)
                return
            }
            for byte in bytes {
                switch byte {
                case 0x5C: buffer.writeBytes([0x5C, 0x5C])
                case 0x09: buffer.writeBytes([0x5C, 0x74])
                case 0x0A: buffer.writeBytes([0x5C, 0x6E])
                case 0x0D: buffer.writeBytes([0x5C, 0x72])
                default: buffer.writeInteger(byte)
                }
            }
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

    /// Bytes as upper-case hex digits (the 卡识别码 as `CardIdentificationCode.hex` spells it),
    /// without the String `hex` would build per card.
    static func appendHex(_ bytes: [UInt8], to buffer: inout ByteBuffer) {
        func digit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? 0x30 + nibble : 0x37 + nibble }
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bytes.count * 2) { out in
            for (i, b) in bytes.enumerated() {
                out[2 * i] = digit(b >> 4)
                out[2 * i + 1] = digit(b & 0x0F)
            }
            return bytes.count * 2
        }
    }

    /// A non-negative integer's decimal digits (a line or sequence number).
    static func appendDecimal(_ value: Int, to buffer: inout ByteBuffer) {
        precondition(value >= 0, "line and sequence numbers are not negative")
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var n = value, count = 0
            repeat {
                digits[19 - count] = UInt8(0x30 + n % 10)
                n /= 10
                count += 1
            } while n > 0
            buffer.writeBytes(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(digits)[(20 - count)...]))
        }
    }
}
