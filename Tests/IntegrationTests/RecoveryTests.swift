import XCTest
import SSCardDriver
import SSCardSimulator

/// What real desks do to a connection: pcscd restarts, cards pulled, cards reset by another
/// program, a card that stops answering.
final class RecoveryTests: PCSCStackTestCase {
    func testSurvivesPCSCDRestart() throws {
        try insert(TestCards.blank(cardNumber: "R00000001"))
        let channel = session()
        let card = SocialSecurityCard(channel: channel)
        XCTAssertEqual(try card.readIssuerData().cardNumber, "R00000001")

        try XCTUnwrap(Self.stack).restart()

        // The connector reconnects by itself; the session re-establishes its context.
        XCTAssertEqual(try card.readIssuerData().cardNumber, "R00000001")
        XCTAssertGreaterThanOrEqual(channel.recoveries, 1)
    }

    func testNonSelectCommandAfterRestartReportsLostState() throws {
        try insert(TestCards.blank())
        let channel = session()
        let card = SocialSecurityCard(channel: channel)
        _ = try card.readIssuerData()
        try XCTUnwrap(Self.stack).restart()
        XCTAssertThrowsError(try card.readElement(.cardNumber)) { error in
            guard case CardSessionError.cardStateLost(.serviceRestarted, _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertNoThrow(try card.readIssuerData())
    }

    func testCardResetByAnotherHandle() throws {
        try insert(TestCards.blank(cardNumber: "R00000002"))
        let channel = session()
        let card = SocialSecurityCard(channel: channel)
        _ = try card.readIssuerData()

        let other = try PCSCCardConnection(context: PCSCContext(), reader: Self.slot0)
        try other.reconnect(initialization: .reset)

        XCTAssertThrowsError(try card.readElement(.cardNumber)) { error in
            guard case CardSessionError.cardStateLost(.cardReset, _) = error else { return XCTFail("\(error)") }
        }
        XCTAssertEqual(try card.readIssuerData().cardNumber, "R00000002")
    }

    func testCardRemovedThenInserted() throws {
        let connector = try insert(TestCards.blank(cardNumber: "R00000003"))
        let card = SocialSecurityCard(channel: session())
        _ = try card.readIssuerData()

        connector.remove()
        _ = try PCSCContext().waitForCard(in: Self.slot0, present: false, timeout: .seconds(5))
        XCTAssertThrowsError(try card.readIssuerData()) { error in
            let pcsc = error as? PCSCError
            XCTAssertTrue(pcsc == .removedCard || pcsc == .noSmartcard, "\(error)")
        }

        connector.insert()
        _ = try PCSCContext().waitForCard(in: Self.slot0, timeout: .seconds(5))
        XCTAssertEqual(try card.readIssuerData().cardNumber, "R00000003")
    }

    func testMuteCardHitsTheDeadlineInsteadOfHanging() throws {
        let connector = try insert(TestCards.blank())
        let channel = session(callTimeout: .milliseconds(800))
        let card = SocialSecurityCard(channel: channel)
        _ = try card.readIssuerData()

        connector.isMute = true
        let start = ContinuousClock().now
        XCTAssertThrowsError(try card.selectSSSE()) { error in
            guard case CardConnectionError.deadlineExceeded = error else { return XCTFail("\(error)") }
        }
        XCTAssertLessThan(ContinuousClock().now - start, .seconds(3))

        // Unblock the stuck transmit by pulling the card, then a new connection works.
        connector.isMute = false
        connector.remove()
        connector.insert()
        _ = try PCSCContext().waitForCard(in: Self.slot0, timeout: .seconds(5))
        XCTAssertNoThrow(try card.readIssuerData())
    }

    func testWaitForCardIsCancellable() async throws {
        let ctx = try PCSCContext()
        let reader = VirtualReaderStack.readerNames[1]
        let task = Task.detached { () async throws -> ReaderStatus in
            try await ctx.waitForCard(in: reader, present: true, timeout: nil)
        }
        try await Task.sleep(for: .milliseconds(200))
        task.cancel()
        do {
            _ = try await task.value
            XCTFail("no card was inserted; the wait must end by cancellation")
        } catch {
            XCTAssertEqual(error as? PCSCError, .cancelled)
        }
    }

    func testWaitForCardTimesOut() throws {
        let ctx = try PCSCContext()
        XCTAssertThrowsError(try ctx.waitForCard(in: Self.slot1, timeout: .milliseconds(300))) {
            XCTAssertEqual($0 as? PCSCError, .timeout)
        }
    }

    func testUnknownReaderIsNamedInTheError() throws {
        let s = PCSCCardSession(configuration: .init(readerPattern: "No Such Reader"))
        XCTAssertThrowsError(try s.connect()) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("No Such Reader") && text.contains("Virtual PCD 00 00"), text)
        }
    }
}
