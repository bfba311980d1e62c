import Foundation
import SSCardDriver
import SSCardSimulator
import XCTest

/// The connector against a fake vpcd on loopback: framing, control codes, split writes, one-write
/// replies, the Nagle/delayed-ACK trap, mute, insert/remove, reconnection and deadlines.
final class VPCDConnectorTests: XCTestCase {
    private var server: FakeVPCD!
    private var card: VPCDTestCard!
    private var connector: VPCDConnector!
    private var recorder: ConnectorRecorder!

    override func setUpWithError() throws {
        server = try FakeVPCD()
        card = VPCDTestCard()
        connector = VPCDConnector(card: card, configuration: .init(host: "127.0.0.1", port: server.port, reconnectDelay: 0.01...0.05))
        recorder = ConnectorRecorder(connector)
    }

    override func tearDown() {
        connector?.stop()
        server?.close()
    }

    /// Starts the connector and accepts its connection.
    private func insertCard() throws -> FakeVPCDConnection {
        try connector.start(timeout: .seconds(5))
        return try XCTUnwrap(server.accept(timeout: 5), "the connector did not connect")
    }

    // MARK: Framing and control codes

    func testInsertSequenceGetATRPowerOnAPDU() throws {
        let vpcd = try insertCard()
        XCTAssertEqual(connector.state, .inserted)

        vpcd.sendFrame([0x04])
        XCTAssertEqual(vpcd.recvOnce(timeout: 2), [0x00, 0x04, 0x3B, 0x02, 0x14, 0x50])

        vpcd.sendFrame([0x01])
        vpcd.sendFrame([0x04])
        // Power on gets no reply: the next bytes are the answer to the second GET ATR.
        XCTAssertEqual(vpcd.readFrame(timeout: 2), card.atr)

        let select: [UInt8] = [0x00, 0xA4, 0x04, 0x00, 0x02, 0xA0, 0x01]
        vpcd.sendFrame(select)
        XCTAssertEqual(vpcd.recvOnce(timeout: 2), [0x00, 0x09] + select + [0x90, 0x00])
        XCTAssertEqual(card.events, ["on", "apdu"])
    }

    func testPowerOffAndResetReachTheCardWithoutReply() throws {
        let vpcd = try insertCard()
        vpcd.sendFrame([0x00])
        vpcd.sendFrame([0x02])
        XCTAssertNil(vpcd.recvOnce(timeout: 0.2), "off and reset must not be answered")
        vpcd.sendFrame([0x04])
        XCTAssertEqual(vpcd.readFrame(timeout: 2), card.atr)
        XCTAssertEqual(card.events, ["off", "reset"])
        XCTAssertTrue(recorder.waitForEvents(timeout: 2) {
            $0.contains(.control(.powerOff)) && $0.contains(.control(.reset)) && $0.contains(.control(.getATR))
        })
    }

    func testRepliesAreOneWriteWithTheRightLength() throws {
        let vpcd = try insertCard()
        // Sizes around the short/extended and 1-byte/2-byte length boundaries.
        for size in [0, 1, 2, 253, 254, 255, 256, 257, 1000, 4000] {
            card.respond = { _ in [UInt8](repeating: 0xA5, count: size) + [0x90, 0x00] }
            for _ in 0..<5 {
                vpcd.sendFrame([0x00, 0xB0, 0x00, 0x00, 0x00])
                let reply = try XCTUnwrap(vpcd.recvOnce(timeout: 2), "no reply for size \(size)")
                let n = size + 2
                XCTAssertEqual(reply.count, 2 + n, "the reply to a \(size)-byte response came in pieces or with a wrong length")
                XCTAssertEqual(Array(reply.prefix(2)), [UInt8(n >> 8), UInt8(n & 0xFF)])
                XCTAssertEqual(Array(reply.suffix(2)), [0x90, 0x00])
            }
        }
    }

    func testMessagesSplitAcrossManySendsAreReassembled() throws {
        let vpcd = try insertCard()
        let command = CommandAPDU(ins: 0xD6, p1: 0, p2: 0, data: (0..<300).map { UInt8($0 & 0xFF) }).bytes
        let frame = [UInt8(command.count >> 8), UInt8(command.count & 0xFF)] + command
        // The length prefix itself is split, then the payload goes in uneven pieces.
        var pieces: [[UInt8]] = [[frame[0]], [frame[1]], Array(frame[2..<3]), Array(frame[3..<10])]
        var i = 10
        var step = 1
        while i < frame.count {
            let end = min(frame.count, i + step)
            pieces.append(Array(frame[i..<end]))
            i = end
            step = step * 3 % 97 + 1
        }
        for piece in pieces {
            vpcd.send(piece)
            usleep(500)
        }
        XCTAssertEqual(vpcd.readFrame(timeout: 2), command + [0x90, 0x00])
        // A control code split from its length prefix is still a control code.
        vpcd.send([0x00])
        usleep(2_000)
        vpcd.send([0x01, 0x04])
        XCTAssertEqual(vpcd.readFrame(timeout: 2), card.atr)
    }

    func testLengthAndPayloadInTwoWritesDoNotCostADelayedACK() throws {
        // Debian 12's vpcd writes the length and the payload separately with Nagle on. Without
        // TCP_QUICKACK before every recv, each exchange waits for a ~40 ms delayed ACK.
        let vpcd = try insertCard()
        let command: [UInt8] = [0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00]
        var times: [Double] = []
        for round in 0..<40 {
            let start = Date()
            vpcd.sendFrameInTwoWrites(command)
            XCTAssertEqual(vpcd.readFrame(timeout: 2), command + [0x90, 0x00])
            if round >= 10 { times.append(Date().timeIntervalSince(start)) }  // past the quick-ACK warm-up
        }
        // The median, not the mean: a loaded CI machine may stall a few rounds; the trap costs
        // ~40 ms on every round, so the median tells the two apart.
        let median = times.sorted()[times.count / 2]
        XCTAssertLessThan(median, 0.020, "median round trip \(median * 1000) ms: the delayed-ACK trap is back")
    }

    func testOneByteNonControlMessageGoesToTheCard() throws {
        let vpcd = try insertCard()
        card.respond = { $0.count < 4 ? StatusWord.wrongLength.bytes : StatusWord.success.bytes }
        vpcd.sendFrame([0x03])
        XCTAssertEqual(vpcd.readFrame(timeout: 2), [0x67, 0x00])
    }

    func testResponseTooLongForAFrameBecomes6F00() throws {
        let vpcd = try insertCard()
        card.respond = { _ in [UInt8](repeating: 0, count: 70_000) + [0x90, 0x00] }
        vpcd.sendFrame([0x00, 0xB0, 0x00, 0x00, 0x00, 0x00, 0x00])
        XCTAssertEqual(vpcd.readFrame(timeout: 2), [0x6F, 0x00])
    }

    // MARK: Trace and mute

    func testTraceSeesEveryExchange() throws {
        let vpcd = try insertCard()
        let commands: [[UInt8]] = [[0x00, 0x84, 0x00, 0x00, 0x08], [0x00, 0xA4, 0x00, 0x0C, 0x02, 0x3F, 0x00]]
        for c in commands {
            vpcd.sendFrame(c)
            _ = vpcd.readFrame(timeout: 2)
        }
        vpcd.sendFrame([0x04])  // control codes are events, not exchanges
        _ = vpcd.readFrame(timeout: 2)
        XCTAssertTrue(recorder.waitForExchanges(2, timeout: 2))
        let traced = recorder.exchanges
        XCTAssertEqual(traced.map(\.command), commands)
        XCTAssertEqual(traced.map(\.response), commands.map { $0 + [0x90, 0x00] })
        XCTAssertEqual(connector.servedCommandCount, 2)
    }

    func testMuteCardReadsCommandsButNeverAnswers() throws {
        let vpcd = try insertCard()
        connector.isMute = true
        vpcd.sendFrame([0x00, 0x84, 0x00, 0x00, 0x08])
        XCTAssertNil(vpcd.recvOnce(timeout: 0.3), "a mute card answered")
        XCTAssertTrue(recorder.waitForExchanges(1, timeout: 2))
        XCTAssertEqual(recorder.exchanges.first?.command, [0x00, 0x84, 0x00, 0x00, 0x08])
        XCTAssertNil(recorder.exchanges.first?.response ?? nil)
        XCTAssertEqual(card.events, [], "a mute card must not process the command")
        // Control codes are still answered, and unmuting answers the next command.
        vpcd.sendFrame([0x04])
        XCTAssertEqual(vpcd.readFrame(timeout: 2), card.atr)
        connector.isMute = false
        vpcd.sendFrame([0x00, 0x84, 0x00, 0x00, 0x08])
        XCTAssertEqual(vpcd.readFrame(timeout: 2), [0x00, 0x84, 0x00, 0x00, 0x08, 0x90, 0x00])
    }

    // MARK: Insert, remove, reconnect, stop

    func testRemoveClosesTheConnectionAndInsertReconnects() throws {
        let vpcd = try insertCard()
        vpcd.sendFrame([0x01])
        connector.remove()
        XCTAssertEqual(connector.state, .removed)
        XCTAssertTrue(vpcd.seesClose(timeout: 2), "vpcd must see the socket close: that is card removal")
        XCTAssertEqual(card.events.last, "off", "a removed card is unpowered")
        XCTAssertNil(server.accept(timeout: 0.3), "a removed card must not reconnect by itself")
        XCTAssertTrue(recorder.events.contains(.removed))

        connector.insert()
        let again = try XCTUnwrap(server.accept(timeout: 2), "insert() did not reconnect")
        XCTAssertTrue(connector.waitFor(.inserted, timeout: .seconds(2)))
        again.sendFrame([0x04])
        XCTAssertEqual(again.readFrame(timeout: 2), card.atr)
        XCTAssertEqual(recorder.events.filter { $0 == .inserted }.count, 2)
    }

    func testRemoveWhileWaitingForVPCDStopsTrying() throws {
        let port = server.port
        server.close()
        let lonely = VPCDConnector(card: card, configuration: .init(port: port, reconnectDelay: 0.01...0.02))
        let thread = Thread { _ = try? lonely.start(timeout: .seconds(5)) }
        thread.start()
        defer { lonely.stop() }
        XCTAssertTrue(lonely.waitFor(.connecting, timeout: .seconds(2)))
        lonely.remove()
        XCTAssertEqual(lonely.state, .removed)
    }

    func testReconnectsWhenVPCDClosesTheConnection() throws {
        let vpcd = try insertCard()
        vpcd.sendFrame([0x04])
        _ = vpcd.readFrame(timeout: 2)
        vpcd.close()
        let again = try XCTUnwrap(server.accept(timeout: 2), "no reconnection after vpcd closed the connection")
        again.sendFrame([0x04])
        XCTAssertEqual(again.readFrame(timeout: 2), card.atr)
        XCTAssertTrue(recorder.events.contains { if case .connectionLost = $0 { return true } else { return false } })
        XCTAssertTrue(connector.waitFor(.inserted, timeout: .seconds(2)))
    }

    func testReconnectsWhenPCSCDComesBackOnTheSamePort() throws {
        // A pcscd restart: the connection and the listener vanish, then a new listener appears.
        let vpcd = try insertCard()
        let port = server.port
        server.close()
        vpcd.close()
        XCTAssertTrue(recorder.waitForEvents(timeout: 2) {
            $0.contains { if case .connectFailed = $0 { return true } else { return false } }
        }, "the connector should keep trying while vpcd is gone")
        XCTAssertEqual(connector.state, .connecting)
        server = try FakeVPCD(port: port)
        let again = try XCTUnwrap(server.accept(timeout: 3), "no reconnection to the restarted vpcd")
        again.sendFrame([0x04])
        XCTAssertEqual(again.readFrame(timeout: 2), card.atr)
        XCTAssertEqual(connector.state, .inserted)
    }

    func testStopClosesTheConnectionAndEndsTheThread() throws {
        let vpcd = try insertCard()
        connector.stop()
        XCTAssertEqual(connector.state, .stopped)
        XCTAssertTrue(vpcd.seesClose(timeout: 2))
        XCTAssertEqual(recorder.events.last, .stopped)
        connector.stop()  // idempotent
        connector.insert()  // no effect once stopped
        XCTAssertNil(server.accept(timeout: 0.2))
        XCTAssertEqual(connector.state, .stopped)
    }

    // MARK: Start deadline

    func testStartGivesUpAtTheDeadlineWhenNothingListens() throws {
        let port = server.port
        server.close()
        let lonely = VPCDConnector(card: card, configuration: .init(port: port, reconnectDelay: 0.01...0.05))
        let start = Date()
        XCTAssertThrowsError(try lonely.start(timeout: .milliseconds(300))) { error in
            guard case .vpcdUnreachable(let host, let p, _, let last)? = error as? VPCDConnectorError else {
                return XCTFail("unexpected error \(error)")
            }
            XCTAssertEqual(host, "127.0.0.1")
            XCTAssertEqual(p, port)
            XCTAssertTrue(last?.contains("Connection refused") ?? false, "last error: \(last ?? "nil")")
            XCTAssertTrue("\(error)".contains("scripts/install-deps.sh"))
        }
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertGreaterThanOrEqual(elapsed, 0.29, "start must keep retrying until its deadline")
        XCTAssertLessThan(elapsed, 2)
        XCTAssertEqual(lonely.state, .stopped)
    }

    func testStartWaitsForAVPCDThatComesUpLate() throws {
        let port = server.port
        server.close()
        let late = VPCDConnector(card: card, configuration: .init(port: port, reconnectDelay: 0.01...0.05))
        defer { late.stop() }
        let returned = expectation(description: "start returned")
        Thread {
            _ = try? late.start(timeout: .seconds(5))
            returned.fulfill()
        }.start()
        usleep(300_000)
        XCTAssertEqual(late.state, .connecting, "start must still be trying")
        server = try FakeVPCD(port: port)
        wait(for: [returned], timeout: 5)
        XCTAssertEqual(late.state, .inserted)
        let vpcd = try XCTUnwrap(server.accept(timeout: 2))
        vpcd.sendFrame([0x04])
        XCTAssertEqual(vpcd.readFrame(timeout: 2), card.atr)
    }

    func testFramingHelpers() {
        XCTAssertEqual(VPCDFraming.frame([0xAA, 0xBB]), [0x00, 0x02, 0xAA, 0xBB])
        XCTAssertEqual(VPCDFraming.frame([]), [0x00, 0x00])
        XCTAssertEqual(VPCDFraming.frame([UInt8](repeating: 1, count: 0x1234)).prefix(2), [0x12, 0x34])
        XCTAssertEqual(VPCDFraming.length(ofPrefix: [0xFF, 0xFF]), 65535)
        XCTAssertEqual(VPCDFraming.port(forSlot: 0), 35963)
        XCTAssertEqual(VPCDFraming.port(forSlot: 1), 35964)
        XCTAssertEqual(VPCDMessage(payload: [0x00]), .control(.powerOff))
        XCTAssertEqual(VPCDMessage(payload: [0x01]), .control(.powerOn))
        XCTAssertEqual(VPCDMessage(payload: [0x02]), .control(.reset))
        XCTAssertEqual(VPCDMessage(payload: [0x04]), .control(.getATR))
        XCTAssertEqual(VPCDMessage(payload: [0x03]), .command([0x03]))
        XCTAssertEqual(VPCDMessage(payload: [0x04, 0x00]), .command([0x04, 0x00]))
        XCTAssertEqual(VPCDConnector.Configuration.slot(1).port, 35964)
    }
}
