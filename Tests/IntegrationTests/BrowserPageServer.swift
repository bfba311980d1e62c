import CardManagement
import Foundation
import Hummingbird
import ProvinceSimulator
import SSCardDriver
import Synchronization
import XCTest

/// A web site on a loopback port, standing for the province's card-management page: it serves
/// the bridge's example page (with a small harness that clicks "read" and reports what the
/// page shows), an issuance page, and `/province/…`, the site's own server side, which asks
/// the card-management system (the province simulator) for HSM keys, certificates and reports.
final class BrowserPageServer {
    let port: Int
    var origin: String { "http://127.0.0.1:\(port)" }
    private let task: Task<Void, any Error>

    init(system: SimulatedCardManagementSystem? = nil, cardNumbers: [String: String] = [:]) throws {
        let docs = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs")
        let example = try String(contentsOf: docs.appendingPathComponent("bridge-example.html"), encoding: .utf8)
        let client = try String(contentsOf: docs.appendingPathComponent("sscard.js"), encoding: .utf8)
        let router = Router()
        router.get("/sscard.js") { _, _ in Self.text(client, "text/javascript; charset=utf-8") }
        router.get("/read.html") { _, _ in
            Self.text(example.replacingOccurrences(of: "</body>", with: Self.readHarness + "</body>"), "text/html; charset=utf-8")
        }
        router.get("/issue.html") { _, _ in Self.text(Self.issuePage, "text/html; charset=utf-8") }
        router.get("/concurrent.html") { _, _ in Self.text(Self.concurrentPage, "text/html; charset=utf-8") }
        if let system {
            let province = ProvinceSide(system: system, cardNumbers: cardNumbers)
            router.post("/province/:step") { request, context in
                let body = try await request.body.collect(upTo: 1 << 20)
                let input = try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: String] ?? [:]
                let step = context.parameters.get("step") ?? ""
                let output = try province.answer(step, input)
                return Self.text(String(decoding: try JSONSerialization.data(withJSONObject: output), as: UTF8.self), "application/json")
            }
        }
        let ready = DispatchSemaphore(value: 0)
        let bound = Mutex(0)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in
                                  bound.withLock { $0 = channel.localAddress?.port ?? 0 }
                                  ready.signal()
                              })
        task = Task.detached { try await app.run() }
        guard ready.wait(timeout: .now() + 60) == .success else { throw XCTSkip("the page server did not start") }
        port = bound.withLock { $0 }
    }

    deinit { task.cancel() }

    private static func text(_ text: String, _ type: String) -> Response {
        Response(status: .ok, headers: [.contentType: type, .cacheControl: "no-store"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Clicks the example page's button and reports its status line and the table it fills.
    static let readHarness = """
        <script>
        window.addEventListener('load', function () {
          document.getElementById('read').click();
          var started = Date.now();
          (function poll() {
            var status = document.getElementById('status').textContent;
            if (status.indexOf('中') >= 0 && Date.now() - started < 30000) { setTimeout(poll, 50); return; }
            var cells = Array.prototype.map.call(document.querySelectorAll('#fields td[id^="field-"]'), function (td) { return td.textContent; });
            window.testResult = { status: status, fields: cells };
          })();
        });
        </script>

        """

    /// Three calls at once on one client, before it has even connected: each promise must get
    /// its own reply (matched by request id).
    static let concurrentPage = """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><script src="/sscard.js"></script></head><body><script>
        var card = new SSCard({ url: new URLSearchParams(location.search).get('bridge') });
        Promise.all([
          card.call('iReadCardBas', { iType: 1 }),
          card.call('iNoSuchFunction', {}),
          card.call('iReadCardBas', { iType: 'x' })
        ]).then(function (replies) {
          window.testResult = { replies: replies.map(function (r) { return [r.functionName, r.code, r.id]; }) };
        }, function (e) { window.testResult = { error: String(e.message) }; });
        </script></body></html>
        """

    /// An issuance driven from the page: the bridge does the card and the printer, the site's
    /// server side (`/province/…`) the HSM, the CA and the reports.
    static let issuePage = """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><title>即时制卡 issuance</title><script src="/sscard.js"></script></head>
        <body><pre id="log"></pre>
        <script>
        var params = new URLSearchParams(location.search);
        var card = new SSCard({ url: params.get('bridge') });
        var log = [];
        function step(name, args) {
          return card.call(name, args).then(function (r) {
            log.push(name + ' ' + r.success);
            document.getElementById('log').textContent = log.join('\\n');
            if (r.code !== 0) throw new Error(name + ' ' + r.success + ' ' + r.pOutInfo);
            return r.pOutInfo;
          });
        }
        function post(path, body) {
          return fetch('/province/' + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
            .then(function (r) { if (!r.ok) throw new Error(path + ' HTTP ' + r.status); return r.json(); });
        }
        async function issue() {
          await step('iLoadCard', { n: 1 });
          var step1 = await step('iReadCardBas_HSM_Step1', { iType: 1 });
          var made = await post('identify', { step1: step1 });
          var info = SSCard.basicInformation(await step('iReadCardBas_HSM_Step2', { pKey: made.pKey }));
          var cardInfo = info.cardIdentificationCode + '|' + info.cardNumber + '|';
          for (var i = 0; i < 2; i++) {
            var w = await step('iWriteCard_HSM_Step1', { iType: 1, pCardInfo: cardInfo, pFileAddr: made['address' + i] });
            var key = await post('key', { step1: w, access: 'write' });
            await step('iWriteCard_HSM_Step2', { pKey: key.pKey, pWriteData: made['data' + i] });
          }
          var publicKey = await step('iWriteCaStep1', {});
          var ca = await post('certificates', { publicKey: publicKey, cardID: info.cardIdentificationCode, cardNumber: info.cardNumber });
          await step('iWriteCaStep2', { pCaInfo: ca.pCaInfo });
          await step('iPrint', { n: 1, sData1: made.print1, sData2: made.print2 });
          await post('produced', { cardID: info.cardIdentificationCode, cardNumber: info.cardNumber });
          return info.cardNumber;
        }
        issue().then(function (cardNumber) { window.testResult = { ok: true, cardNumber: cardNumber, log: log }; },
                     function (e) { window.testResult = { ok: false, error: String(e.message), log: log }; });
        </script></body></html>
        """
}

/// The site's server side: the province simulator's HSM, CA and books, for application DEMO-0001.
private struct ProvinceSide: Sendable {
    let system: SimulatedCardManagementSystem
    let cardNumbers: [String: String]
    let applicationID = "DEMO-0001"

    func answer(_ step: String, _ input: [String: String]) throws -> [String: String] {
        switch step {
        case "identify":
            // The fed card, reported 制卡中, and the HSM's key for reading it.
            let challenge = try HSMAuthenticationChallenge(parsing: input["step1"] ?? "")
            let id = challenge.cardIdentificationCode
            try report(.inProduction, cardID: id.hex, cardNumber: cardNumbers[id.hex] ?? "")
            let key = try system.authenticationKey(for: challenge, access: .read, applicationID: applicationID)
            let a = try system.application(id: applicationID)
            return [
                "pKey": key.interfaceText,
                "address0": "SSSEEF05|05|06|$", "data0": "SSSEEF05|20261206|20361205|$",
                "address1": "SSSEEF06|08|09|0A|0B|0D|$",
                "data1": "SSSEEF06|\(a.socialSecurityNumber)|\(a.name)|\(a.sex)|\(a.ethnicity)|\(a.birthDate)|$",
                "print1": "姓名  \(a.name)|宋体|8.5|320|180",
                "print2": "社会保障号码  \(a.socialSecurityNumber)|宋体|8.5|320|230",
            ]
        case "key":
            let challenge = try HSMAuthenticationChallenge(parsing: input["step1"] ?? "")
            let key = try system.authenticationKey(for: challenge, access: input["access"] == "write" ? .write : .read, applicationID: applicationID)
            return ["pKey": key.interfaceText]
        case "certificates":
            let a = try system.application(id: applicationID)
            guard let id = CardIdentificationCode(hex: input["cardID"] ?? ""),
                  let publicKey = [UInt8](hex: input["publicKey"] ?? "") else { throw CardManagementError.refused(code: "BAD", message: "publicKey") }
            let issued = try system.issueCertificates(CACertificateRequest(
                socialSecurityNumber: a.socialSecurityNumber, cardNumber: input["cardNumber"] ?? "", name: a.name,
                regionCode: a.regionCode, cardIdentificationCode: id, signingPublicKey: publicKey), applicationID: applicationID)
            return ["pCaInfo": issued.interfaceText]
        case "produced":
            try report(.produced, cardID: input["cardID"] ?? "", cardNumber: input["cardNumber"] ?? "")
            return [:]
        default:
            throw CardManagementError.refused(code: "NOT_FOUND", message: step)
        }
    }

    private func report(_ status: ReportedStatus, cardID: String, cardNumber: String) throws {
        try system.report(IssuanceReport(requestID: "page-\(status.rawValue)-\(cardID)", applicationID: applicationID, status: status,
                                         cardNumber: cardNumber, cardIdentificationCode: cardID, terminal: "SSDESK000001", clerk: "page"))
    }
}
