import Foundation

/// A day of the Gregorian calendar with no time or zone: 出生日期 and the issue date are days,
/// and comparing `Date`s would make a birthday depend on the clock's time zone.
public struct CalendarDate: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Nil unless `year`-`month`-`day` is a real day (29 February only in leap years) in
    /// 1800–9999, the years 出生日期 can hold.
    public init?(year: Int, month: Int, day: Int) {
        guard (1800...9999).contains(year), (1...12).contains(month),
              (1...Self.days(inMonth: month, year: year)).contains(day) else { return nil }
        self.year = year; self.month = month; self.day = day
    }

    /// Parses `YYYYMMDD` (8 ASCII digits, the form of 出生日期 and of the date inside a
    /// citizen number); nil for anything else or a day that does not exist.
    public init?(yyyymmdd text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 8, bytes.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        func number(_ range: Range<Int>) -> Int { range.reduce(0) { $0 * 10 + Int(bytes[$1] - 0x30) } }
        self.init(year: number(0..<4), month: number(4..<6), day: number(6..<8))
    }

    /// The day `date` falls on in `timeZone` (China Standard Time, UTC+8, by default: the
    /// desk's day, whatever zone the machine is set to).
    public init(_ date: Date, timeZone: TimeZone = CalendarDate.chinaStandardTime) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        year = parts.year!; month = parts.month!; day = parts.day!
    }

    /// Today at the desk.
    public static func today() -> CalendarDate { CalendarDate(Date()) }

    /// UTC+8 (Asia/Shanghai has had no daylight saving since 1991).
    public static let chinaStandardTime = TimeZone(identifier: "Asia/Shanghai") ?? TimeZone(secondsFromGMT: 8 * 3600)!

    /// `YYYYMMDD`.
    public var yyyymmdd: String { String(format: "%04d%02d%02d", year, month, day) }

    /// `YYYY-MM-DD`, for messages.
    public var description: String { String(format: "%04d-%02d-%02d", year, month, day) }

    /// Full years (周岁) from this birth date to `day`: the age goes up on the birthday itself;
    /// someone born on 29 February goes up on 1 March in common years ([design], see
    /// docs/applications.md). Negative when `day` is before the birth date.
    public func age(on day: CalendarDate) -> Int {
        var years = day.year - year
        // This year's birthday, with 29 February moved to 1 March in a common year.
        var birthday = (month: month, day: self.day)
        if month == 2, self.day == 29, !Self.isLeap(day.year) { birthday = (3, 1) }
        if (day.month, day.day) < birthday { years -= 1 }
        return years
    }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func days(inMonth month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}
