import BrowserBridge
import Foundation
import Sockets
import XCTest

/// Who may open the bridge: checked at the handshake, refused with 403.
final class BridgeHandshakeTests: XCTestCase {
    private func status(_ desk: BridgeTestDesk, origin: String?, path: String = "/", host: String? = nil) -> Int {
        do {
            _ = try BridgeSocketClient(port: desk.port, origin: origin, path: path, host: host)
            return 101
        } catch BridgeSocketClient.ClientError.refused(let status, _) {
            return status
        } catch {
            return -1
        }
    }

    func testWithNoOriginConfiguredOnlyTheDesksOwnPagesMayConnect() throws {
        let desk = try BridgeTestDesk()
        XCTAssertEqual(status(desk, origin: desk.ownOrigin), 101)
        XCTAssertEqual(status(desk, origin: "http://localhost:\(desk.port)"), 101)
        XCTAssertEqual(status(desk, origin: "https://evil.example"), 403)
        XCTAssertEqual(status(desk, origin: "http://127.0.0.1:\(desk.port + 1)"), 403, "another port is another origin")
        XCTAssertEqual(status(desk, origin: "null"), 403, "a sandboxed or file: page")
        XCTAssertEqual(status(desk, origin: nil), 403, "no Origin: not a browser page")
        // A DNS-rebinding page reaches 127.0.0.1 under its own host name.
        XCTAssertEqual(status(desk, origin: desk.ownOrigin, host: "evil.example:\(desk.port)"), 403)
        // The 403 says why, for the technician reading the browser's console.
        do {
            _ = try BridgeSocketClient(port: desk.port, origin: "https://evil.example")
            XCTFail("refused")
        } catch BridgeSocketClient.ClientError.refused(_, let body) {
            XCTAssertTrue(body.contains("https://evil.example is not allowed"), body)
        }
    }

    func testAllowedOriginsAndTokens() throws {
        let desk = try BridgeTestDesk {
            $0.policy = OriginPolicy(allowedOrigins: ["https://sbk.example.gov.cn/", "https://his.example"],
                                     tokens: ["https://his.example": "s3cret-token"])
        }
        XCTAssertEqual(status(desk, origin: "https://sbk.example.gov.cn"), 101)
        XCTAssertEqual(status(desk, origin: "https://SBK.example.gov.cn:443"), 101, "normalised as browsers would")
        XCTAssertEqual(status(desk, origin: "http://sbk.example.gov.cn"), 403, "the scheme is part of the origin")
        XCTAssertEqual(status(desk, origin: "https://his.example"), 403, "this site must present its token")
        XCTAssertEqual(status(desk, origin: "https://his.example", path: "/?token=wrong"), 403)
        XCTAssertEqual(status(desk, origin: "https://his.example", path: "/?token=s3cret-token"), 101)
        XCTAssertEqual(status(desk, origin: desk.ownOrigin), 101, "the desk's own pages stay allowed")
        XCTAssertEqual(status(desk, origin: "https://evil.example", path: "/?token=s3cret-token"), 403, "a token opens only its own site")
        // Nothing the refused pages did reached the driver.
        XCTAssertTrue(desk.log.all.isEmpty)
    }

    func testItListensOnLoopbackOnly() throws {
        let desk = try BridgeTestDesk()
        let tcp = try String(contentsOfFile: "/proc/net/tcp", encoding: .utf8)
        let portHex = String(format: "%04X", desk.port)
        let listeners = tcp.split(separator: "\n").filter { $0.contains(":\(portHex) ") && $0.contains(" 0A ") }
        XCTAssertFalse(listeners.isEmpty, "listening on \(desk.port)")
        for line in listeners {
            let local = line.split(separator: " ")[1]
            XCTAssertTrue(local.hasPrefix("0100007F:"), "bound to 127.0.0.1: \(line)")
        }
    }

    /// GET (or another method) `path` from the bridge over plain HTTP.
    private func get(_ desk: BridgeTestDesk, _ path: String, method: String = "GET", headers: String = "") throws -> (head: String, body: String) {
        let socket = try StreamSocket.connect(host: "127.0.0.1", port: UInt16(desk.port), deadline: .now + .seconds(10))
        defer { socket.close() }
        try socket.sendAll(Array("\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(desk.port)\r\n\(headers)Connection: close\r\n\r\n".utf8))
        var bytes: [UInt8] = []
        while true {
            let chunk = try socket.receive(deadline: .now + .seconds(10))
            if chunk.isEmpty { break }
            bytes += chunk
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        return (parts[0], parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    func testItServesTheJSClientAndTheExamplePageAsInDocs() throws {
        let desk = try BridgeTestDesk()
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs")
        let script = try get(desk, "/sscard.js")
        XCTAssertTrue(script.head.hasPrefix("HTTP/1.1 200"), script.head)
        XCTAssertTrue(script.head.lowercased().contains("content-type: text/javascript"), script.head)
        let js = try String(contentsOf: docs.appendingPathComponent("sscard.js"), encoding: .utf8)
        XCTAssertEqual(script.body + "\n", js, "served /sscard.js is docs/sscard.js (scripts/bridge-assets.sh)")
        let page = try get(desk, "/")
        let html = try String(contentsOf: docs.appendingPathComponent("bridge-example.html"), encoding: .utf8)
        XCTAssertEqual(page.body + "\n", html, "served / is docs/bridge-example.html")
        XCTAssertTrue(try get(desk, "/nothing").head.hasPrefix("HTTP/1.1 404"))
    }

    /// Chrome's Private Network Access preflight (before Local Network Access) is answered for
    /// an allowed origin only.
    func testPrivateNetworkPreflightIsGrantedToAllowedOriginsOnly() throws {
        let desk = try BridgeTestDesk { $0.policy = OriginPolicy(allowedOrigins: ["https://sbk.example.gov.cn"]) }
        let preflight = "Access-Control-Request-Method: GET\r\nAccess-Control-Request-Private-Network: true\r\n"
        let allowed = try get(desk, "/sscard.js", method: "OPTIONS", headers: "Origin: https://sbk.example.gov.cn\r\n" + preflight)
        XCTAssertTrue(allowed.head.hasPrefix("HTTP/1.1 204"), allowed.head)
        XCTAssertTrue(allowed.head.lowercased().contains("access-control-allow-private-network: true"), allowed.head)
        XCTAssertTrue(allowed.head.lowercased().contains("access-control-allow-origin: https://sbk.example.gov.cn"), allowed.head)
        let foreign = try get(desk, "/sscard.js", method: "OPTIONS", headers: "Origin: https://evil.example\r\n" + preflight)
        XCTAssertFalse(foreign.head.lowercased().contains("access-control-allow-private-network"), foreign.head)
    }
}
