import BrowserBridge
import Foundation
import SSCardDriver
import SSCardSimulator
import XCTest

/// Two-step sessions belong to the connection that began them, and one card operation runs
/// per reader at a time across connections.
final class BridgeSessionTests: XCTestCase {
    func testStep2FromAnotherConnectionIsRefusedAndTheOwnerFinishes() throws {
        let desk = try BridgeTestDesk()
        let owner = try desk.client(), other = try desk.client()
        let step1 = try owner.request(["function": "iReadCardBas_HSM_Step1", "iType": 1])
        XCTAssertEqual(step1.success, "1", step1.pOutInfo)
        let key = try desk.hsm.readAuthenticationKey(for: try HSMAuthenticationChallenge(parsing: step1.pOutInfo))
        // Another tab, even with the right key, can neither finish the session …
        let hijack = try other.request(["function": "iReadCardBas_HSM_Step2", "pKey": key.interfaceText])
        XCTAssertEqual(hijack.success, "-9003", hijack.pOutInfo)
        // … nor start its own over it, nor touch the card meanwhile.
        XCTAssertEqual(try other.request(["function": "iReadCardBas_HSM_Step1", "iType": 1, "wait": 0]).success, "-9001")
        XCTAssertEqual(try other.request(["function": "iReadCardBas", "iType": 1, "wait": 0]).success, "-9001")
        // The owner's Step2 works: the card's challenge was not spent by the others.
        let step2 = try owner.request(["function": "iReadCardBas_HSM_Step2", "pKey": key.interfaceText])
        XCTAssertEqual(step2.success, "1", step2.pOutInfo)
        XCTAssertTrue(step2.pOutInfo.contains("|\(CardHolder.sample.name)|"))
        // The session is over: a second Step2 is refused, and the others have the reader back.
        XCTAssertEqual(try owner.request(["function": "iReadCardBas_HSM_Step2", "pKey": key.interfaceText]).success, "-9003")
        XCTAssertEqual(try other.request(["function": "iReadCardBas", "iType": 1, "wait": 0]).success, "1")
    }

    func testASessionEndsWhenItsConnectionClosesOrExpires() throws {
        let desk = try BridgeTestDesk { $0.sessionTimeout = .milliseconds(500) }
        var owner: BridgeSocketClient? = try desk.client()
        let other = try desk.client()
        XCTAssertEqual(try owner!.request(["function": "iReadCardBas_HSM_Step1", "iType": 1]).success, "1")
        owner = nil   // the tab closes
        // The waiting call gets the reader once the bridge has seen the close.
        XCTAssertEqual(try other.request(["function": "iReadCardBas", "iType": 1, "wait": 5000]).success, "1")

        let slow = try desk.client()
        let step1 = try slow.request(["function": "iReadCardBas_HSM_Step1", "iType": 1])
        XCTAssertEqual(step1.success, "1")
        // A call that waits longer than the session may live gets the reader when it expires.
        let started = ContinuousClock.now
        XCTAssertEqual(try other.request(["function": "iReadCardBas", "iType": 1, "wait": 5000]).success, "1")
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(300))
        let key = try desk.hsm.readAuthenticationKey(for: try HSMAuthenticationChallenge(parsing: step1.pOutInfo))
        XCTAssertEqual(try slow.request(["function": "iReadCardBas_HSM_Step2", "pKey": key.interfaceText]).success, "-9003",
                       "an expired session's step is refused")
    }

    func testTwoConnectionsRacingForTheReaderAreServedOneAtATime() throws {
        let desk = try BridgeTestDesk { $0.rateBurst = 1000 }
        let a = try desk.client(), b = try desk.client()
        let results = CallLog()
        let group = DispatchGroup()
        for client in [a, b] {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                for _ in 0..<15 {
                    let code = (try? client.request(["function": "iReadCardBas", "iType": 1]).code) ?? 1
                    results.append(BridgeCallRecord(connection: 0, origin: "", function: "", code: code, milliseconds: 0))
                }
            }
        }
        XCTAssertEqual(group.wait(timeout: .now() + 120), .success)
        XCTAssertEqual(results.all.map(\.code), [Int](repeating: 0, count: 30), "each waited its turn; none saw the other's card state")

        // Busy with a deadline: while A holds the reader in a session, B waits its `wait` and
        // is told "busy", then gets it when A is done.
        let step1 = try a.request(["function": "iReadCardBas_HSM_Step1", "iType": 1])
        let started = ContinuousClock.now
        XCTAssertEqual(try b.request(["function": "iReadCardBas", "iType": 1, "wait": 300]).success, "-9001")
        XCTAssertGreaterThanOrEqual(ContinuousClock.now - started, .milliseconds(290))
        let key = try desk.hsm.readAuthenticationKey(for: try HSMAuthenticationChallenge(parsing: step1.pOutInfo))
        group.enter()
        let waited = CallLog()
        Thread.detachNewThread {
            defer { group.leave() }
            let code = (try? b.request(["function": "iReadCardBas", "iType": 1, "wait": 10_000]).code) ?? 1
            waited.append(BridgeCallRecord(connection: 0, origin: "", function: "", code: code, milliseconds: 0))
        }
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertEqual(try a.request(["function": "iReadCardBas_HSM_Step2", "pKey": key.interfaceText]).success, "1")
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(waited.all.map(\.code), [0], "B got the reader when A's session ended")
    }

    func testWriteTwoStepThroughTheBridge() throws {
        let desk = try BridgeTestDesk()
        let client = try desk.client()
        let bas = try client.request(["function": "iReadCardBas", "iType": 1]).pOutInfo.split(separator: "|", omittingEmptySubsequences: false)
        let info = "\(bas[3])|\(bas[2])|"
        let step1 = try client.request(["function": "iWriteCard_HSM_Step1", "iType": 1, "pCardInfo": info, "pFileAddr": "SSSEEF05|06|$"])
        XCTAssertEqual(step1.success, "1", step1.pOutInfo)
        let key = try desk.hsm.writeAuthenticationKey(for: try HSMAuthenticationChallenge(parsing: step1.pOutInfo))
        let step2 = try client.request(["function": "iWriteCard_HSM_Step2", "pKey": key.interfaceText, "pWriteData": "SSSEEF05|20301231|$"])
        XCTAssertEqual(step2.success, "1", step2.pOutInfo)
        XCTAssertTrue(try client.request(["function": "iReadCardBas", "iType": 1]).pOutInfo.contains("|20301231|"))
    }

    func testIssuanceFunctionsTakeThePrinterAndTheContactReader() throws {
        let desk = try BridgeTestDesk()
        let factory = PreMadeCardFactory()
        desk.printer.addCards(try (20..<22).map { SimulatedSSCard(image: try factory.blankCard(.sample(sequence: $0))) }, toHopper: 1)
        desk.printer.mechanicalDelay = .milliseconds(800)
        let a = try desk.client(), b = try desk.client()
        let loaded = CallLog()
        let group = DispatchGroup()
        group.enter()
        Thread.detachNewThread {
            defer { group.leave() }
            let code = (try? a.request(["function": "iLoadCard", "n": 1]).code) ?? 1
            loaded.append(BridgeCallRecord(connection: 0, origin: "", function: "", code: code, milliseconds: 0))
        }
        Thread.sleep(forTimeInterval: 0.2)
        // While A's card moves, B may neither move the printer nor use the contact reader …
        XCTAssertEqual(try b.request(["function": "iLoadCard", "n": 1, "wait": 0]).success, "-9001")
        XCTAssertEqual(try b.request(["function": "iPrint", "n": 2, "wait": 0]).success, "-9001")
        XCTAssertEqual(try b.request(["function": "iWriteCaStep1", "wait": 0]).success, "-9001")
        XCTAssertEqual(try b.request(["function": "iReadCardBas", "iType": 1, "wait": 0]).success, "-9001")
        // … but the contactless reader is not the printer's (this desk has none: not "busy").
        XCTAssertNotEqual(try b.request(["function": "iReadCardBas", "iType": 2, "wait": 0]).success, "-9001")
        XCTAssertEqual(group.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(loaded.all.map(\.code), [0])
        desk.printer.mechanicalDelay = .zero
        XCTAssertEqual(try b.request(["function": "iPrint", "n": 2, "wait": 0]).success, "1", "the printer is free again")
    }
}
