import Foundation
import SimulatedDesk
import XCTest

/// The throwaway server of tests and benchmarks: its shared_buffers come from
/// SSCARD_PG_SHARED_BUFFERS when that is a size, and stay 64MB otherwise (docs/performance.md §7).
final class ThrowawayPostgresTests: XCTestCase {
    func testSharedBuffersComeFromTheEnvironmentOnlyWhenItIsASize() throws {
        defer { unsetenv("SSCARD_PG_SHARED_BUFFERS") }
        for (asked, expected) in [("256MB", "256MB"), ("64MB'\nfsync = off", "64MB"), ("1TB", "64MB"), (nil, "64MB")] {
            if let asked { setenv("SSCARD_PG_SHARED_BUFFERS", asked, 1) } else { unsetenv("SSCARD_PG_SHARED_BUFFERS") }
            let server = try ThrowawayPostgres(durable: true)
            defer { server.stop() }
            XCTAssertEqual(try server.psql("SHOW shared_buffers"), expected, asked ?? "unset")
            XCTAssertEqual(try server.psql("SHOW fsync"), "on", "nothing else of the setting reaches the server")
        }
    }
}
