import ChildProcess
import Foundation
import XCTest

/// A child spoken to in lines: answers in order, a silent child killed at the deadline, a
/// child that dies or leaves mid-exchange reported as ended, never a hang or a SIGPIPE.
final class LineChildTests: XCTestCase {
    private func shell(_ script: String) throws -> LineChild {
        try LineChild(executable: URL(fileURLWithPath: "/bin/sh"), arguments: ["-c", script])
    }

    func testAnswersComeBackLineByLineInOrder() throws {
        let child = try shell("while read x; do echo \"got $x\"; done")
        for word in ["一", "two", "3 4"] {
            try child.send(word)
            XCTAssertEqual(try child.readLine(deadline: .seconds(10)), "got \(word)")
        }
        // Two lines arriving in one read are handed out one at a time.
        try child.send("a")
        try child.send("b")
        XCTAssertEqual(try child.readLine(deadline: .seconds(10)), "got a")
        XCTAssertEqual(try child.readLine(deadline: .seconds(10)), "got b")
        child.close()
        XCTAssertTrue(child.isFinished)
        XCTAssertEqual(child.process.terminationStatus, 0, "the child left by itself once its input closed")
    }

    func testASilentChildIsKilledAtTheDeadline() throws {
        let child = try shell("read x; exec sleep 30")
        try child.send("hello")
        let started = ContinuousClock.now
        XCTAssertThrowsError(try child.readLine(deadline: .milliseconds(300))) {
            XCTAssertEqual($0 as? LineChild.Failure, .timedOut)
        }
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(10), "not the child's 30 s")
        XCTAssertFalse(child.process.isRunning)
        XCTAssertEqual(child.process.terminationReason, .uncaughtSignal)
        XCTAssertEqual(child.process.terminationStatus, SIGKILL)
        XCTAssertThrowsError(try child.send("again")) { XCTAssertEqual($0 as? LineChild.Failure, .ended) }
    }

    func testAChildThatLeavesIsEndedWithItsStatus() throws {
        let child = try shell("read x; printf partial-line-without-newline; exit 3")
        try child.send("go")
        XCTAssertThrowsError(try child.readLine(deadline: .seconds(10))) { XCTAssertEqual($0 as? LineChild.Failure, .ended) }
        XCTAssertEqual(child.process.terminationReason, .exit)
        XCTAssertEqual(child.process.terminationStatus, 3)
        // Writing to it now fails instead of killing this process with SIGPIPE.
        XCTAssertThrowsError(try child.send("more")) { XCTAssertEqual($0 as? LineChild.Failure, .ended) }
    }

    func testAChildKilledMidExchangeIsEnded() throws {
        let child = try shell("echo ready; kill -SEGV $$")
        XCTAssertEqual(try child.readLine(deadline: .seconds(10)), "ready")
        XCTAssertThrowsError(try child.readLine(deadline: .seconds(10))) { XCTAssertEqual($0 as? LineChild.Failure, .ended) }
        XCTAssertEqual(child.process.terminationReason, .uncaughtSignal)
        XCTAssertEqual(child.process.terminationStatus, SIGSEGV)
    }

    func testAProgramThatCannotStartThrows() {
        XCTAssertThrowsError(try LineChild(executable: URL(fileURLWithPath: "/nonexistent/child"), arguments: []))
    }
}
