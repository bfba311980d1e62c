import Foundation
import XCTest
@testable import InstantIssue

/// Days without clocks: parsing YYYYMMDD, full years of age (周岁), the desk's day in UTC+8.
final class CalendarDateTests: XCTestCase {
    func testParsesOnlyRealDays() {
        XCTAssertEqual(CalendarDate(yyyymmdd: "20240229"), CalendarDate(year: 2024, month: 2, day: 29))
        XCTAssertNil(CalendarDate(yyyymmdd: "20230229"))
        XCTAssertNil(CalendarDate(yyyymmdd: "20240431"))
        XCTAssertNil(CalendarDate(yyyymmdd: "2024-5-1"))
        XCTAssertNil(CalendarDate(yyyymmdd: "2024051"))
        XCTAssertNil(CalendarDate(yyyymmdd: "17991231"))
        XCTAssertEqual(CalendarDate(year: 2024, month: 5, day: 1)?.yyyymmdd, "20240501")
        XCTAssertEqual(CalendarDate(year: 2024, month: 5, day: 1)?.description, "2024-05-01")
    }

    func testAgeGoesUpOnTheBirthday() {
        let born = CalendarDate(year: 2017, month: 5, day: 2)!
        XCTAssertEqual(born.age(on: CalendarDate(year: 2024, month: 5, day: 1)!), 6)
        XCTAssertEqual(born.age(on: CalendarDate(year: 2024, month: 5, day: 2)!), 7)
        XCTAssertEqual(born.age(on: CalendarDate(year: 2017, month: 5, day: 1)!), -1)
        // Born 29 February: 7 on 1 March of a common year, on 29 February of a leap year.
        let leap = CalendarDate(year: 2016, month: 2, day: 29)!
        XCTAssertEqual(leap.age(on: CalendarDate(year: 2023, month: 2, day: 28)!), 6)
        XCTAssertEqual(leap.age(on: CalendarDate(year: 2023, month: 3, day: 1)!), 7)
        XCTAssertEqual(leap.age(on: CalendarDate(year: 2024, month: 2, day: 29)!), 8)
    }

    func testTheDeskDayIsChinaStandardTime() {
        // 2024-04-30 17:00 UTC is already 1 May in Beijing.
        let instant = Date(timeIntervalSince1970: 1_714_496_400)
        XCTAssertEqual(CalendarDate(instant), CalendarDate(year: 2024, month: 5, day: 1))
        XCTAssertEqual(CalendarDate(instant, timeZone: TimeZone(identifier: "UTC")!), CalendarDate(year: 2024, month: 4, day: 30))
    }
}
