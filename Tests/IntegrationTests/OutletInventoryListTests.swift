import Foundation
import XCTest

/// `issue-station inventory list` on the outlet's books (real PostgreSQL, `OutletStockTests`'
/// harness): every desk has a hopper 1, so the text and `--json` name the desk whose hopper holds
/// each card.
extension OutletStockTests {
    func testInventoryListNamesTheDeskWhoseHopperHoldsEachCard() async throws {
        let desk1 = try deskConfig("desk1"), desk2 = try deskConfig("desk2")
        let file = try sampleFile(cards: 6)
        XCTAssertEqual(try run(desk2, ["inventory", "import", file, "--clerk", "李四"]).status, 0)
        XCTAssertEqual(try run(desk1, ["inventory", "load", "--hopper", "1", "--bank", bank, "--count", "2", "--clerk", "张三"]).status, 0)
        XCTAssertEqual(try run(desk2, ["inventory", "load", "--hopper", "1", "--bank", bank, "--count", "3", "--clerk", "李四"]).status, 0)

        let listed = try run(desk1, ["inventory", "list"])
        XCTAssertEqual(listed.status, 0, listed.output)
        let lines = listed.output.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains { $0.hasPrefix("Card\tBank\tState\tHopper\tDesk\t") }, listed.output)
        func row(_ card: String) -> [String] {
            (lines.first { $0.hasPrefix(card + "\t") } ?? "").components(separatedBy: "\t")
        }
        // Both desks have a hopper 1: the desk column says whose.
        XCTAssertEqual(Array(row("SIM000001").prefix(5)), ["SIM000001", bank, "inHopper", "1", "desk1"], listed.output)
        XCTAssertEqual(Array(row("SIM000003").prefix(5)), ["SIM000003", bank, "inHopper", "1", "desk2"], listed.output)
        XCTAssertEqual(Array(row("SIM000006").prefix(5)), ["SIM000006", bank, "inStock", "-", "-"], listed.output)
        let chinese = try SpawnedProcess(station, ["inventory", "list", "--config", desk1], mergeErrors: true).finish(within: .seconds(120))
        XCTAssertTrue(chinese.lines.contains { $0.hasPrefix("社保卡号\t银行\t状态\t卡盒\t桌面\t") }, "\(chinese.lines)")

        let json = try run(desk1, ["inventory", "list", "--json"])
        XCTAssertEqual(json.status, 0, json.output)
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(json.output.utf8)) as? [String: Any], json.output)
        let cards = try XCTUnwrap(document["cards"] as? [[String: Any]])
        let desks = Dictionary(uniqueKeysWithValues: cards.map { ($0["cardNumber"] as? String ?? "", $0["desk"] as? String ?? "-") })
        XCTAssertEqual(desks, ["SIM000001": "desk1", "SIM000002": "desk1", "SIM000003": "desk2", "SIM000004": "desk2",
                               "SIM000005": "desk2", "SIM000006": "-"])
    }
}
