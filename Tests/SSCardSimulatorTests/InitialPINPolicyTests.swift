import Foundation
import XCTest
import SSCardDriver
import SSCardSimulator

/// 《广东省社会保障卡经办规程》第十八条: 社保应用密码必须经持卡人本人设置确认后，才能…正常使用.
/// With `initialPIN` "counter-only" the driver answers −35 (初始密码不能交易) for the initial PIN
/// outside the counter, without sending it; the counter's own interface may still use it, so
/// the holder can set their PIN at handover.
final class InitialPINPolicyTests: XCTestCase {
    private func desk(_ setting: DriverConfiguration.InitialPINSetting, counter: Bool) throws -> (SSCardInterface, SimulatedSSCard) {
        let image = try PreMadeCardFactory().personalisedCard(.sample(sequence: 1), holder: .sample)
        let card = SimulatedSSCard(image: image)
        let channel = SimulatedCardChannel(card: card)
        var configuration = DriverConfiguration()
        configuration.initialPIN = setting
        let interface = SSCardInterface(configuration: configuration, securityModule: SimulatedHSM(),
                                        channelSource: { kind, _ in kind == .contact ? channel : nil }, isCounter: counter)
        return (interface, card)
    }

    func testArticle18CounterOnlyRefusesTheInitialPINOutsideTheCounterWithMinus35() throws {
        let (interface, card) = try desk(.counterOnly, counter: false)
        let answer = interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: "123456").entry)
        XCTAssertEqual(answer.code, -35, answer.output)
        XCTAssertTrue(answer.output.contains("初始密码不能交易"), answer.output)
        XCTAssertFalse(answer.output.contains("123456"))
        XCTAssertEqual(card.image.userPIN.triesLeft, 6, "nothing was sent to the card")
    }

    func testArticle18TheCounterMayUseTheInitialPINToSetTheHoldersOwn() throws {
        let (interface, _) = try desk(.counterOnly, counter: true)
        XCTAssertEqual(interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: "123456").entry).code, 0)
        let change = ScriptedPINs(current: "123456", new: "204719", again: "204719")
        XCTAssertEqual(interface.iChangePIN(1, pinEntry: change.entry).code, 0)
    }

    func testArticle18AnotherPINPassesOutsideTheCounterAndUsableKeepsTheOldBehaviour() throws {
        let (counterOnly, _) = try desk(.counterOnly, counter: false)
        // The card's own verdict on a PIN that is not the initial one: wrong, tries counted.
        XCTAssertEqual(counterOnly.iVerifyPIN(1, pinEntry: ScriptedPINs(current: "654321").entry).code, -51)
        let (usable, _) = try desk(.usable, counter: false)
        XCTAssertEqual(usable.iVerifyPIN(1, pinEntry: ScriptedPINs(current: "123456").entry).code, 0)
    }

    func testTheSettingIsReadFromDriverJSONAndAnUnknownWordIsRefused() throws {
        let decoded = try JSONDecoder().decode(DriverConfiguration.self, from: Data(#"{"initialPIN": "counter-only"}"#.utf8))
        XCTAssertEqual(decoded.initialPIN, .counterOnly)
        XCTAssertEqual(try JSONDecoder().decode(DriverConfiguration.self, from: Data("{}".utf8)).initialPIN, .usable)
        XCTAssertThrowsError(try JSONDecoder().decode(DriverConfiguration.self, from: Data(#"{"initialPIN": "never"}"#.utf8)))
    }
}
