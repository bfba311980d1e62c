import XCTest
final class SSCardSimulatorTestsPlaceholder: XCTestCase { func testNothing() {} }
