import BrowserBridge
import Foundation
import Sockets
import XCTest

/// The test and benchmark client reads what a peer sends: a malformed answer is an error, never
/// a trap (an unchecked index, a negative length).
final class BridgeSocketClientTests: XCTestCase {
    /// A loopback peer that answers the client's handshake with `reply`, then holds the socket.
    private func peer(replying reply: [UInt8]) throws -> (port: Int, done: DispatchSemaphore) {
        let listener = try SocketListener()
        let port = listener.port
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            defer { listener.close(); done.signal() }
            guard let connection = try? listener.accept() else { return }
            var head: [UInt8] = []
            while !(head.count >= 4 && head.suffix(4) == [13, 10, 13, 10]) {
                guard let byte = try? connection.receive(exactly: 1, deadline: .now + .seconds(10)) else { return }
                head += byte
            }
            try? connection.sendAll(reply, deadline: .now + .seconds(10))
            _ = try? connection.receive(maxCount: 1, deadline: .now + .seconds(10))
            connection.close()
        }
        return (Int(port), done)
    }

    func testARefusalWithAnEmptyContentLengthIsARefusal() throws {
        let (port, done) = try peer(replying: Array("HTTP/1.1 403 Forbidden\r\nContent-Length:\r\n\r\n".utf8))
        XCTAssertThrowsError(try BridgeSocketClient(port: port, origin: "http://127.0.0.1")) { error in
            XCTAssertEqual(error as? BridgeSocketClient.ClientError, .refused(status: 403, body: ""))
        }
        done.wait()
    }

    func testAFrameWhoseLengthIsNegativeAsAnIntIsAProtocolError() throws {
        let handshake = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"
        // A text frame with the 8-byte length 0xFFFF…FF: −1 once shifted into an Int.
        let frame: [UInt8] = [0x81, 127] + [UInt8](repeating: 0xFF, count: 8)
        let (port, done) = try peer(replying: Array(handshake.utf8) + frame)
        let client = try BridgeSocketClient(port: port, origin: "http://127.0.0.1")
        XCTAssertThrowsError(try client.receiveText()) { error in
            guard case .protocolError? = error as? BridgeSocketClient.ClientError else { return XCTFail("\(error)") }
        }
        client.close()
        done.wait()
    }

    func testAPortOutsideSixteenBitsIsAnError() {
        XCTAssertThrowsError(try BridgeSocketClient(port: 70_000, origin: nil))
    }
}
