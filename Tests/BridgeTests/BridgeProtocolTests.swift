import BrowserBridge
import Foundation
import SSCardDriver
import SSCardSimulator
import XCTest

/// The dialect over a real WebSocket: every function's reply shape, the aliases pages use,
/// the two-step functions, and the refusals that leave the connection usable.
final class BridgeProtocolTests: XCTestCase {
    /// A request with parameters of the right types for every function.
    static func request(_ f: BridgeFunction) -> [String: Any] {
        var r: [String: Any] = ["function": f.rawValue, "id": "shape-\(f.rawValue)"]
        for p in f.parameters {
            switch p {
            case .int(let name): r[name] = name == "n" ? 2 : 1
            case .string(let name), .optionalString(let name): r[name] = ""
            }
        }
        return r
    }

    func testEveryFunctionAnswersInTheDialectsShapeWithItsIdEchoed() throws {
        let desk = try BridgeTestDesk()
        let client = try desk.client()
        // PIN functions ask the desk's prompt; here it answers the initial PIN.
        PINEntryRegistry.install(CallbackPINEntry { _ in Array("123456".utf8) })
        defer { PINEntryRegistry.install(nil) }
        for f in BridgeFunction.allCases {
            let reply = try client.request(Self.request(f))
            XCTAssertEqual(reply.functionName, f.rawValue)
            XCTAssertEqual(reply.object["id"] as? String, "shape-\(f.rawValue)")
            XCTAssertEqual(Set(reply.object.keys), ["functionName", "success", "pOutInfo", "id"], "\(reply.object)")
        }
        // Each function reached the driver or a bridge guard: the log has one line per call.
        XCTAssertEqual(desk.log.all.count, BridgeFunction.allCases.count)
    }

    func testReadCardBasGivesTheElevenFieldsAndANumericIdComesBackAsANumber() throws {
        let desk = try BridgeTestDesk()
        let client = try desk.client()
        let reply = try client.request(["function": "iReadCardBas", "iType": 3, "id": 42])
        XCTAssertEqual(reply.success, "1", reply.pOutInfo)
        XCTAssertEqual(reply.object["id"] as? Int, 42)
        let fields = reply.pOutInfo.split(separator: "|", omittingEmptySubsequences: false)
        XCTAssertEqual(fields.count, 12, "11 fields, each ending in |")
        XCTAssertEqual(String(fields[1]), CardHolder.sample.socialSecurityNumber)
        XCTAssertEqual(String(fields[4]), CardHolder.sample.name)
        XCTAssertEqual(String(fields[3]), desk.card.image.cardIdentificationCode.hex)
        // Same as the driver called directly.
        XCTAssertEqual(reply.pOutInfo, desk.driver.iReadCardBas(3).output)
        // iType as text (form-built pages) is read as the number; no card on contactless: −2 as text.
        XCTAssertEqual(try client.request(["function": "iReadCardBas", "iType": "1"]).success, "1")
        let none = try client.request(["function": "iReadCardBas", "iType": 2])
        XCTAssertTrue(none.code < 0, "\(none.object)")
        XCTAssertEqual(none.functionName, "iReadCardBas")
    }

    func testAliasesPagesSendAreServed() throws {
        let desk = try BridgeTestDesk()
        let client = try desk.client()
        XCTAssertEqual(try client.request(["function": "ReadCardBas", "iType": 1]).functionName, "iReadCardBas")
        XCTAssertEqual(try client.request(["function": "ireadcardbas", "iType": 1]).success, "1")

        // iReadCard with Step1's parameters (no iAuthType) is iReadCard_HSM_Step1 …
        let id = desk.card.image.cardIdentificationCode.hex
        let cardNumber = try XCTUnwrap(desk.driver.iReadCardBas(1).output.split(separator: "|").dropFirst(2).first)
        let step1 = try client.request(["function": "iReadCard", "iType": 1, "pCardInfo": "\(id)|\(cardNumber)|",
                                        "pFileAddr": "SSSEEF06|08|09|$"])
        XCTAssertEqual(step1.functionName, "iReadCard_HSM_Step1")
        XCTAssertEqual(step1.success, "1", step1.pOutInfo)
        // … and ReadCard_HSM_Step2 with `pkey` finishes it.
        let challenge = try HSMAuthenticationChallenge(parsing: step1.pOutInfo)
        let key = try desk.hsm.readAuthenticationKey(for: challenge)
        let step2 = try client.request(["function": "ReadCard_HSM_Step2", "pkey": key.interfaceText])
        XCTAssertEqual(step2.functionName, "iReadCard_HSM_Step2")
        XCTAssertEqual(step2.success, "1", step2.pOutInfo)
        XCTAssertEqual(step2.pOutInfo, "SSSEEF06|\(CardHolder.sample.socialSecurityNumber)|\(CardHolder.sample.name)|$")
    }

    func testMalformedUnknownMistypedAndOversizedMessagesGetAReplyAndTheConnectionStaysUsable() throws {
        let desk = try BridgeTestDesk { $0.messageLimit = 64 * 1024 }
        let client = try desk.client()
        func check(_ text: String, _ code: Int, _ what: String) throws {
            let reply = try Reply(try client.call(text))
            XCTAssertEqual(reply.code, code, "\(what): \(reply.object)")
            XCTAssertEqual(try client.request(["function": "iReadCardBas", "iType": 1]).success, "1", "usable after \(what)")
        }
        try check("not json", -14, "not JSON")
        try check("[1,2,3]", -14, "an array")
        try check(#"{"function":5}"#, -14, "function not a string")
        try check(#"{"iType":1}"#, -14, "no function")
        try check(#"{"function":"iReadCardBas","iType":"three"}"#, -14, "iType as words")
        try check(#"{"function":"iReadCardBas","iType":true}"#, -14, "iType as a bool")
        try check(#"{"function":"iReadCardBas","iType":1.5}"#, -14, "iType as a fraction")
        try check(#"{"function":"iReadCardBas","iType":9999999999}"#, -14, "iType beyond a C int")
        try check(#"{"function":"iReadCardBas"}"#, -14, "iType missing")
        try check(#"{"function":"iReadCard_HSM_Step1","iType":1,"pCardInfo":5,"pFileAddr":"x"}"#, -14, "pCardInfo as a number")
        try check(#"{"function":"iNoSuchFunction"}"#, -13, "an unknown function")
        // No raw APDU, file or configuration function, under any name.
        for name in ["iSendAPDU", "SendAPDU", "iReadFile", "iWriteFile", "SSCardDriver_Configure", "SSCardDriver_SetPINCallback", "iDoScript"] {
            try check(#"{"function":"\#(name)","apdu":"00A4040000"}"#, -13, name)
        }
        // A message over the limit (discarded as it arrived), and a fragmented one under it.
        let big = #"{"function":"iReadCardBas","iType":1,"pad":""# + String(repeating: "x", count: 100 * 1024) + #""}"#
        try check(big, -14, "an oversized message")
        let fragmented = try Reply(try client.call(#"{"function":"iReadCardBas","iType":1,"id":"frag"}"#, fragments: 5))
        XCTAssertEqual(fragmented.success, "1")
        XCTAssertEqual(fragmented.object["id"] as? String, "frag")
        let oversizedInFragments = try Reply(try client.call(big, fragments: 7))
        XCTAssertEqual(oversizedInFragments.code, -14)
        XCTAssertEqual(try client.request(["function": "iReadCardBas", "iType": 1]).success, "1")
    }

    func testAPINInJSONIsRefusedAndThePINComesFromTheDesk() throws {
        let desk = try BridgeTestDesk()
        let client = try desk.client()
        let asked = CallLog()
        PINEntryRegistry.install(CallbackPINEntry { _ in
            asked.append(BridgeCallRecord(connection: 0, origin: "", function: "pin", code: 0, milliseconds: 0))
            return Array("123456".utf8)
        })
        defer { PINEntryRegistry.install(nil) }
        for (field, value) in [("pin", "123456"), ("newPIN", "654321"), ("password", "1234"), ("pwd", "8888"), ("x", "123456")] {
            let refused = try client.request(["function": "iVerifyPIN", "iType": 1, field: value])
            XCTAssertEqual(refused.success, "-9004", "\(field): \(refused.object)")
            XCTAssertFalse(refused.pOutInfo.contains(value), "the refusal does not repeat the PIN")
        }
        XCTAssertEqual(try client.request(["function": "iReadCardBas", "iType": 1, "extra": 123456]).success, "-9004")
        XCTAssertTrue(asked.all.isEmpty, "nothing refused reached the PIN prompt")
        // The PIN is asked at the desk (the installed prompt stands for the desk's own).
        let verified = try client.request(["function": "iVerifyPIN", "iType": 1])
        XCTAssertEqual(verified.success, "1", verified.pOutInfo)
        XCTAssertEqual(asked.all.count, 1)
        // pinyin is a name field, not a PIN.
        XCTAssertEqual(try client.request(["function": "iReadCardBas", "iType": 1, "pinyin": "ZHANG SAN"]).success, "1")
    }

    func testTheLogHoldsFunctionOriginCodeAndTimeButNoCardData() throws {
        let desk = try BridgeTestDesk()
        let client = try desk.client()
        let read = try client.request(["function": "iReadCardBas", "iType": 1])
        _ = try client.request(["function": "iReadCardBas_HSM_Step1", "iType": 1])
        _ = try client.request(["function": "bogus"])
        let lines = desk.log.all.map(\.description)
        XCTAssertEqual(lines.count, 3)
        XCTAssertTrue(lines[0].contains("function=iReadCardBas") && lines[0].contains("code=0") && lines[0].contains("origin=\(desk.ownOrigin)"), lines[0])
        XCTAssertTrue(lines[2].contains("code=-13"), lines[2])
        let secrets = read.pOutInfo.split(separator: "|").map(String.init).filter { $0.count >= 4 } + [CardHolder.sample.name]
        for line in lines {
            for s in secrets { XCTAssertFalse(line.contains(s), "\(s) in \(line)") }
        }
    }

    func testIdleConnectionsAreClosed() throws {
        let desk = try BridgeTestDesk { $0.idleTimeout = .milliseconds(700) }
        let client = try desk.client()
        XCTAssertEqual(try client.request(["function": "iReadCardBas", "iType": 1]).success, "1")
        client.timeout = .seconds(10)
        XCTAssertThrowsError(try client.receiveText()) { error in
            XCTAssertEqual(error as? BridgeSocketClient.ClientError, .closed)
        }
    }

    func testTheRateLimitAnswersWithoutClosing() throws {
        let desk = try BridgeTestDesk { $0.ratePerSecond = 2; $0.rateBurst = 3 }
        let client = try desk.client()
        let codes = try (0..<5).map { _ in try client.request(["function": "iReadCardBas", "iType": 1]).success }
        XCTAssertEqual(Array(codes.prefix(3)), ["1", "1", "1"])
        XCTAssertEqual(codes.last, "-9002")
        let limited = try client.request(["function": "iReadCardBas", "iType": 1, "id": "over"])
        XCTAssertEqual(limited.success, "-9002")
        XCTAssertEqual(limited.object["id"] as? String, "over", "a page's client can match even the refusal")
        Thread.sleep(forTimeInterval: 0.6)
        XCTAssertEqual(try client.request(["function": "iReadCardBas", "iType": 1]).success, "1", "the bucket refills")
        // Another connection has its own rate.
        XCTAssertEqual(try desk.client().request(["function": "iReadCardBas", "iType": 1]).success, "1")
    }

    func testIssuanceFunctionsReachThePrinter() throws {
        let desk = try BridgeTestDesk()
        let client = try desk.client()
        let empty = try client.request(["function": "iLoadCard", "n": 1])
        XCTAssertTrue(empty.code < 0, "an empty hopper is refused: \(empty.object)")
        desk.printer.addCards([SimulatedSSCard(image: try PreMadeCardFactory().blankCard(.sample(sequence: 9)))], toHopper: 1)
        XCTAssertEqual(try client.request(["function": "iLoadCard", "n": 1]).success, "1")
        XCTAssertEqual(try client.request(["function": "iLoadCard", "n": 12]).success, "-14")
        // All items empty, n = 2: the card goes to the reject box.
        XCTAssertEqual(try client.request(["function": "iPrint", "n": 2]).success, "1")
        XCTAssertEqual(try desk.printer.status().cardPosition, .none)
    }
}
