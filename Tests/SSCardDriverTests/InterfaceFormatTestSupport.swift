import SSCardDriver
import XCTest

/// Expects `body` to throw an `InterfaceError` with `code` whose message mentions `mentioning`.
func XCTAssertInterfaceError<T>(_ code: InterfaceCode, mentioning: String? = nil,
                                _ body: () throws -> T,
                                file: StaticString = #filePath, line: UInt = #line) {
    do {
        let value = try body()
        XCTFail("expected \(code), got \(value)", file: file, line: line)
    } catch let error as InterfaceError {
        XCTAssertEqual(error.code, code, "\(error)", file: file, line: line)
        if let mentioning {
            XCTAssertTrue(error.message.contains(mentioning), "“\(error.message)” does not mention “\(mentioning)”", file: file, line: line)
        }
    } catch {
        XCTFail("expected InterfaceError \(code), got \(error)", file: file, line: line)
    }
}
