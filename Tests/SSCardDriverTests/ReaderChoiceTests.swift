import Foundation
import XCTest
@testable import SSCardDriver

/// `iType` is a C integer only at the `i*` layer: it becomes a `ReaderChoice` there, and a value
/// outside 1–4 is −14 naming iType before any reader is asked for a card.
final class ReaderChoiceTests: XCTestCase {
    /// Counts the readers the interface asks for; has none.
    final class ReaderCount: @unchecked Sendable {
        // `@unchecked Sendable`: `value` is touched only under `lock`.
        private let lock = NSLock()
        private var _value = 0
        var value: Int { lock.withLock { _value } }
        func increment() { lock.withLock { _value += 1 } }
    }

    func testITypeOneToFourAreTheFourChoices() throws {
        XCTAssertEqual(try (1...4).map { try ReaderChoice(iType: $0) }, [.contact, .contactless, .contactFirst, .contactlessFirst])
        XCTAssertEqual(ReaderChoice.contactlessFirst.order, [.contactless, .contact])
        for bad in [0, 5, 7, -1, Int.max] {
            XCTAssertThrowsError(try ReaderChoice(iType: bad)) { error in
                let e = error as? InterfaceError
                XCTAssertEqual(e?.code, .badParameter)
                XCTAssertTrue(e?.message.contains("iType=\(bad)") == true, e?.message ?? "")
                XCTAssertTrue(e?.englishMessage.contains("iType=\(bad) is not 1–4") == true, e?.englishMessage ?? "")
            }
        }
        XCTAssertEqual(try ReadCardAuthentication(iAuthType: 1), .pinThenKeys)
        XCTAssertEqual(try ReadCardAuthentication(iAuthType: 2), .keys)
        XCTAssertThrowsError(try ReadCardAuthentication(iAuthType: 3)) { XCTAssertEqual(($0 as? InterfaceError)?.code, .badParameter) }
    }

    func testEveryIFunctionRefusesABadITypeWithMinus14BeforeAnyReader() {
        let asked = ReaderCount()
        let interface = SSCardInterface(securityModule: nil, channelSource: { _, _ in asked.increment(); return nil })
        let info = "411600D1560000050000000000000000|SIM000099|"
        let address = "SSSEEF06|08|09|$"
        let calls: [(String, (Int) -> InterfaceResult)] = [
            ("iReadCardBas", { interface.iReadCardBas($0) }),
            ("iReadCardBas_HSM_Step1", { interface.iReadCardBas_HSM_Step1($0) }),
            ("iReadCard", { interface.iReadCard($0, 2, info, address) }),
            ("iReadCard_HSM_Step1", { interface.iReadCard_HSM_Step1($0, info, address) }),
            ("iWriteCard", { interface.iWriteCard($0, info, address, "SSSEEF06|110101199003071234|张三|$") }),
            ("iWriteCard_HSM_Step1", { interface.iWriteCard_HSM_Step1($0, info, address) }),
            ("iVerifyPIN", { interface.iVerifyPIN($0) }),
            ("iChangePIN", { interface.iChangePIN($0) }),
            ("iReloadPIN", { interface.iReloadPIN($0, info) }),
            ("iUnblockPIN", { interface.iUnblockPIN($0, info) }),
            ("iReloadPIN_HSM_Step1", { interface.iReloadPIN_HSM_Step1($0, info) }),
            ("iUnblockPIN_HSM_Step1", { interface.iUnblockPIN_HSM_Step1($0, info) }),
        ]
        for (name, call) in calls {
            for bad in [0, 5, -3] {
                let result = call(bad)
                XCTAssertEqual(result.code, -14, "\(name)(\(bad)): \(result.output)")
                XCTAssertTrue(result.output.contains("iType=\(bad)"), "\(name)(\(bad)): \(result.output)")
            }
        }
        XCTAssertEqual(asked.value, 0, "no reader was asked for a card")

        // A good iType reaches the readers: this desk has none, so no card (−2 or −13).
        let noReader = interface.iReadCard_HSM_Step1(1, info, address)
        XCTAssertNotEqual(noReader.code, -14, noReader.output)
        XCTAssertGreaterThan(asked.value, 0)
    }

    func testMalformedStringArgumentsAreStillReportedBeforeTheIType() {
        let interface = SSCardInterface(securityModule: nil, channelSource: { _, _ in nil })
        let result = interface.iReadCard(9, 1, "not card info", "SSSEEF06|08|$")
        XCTAssertEqual(result.code, -14)
        XCTAssertTrue(result.output.contains("pCardInfo"), result.output)
        let badAuth = interface.iReadCard(9, 3, "411600D1560000050000000000000000|SIM000099|", "SSSEEF06|08|$")
        XCTAssertTrue(badAuth.output.contains("iAuthType=3"), badAuth.output)
    }
}
