@testable import BrowserBridge
import XCTest

/// The pieces without a socket: dialect, aliases, arguments, PIN-field guard, rate, origins.
final class BridgeUnitTests: XCTestCase {
    func testReplyJSONAndSuccessText() {
        XCTAssertEqual(BridgeReply(functionName: "iReadCardBas", code: 0, pOutInfo: "a|\"b\"|\n").jsonText,
                       #"{"functionName":"iReadCardBas","success":"1","pOutInfo":"a|\"b\"|\n"}"#)
        XCTAssertEqual(BridgeReply(functionName: "iReadCardBas", code: -2, pOutInfo: "", id: .number(7)).jsonText,
                       #"{"functionName":"iReadCardBas","success":"-2","pOutInfo":"","id":7}"#)
        XCTAssertEqual(BridgeReply(functionName: "x", code: -14, pOutInfo: "张三", id: .string("a")).jsonText,
                       #"{"functionName":"x","success":"-14","pOutInfo":"张三","id":"a"}"#)
    }

    func testAliases() {
        XCTAssertEqual(BridgeAliases.resolve("iReadCardBas", fields: [:]), .iReadCardBas)
        XCTAssertEqual(BridgeAliases.resolve("ReadCard_HSM_Step2", fields: [:]), .iReadCard_HSM_Step2)
        XCTAssertEqual(BridgeAliases.resolve("IREADCARDBAS_HSM_STEP1", fields: [:]), .iReadCardBas_HSM_Step1)
        XCTAssertEqual(BridgeAliases.resolve("iReadCard", fields: ["iType": .number(1), "pCardInfo": .string(""), "pFileAddr": .string("")]),
                       .iReadCard_HSM_Step1)
        XCTAssertEqual(BridgeAliases.resolve("iReadCard", fields: ["iType": .number(1), "iAuthType": .number(2)]), .iReadCard)
        XCTAssertNil(BridgeAliases.resolve("iSendAPDU", fields: [:]))
        XCTAssertEqual(BridgeAliases.canonicalFields(["pkey": .string("k")])["pKey"], .string("k"))
    }

    func testArgumentTypes() {
        guard case .success(let a) = BridgeArguments.parse(.iReadCard, fields: [
            "iType": .string("3"), "iAuthType": .number(2), "pCardInfo": .string("x"), "pFileAddr": .string("y")]) else {
            return XCTFail("parsed")
        }
        XCTAssertEqual(a.int("iType"), 3)
        XCTAssertEqual(a.string("pFileAddr"), "y")
        if case .success = BridgeArguments.parse(.iReadCardBas, fields: ["iType": .bool(true)]) { XCTFail("bool refused") }
        if case .success = BridgeArguments.parse(.iReadCardBas, fields: ["iType": .string("1e3")]) { XCTFail("not an int") }
        if case .success = BridgeArguments.parse(.iWriteCaStep2, fields: ["pCaInfo": .array([])]) { XCTFail("array refused") }
        guard case .success(let p) = BridgeArguments.parse(.iPrint, fields: ["n": .number(1), "sData1": .string("a")]) else {
            return XCTFail("iPrint's items may be left out")
        }
        XCTAssertEqual(p.string("sPhoto2"), "")
    }

    func testPINFieldGuard() {
        XCTAssertNotNil(PINFieldGuard.check(["PIN": .string("1")], function: .iVerifyPIN))
        XCTAssertNotNil(PINFieldGuard.check(["密码": .string("x")], function: nil))
        XCTAssertNotNil(PINFieldGuard.check(["extra": .number(123456)], function: .iReadCardBas))
        XCTAssertNil(PINFieldGuard.check(["iType": .number(1)], function: .iReadCardBas))
        XCTAssertNil(PINFieldGuard.check(["pinyin": .string("ZHANG")], function: .iReadCardBas))
        XCTAssertNil(PINFieldGuard.check(["note": .string("12")], function: .iReadCardBas), "too short for a PIN")
    }

    func testRateLimiter() {
        let start = ContinuousClock.now
        var r = RateLimiter(perSecond: 10, burst: 2, now: start)
        XCTAssertTrue(r.allow(now: start))
        XCTAssertTrue(r.allow(now: start))
        XCTAssertFalse(r.allow(now: start))
        XCTAssertTrue(r.allow(now: start + .milliseconds(110)))
        XCTAssertFalse(r.allow(now: start + .milliseconds(115)))
    }

    func testOriginPolicyAndSettings() {
        let p = OriginPolicy(allowedOrigins: ["https://a.example"])
        XCTAssertNil(p.refusal(origin: "https://a.example", host: "127.0.0.1:12342", token: nil, port: 12342))
        XCTAssertNil(p.refusal(origin: "http://localhost:12342", host: "localhost:12342", token: nil, port: 12342))
        XCTAssertNotNil(p.refusal(origin: "https://a.example", host: "a.example:12342", token: nil, port: 12342))
        XCTAssertNotNil(p.refusal(origin: "https://b.example", host: "127.0.0.1:12342", token: nil, port: 12342))
        XCTAssertTrue(BridgeSettings.isOrigin("https://sbk.example.gov.cn"))
        XCTAssertTrue(BridgeSettings.isOrigin("http://10.1.2.3:8080"))
        XCTAssertFalse(BridgeSettings.isOrigin("https://a.example/path"))
        XCTAssertFalse(BridgeSettings.isOrigin("ftp://a.example"))
        XCTAssertFalse(BridgeSettings.isOrigin("*"))
    }
}
