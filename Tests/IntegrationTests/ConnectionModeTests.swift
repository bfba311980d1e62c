import XCTest
import SSCardDriver
import SSCardSimulator

/// Protocols, sharing and transactions through the real pcscd.
final class ConnectionModeTests: PCSCStackTestCase {
    func testT0StyleCardIsCompletedWithGetResponse() throws {
        let spec = PreMadeCardSpec.sample(sequence: 42, answersLikeT0: true)
        let t0Card = SimulatedSSCard(image: try PreMadeCardFactory().blankCard(spec))
        try insert(t0Card)
        let channel = session()
        // Raw: the card answers 61xx and pcscd passes it through unchanged.
        _ = try channel.transmit(SSSECommands.select(aid: SSSE.aid))
        _ = try channel.transmit(SSSECommands.select(fileID: SSSEFile.ef05.fileID))
        let shortLe = CommandAPDU(ins: 0xB2, p1: 0x07, p2: 0x00, expectedLength: 2)
        let raw = try channel.transmitRaw(shortLe.bytes)
        XCTAssertEqual(raw, [0x6C, 0x0B], "T=0-style answer \(raw.hexString)")
        XCTAssertEqual(try channel.transmit(shortLe).data.count, 11, "re-sent with Le = 0B")
        // Through CardChannel.transmit the driver completes it.
        XCTAssertEqual(try SocialSecurityCard(channel: channel).readIssuerData().cardNumber, "SIM000042")
    }

    func testExclusiveConnectionKeepsOthersOut() throws {
        try insert(TestCards.blank())
        let exclusive = try PCSCCardConnection(context: PCSCContext(), reader: Self.slot0, shareMode: .exclusive)
        XCTAssertThrowsError(try PCSCCardConnection(context: PCSCContext(), reader: Self.slot0)) {
            XCTAssertEqual($0 as? PCSCError, .sharingViolation)
        }
        try exclusive.disconnect()
        XCTAssertNoThrow(try PCSCCardConnection(context: PCSCContext(), reader: Self.slot0))
    }

    func testTransactionRunsBodyAndReleasesTheCard() throws {
        try insert(TestCards.blank(cardNumber: "T00000001"))
        let connection = try PCSCCardConnection(context: PCSCContext(), reader: Self.slot0)
        let number = try connection.withTransaction {
            try SocialSecurityCard(channel: connection).readIssuerData().cardNumber
        }
        XCTAssertEqual(number, "T00000001")
        // After the transaction another program can use the card.
        XCTAssertEqual(try SocialSecurityCard(channel: session()).readIssuerData().cardNumber, "T00000001")
        XCTAssertFalse(try connection.atr.isEmpty)
        XCTAssertTrue(connection.activeProtocol == .t0 || connection.activeProtocol == .t1)
    }

    func testVPCDReaderHasNoPINPad() throws {
        try insert(TestCards.blank())
        let s = session()
        try s.connect()
        XCTAssertNil(try s.readerFeatures().verifyPINDirect)
    }
}
