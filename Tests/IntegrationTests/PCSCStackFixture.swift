import Foundation
import XCTest
import SSCardDriver
import SSCardSimulator

/// One private pcscd (with vsmartcard's vpcd) for a test class, and cards served into it.
/// pcscd's socket path is fixed, so integration tests run one class at a time (XCTest's default).
class PCSCStackTestCase: XCTestCase {
    nonisolated(unsafe) static var stack: VirtualReaderStack?
    var connectors: [VPCDConnector] = []

    static let slot0 = VirtualReaderStack.readerNames[0]
    static let slot1 = VirtualReaderStack.readerNames[1]

    override class func setUp() {
        super.setUp()
        let s = VirtualReaderStack()
        do {
            try s.start()
            stack = s
        } catch {
            // Leave `stack` nil: every test then fails with this reason in setUpWithError.
            startError = "\(error)"
        }
    }

    nonisolated(unsafe) static var startError = ""

    override class func tearDown() {
        stack?.stop()
        stack = nil
        super.tearDown()
    }

    override func setUpWithError() throws {
        guard Self.stack != nil else {
            XCTFail("could not start pcscd with vpcd: \(Self.startError)")
            throw XCTSkip("no pcscd")
        }
    }

    override func tearDown() {
        for c in connectors { c.stop() }
        connectors.removeAll()
        // pcscd notices a removal at its next 400 ms poll; the next test must start with
        // empty readers, or it would connect to a card pcscd still believes is there.
        if let ctx = try? PCSCContext() {
            for reader in VirtualReaderStack.readerNames {
                _ = try? ctx.waitForCard(in: reader, present: false, timeout: .seconds(5))
            }
        }
        super.tearDown()
    }

    /// Serves `card` in vpcd slot `slot` and waits until pcscd sees it present.
    @discardableResult
    func insert(_ card: any VirtualCard, slot: Int = 0) throws -> VPCDConnector {
        let connector = VPCDConnector(card: card, configuration: .slot(slot))
        try connector.start()
        connectors.append(connector)
        let ctx = try PCSCContext()
        _ = try ctx.waitForCard(in: VirtualReaderStack.readerNames[slot], timeout: .seconds(5))
        return connector
    }

    func session(slot: Int = 0, callTimeout: Duration = .seconds(10)) -> PCSCCardSession {
        PCSCCardSession(configuration: .init(
            readerPattern: VirtualReaderStack.readerNames[slot], callTimeout: callTimeout, recoveryTimeout: .seconds(15)))
    }

    /// Internal then external (key 0A) authentication as the HSM of the simulation scheme would
    /// compute it: what opens EF06 for reading.
    func authenticateForReading(_ card: SocialSecurityCard, cardID: CardIdentificationCode) throws {
        let keys = HSMMasterKeys.simulatorTestKeys
        let factor = Array(cardID.bytes[8..<16])
        let raw: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        let answer = try card.internalAuthenticate(factor: factor, raw: raw)
        let expected = try CardKeyScheme.internalAuthResponse(
            cardKey: keys.cardKey(.internalAuthentication, cardID: cardID.bytes), factor: factor, raw: raw)
        XCTAssertEqual(answer, expected, "the card proved it holds its internal-authentication key")
        let challenge = try card.getChallenge()
        let data = try CardKeyScheme.externalAuthData(
            cardKey: keys.cardKey(.readKey, cardID: cardID.bytes), challenge: challenge, cardID: cardID.bytes)
        try card.externalAuthenticate(keyID: 0x0A, data: data)
    }
}
