import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A moment as the books store it: ISO 8601 in UTC with milliseconds, `2024-05-01T02:03:04.123Z`.
/// Fixed width, so text order is time order and day ranges are string ranges in SQL. The ledger
/// hashes this text, never a re-formatted date, so an entry's hash does not depend on locale,
/// time zone or Foundation version.
public struct StationTimestamp: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let text: String

    public init(_ date: Date) {
        let millisecondsSinceEpoch = (date.timeIntervalSince1970 * 1000).rounded(.down)
        let seconds = time_t(Int64((millisecondsSinceEpoch / 1000).rounded(.down)))
        let milliseconds = Int(millisecondsSinceEpoch - Double(seconds) * 1000)
        var t = seconds
        var parts = tm()
        gmtime_r(&t, &parts)
        // Digits by hand: String(format:) was a tenth of a journal entry's CPU time.
        var out: [UInt8] = []
        out.reserveCapacity(24)
        func digits(_ value: Int, _ width: Int, then separator: UInt8) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var rest = value
            for _ in 0..<width {
                out.append(0x30 + UInt8(rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
            out.append(separator)
        }
        digits(Int(parts.tm_year) + 1900, 4, then: 0x2D)
        digits(Int(parts.tm_mon) + 1, 2, then: 0x2D)
        digits(Int(parts.tm_mday), 2, then: 0x54)
        digits(Int(parts.tm_hour), 2, then: 0x3A)
        digits(Int(parts.tm_min), 2, then: 0x3A)
        digits(Int(parts.tm_sec), 2, then: 0x2E)
        digits(milliseconds, 3, then: 0x5A)
        text = String(decoding: out, as: UTF8.self)
    }

    /// Accepts only the exact stored form.
    public init?(text: String) {
        guard Self.parse(text) != nil else { return nil }
        self.text = text
    }

    /// Keeps text that is not a valid timestamp (a tampered row) so it can be hashed as stored.
    public init(uncheckedText: String) { text = uncheckedText }

    /// The moment; `.distantPast` for text that is not a timestamp (only a tampered row has that).
    public var date: Date { Self.parse(text) ?? .distantPast }
    public var description: String { text }
    public static func < (a: Self, b: Self) -> Bool { a.text < b.text }

    /// The first instant of `day` (`YYYY-MM-DD` in `timeZone`) and of the day after, as stored
    /// text: a half-open range for `WHERE recorded_at >= ? AND recorded_at < ?`.
    public static func range(ofDay day: String, in timeZone: TimeZone) -> (start: String, end: String)? {
        let digits = day.split(separator: "-")
        guard digits.count == 3, let y = Int(digits[0]), let m = Int(digits[1]), let d = Int(digits[2]),
              digits[0].count == 4, digits[1].count == 2, digits[2].count == 2 else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(year: y, month: m, day: d)
        guard components.isValidDate(in: calendar), let start = calendar.date(from: components),
              let end = calendar.date(byAdding: .day, value: 1, to: start) else { return nil }
        return (StationTimestamp(start).text, StationTimestamp(end).text)
    }

    private static func parse(_ text: String) -> Date? {
        let u = Array(text.utf8)
        guard u.count == 24, u[4] == 0x2D, u[7] == 0x2D, u[10] == 0x54, u[13] == 0x3A, u[16] == 0x3A,
              u[19] == 0x2E, u[23] == 0x5A else { return nil }
        func number(_ r: Range<Int>) -> Int? {
            var v = 0
            for c in u[r] {
                guard (0x30...0x39).contains(c) else { return nil }
                v = v * 10 + Int(c - 0x30)
            }
            return v
        }
        guard let y = number(0..<4), let mo = number(5..<7), let d = number(8..<10), let h = number(11..<13),
              let mi = number(14..<16), let s = number(17..<19), let ms = number(20..<23),
              (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61 else { return nil }
        var parts = tm()
        parts.tm_year = Int32(y - 1900); parts.tm_mon = Int32(mo - 1); parts.tm_mday = Int32(d)
        parts.tm_hour = Int32(h); parts.tm_min = Int32(mi); parts.tm_sec = Int32(s)
        let seconds = timegm(&parts)
        return Date(timeIntervalSince1970: Double(seconds) + Double(ms) / 1000)
    }
}
