import Foundation
import Glibc
import XCTest
import SSCardDriver
@testable import CardManagement
@testable import ProvinceSimulator

/// The desk the province-link tests sign as: registered in a simulator, its credential in a
/// file (mode 0600) under a folder of this test process, removed by the test classes' tearDown.
enum ProvinceLinkTestDesk {
    static let id = "SSDESK000001"
    static let folder = FileManager.default.temporaryDirectory.appendingPathComponent("province-desks-\(getpid())")

    /// Registers `id` in `sim` with a fresh secret; the path of its credential file.
    static func register(in sim: SimulatedCardManagementSystem, id: String = id) throws -> String {
        try writeFile(try sim.addDesk(id))
    }

    /// Writes `credential` to a new file under `folder`; its path.
    static func writeFile(_ credential: DeskCredential) throws -> String {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("\(credential.deskID)-\(UUID().uuidString).cred").path
        try credential.write(to: path)
        return path
    }

    static func removeFiles() {
        try? FileManager.default.removeItem(at: folder)
    }

    /// The raw text of a request signed with `credential` (by default the test desk's in
    /// `sim`): request line, `headers`, the four signature headers, `Content-Length`, `body`.
    /// `timestamp` and `nonce` replace the fresh ones; `signatureOf` signs other bytes than the
    /// request's (a tampered request).
    static func signedRequest(_ sim: SimulatedCardManagementSystem, _ method: String, _ target: String, headers: [String] = [],
                              body: String = "", credential: DeskCredential? = nil, timestamp: Date = Date(),
                              nonce: String? = nil, signedBody: String? = nil) throws -> String {
        let credential = try XCTUnwrap(credential ?? sim.deskCredential(id), "the test desk is registered")
        let time = String(Int64(timestamp.timeIntervalSince1970.rounded(.down)))
        let nonce = try nonce ?? SecureRandom.bytes(16).hexString
        let text = try ProvinceRequestSigning.stringToSign(method: method, target: target, body: Array((signedBody ?? body).utf8),
                                                           timestamp: time, nonce: nonce, deskID: credential.deskID)
        let signature = try ProvinceRequestSigning.signature(text, credential: credential).hexString
        var lines = ["\(method) \(target) HTTP/1.1"] + headers
        lines += ["X-Desk-ID: \(credential.deskID)", "X-Desk-Timestamp: \(time)", "X-Desk-Nonce: \(nonce)", "X-Desk-Signature: \(signature)",
                  "Content-Length: \(body.utf8.count)"]
        return lines.joined(separator: "\r\n") + "\r\n\r\n" + body
    }
}
