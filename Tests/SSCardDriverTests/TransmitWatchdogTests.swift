import Foundation
import Glibc
import XCTest
@testable import SSCardDriver

/// The transmit deadline without a thread hop: a call registered with `TransmitWatchdog` and
/// still blocked on its socket past the deadline gets the socket shut down, which ends the
/// call; a call that ends in time is never touched.
final class TransmitWatchdogTests: XCTestCase {
    private func socketPair() throws -> (Int32, Int32) {
        var fds: [Int32] = [0, 0]
        XCTAssertEqual(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds), 0)
        return (fds[0], fds[1])
    }

    func testACallBlockedPastItsDeadlineIsUnblockedAndReported() throws {
        let (mine, peer) = try socketPair()
        defer { close(mine); close(peer) }
        let start = ContinuousClock.now
        let token = TransmitWatchdog.shared.begin(socket: mine, timeout: .milliseconds(200))
        var byte: UInt8 = 0
        // Nobody writes to `peer`: only the watchdog's shutdown ends this read.
        let got = read(mine, &byte, 1)
        XCTAssertEqual(got, 0, "the read ended by the shutdown, not by data")
        XCTAssertTrue(TransmitWatchdog.shared.end(token), "the call is reported as past its deadline")
        let elapsed = ContinuousClock.now - start
        XCTAssertGreaterThanOrEqual(elapsed, .milliseconds(200))
        XCTAssertLessThan(elapsed, .seconds(3))
    }

    func testACallThatEndsInTimeIsLeftAlone() throws {
        let (mine, peer) = try socketPair()
        defer { close(mine); close(peer) }
        let token = TransmitWatchdog.shared.begin(socket: mine, timeout: .milliseconds(100))
        XCTAssertFalse(TransmitWatchdog.shared.end(token))
        Thread.sleep(forTimeInterval: 0.3)
        // The socket still works both ways: the watchdog never shut it down.
        var byte: UInt8 = 0x5A
        XCTAssertEqual(write(peer, &byte, 1), 1)
        byte = 0
        XCTAssertEqual(read(mine, &byte, 1), 1)
        XCTAssertEqual(byte, 0x5A)
    }
}
