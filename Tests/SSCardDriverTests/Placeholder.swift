import XCTest
final class SSCardDriverTestsPlaceholder: XCTestCase { func testNothing() {} }
