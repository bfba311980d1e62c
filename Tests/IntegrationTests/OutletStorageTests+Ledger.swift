import Foundation
import InstantIssue
import OutletStorage
import XCTest

/// The outlet's one 台账 chain read by action (real PostgreSQL, `OutletStorageTests`' harness):
/// the counter's lists over the outlet's years read only the entries of the actions they use.
extension OutletStorageTests {
    func testLedgerEntriesOfSomeActionsComeFromEveryDeskOfTheOutletInChainOrder() async throws {
        try await admin.addOutlet("GZ01", deskRoles: ["desk1", "desk2"])
        try await admin.addOutlet("SZ01", deskRoles: ["desk3"])
        let desk1 = try await books("desk1", outlet: "GZ01")
        let desk2 = try await books("desk2", outlet: "GZ01")
        let other = try await books("desk3", outlet: "SZ01")
        for (books, action, subject) in [(desk1, "制卡成功", "A1"), (desk2, "工本费", "A1"), (desk2, "制卡成功", "A2"),
                                         (other, "制卡成功", "S1"), (desk1, "领卡启用", "A1"), (desk2, "回执", "A2")] {
            _ = try await books.appendLedgerEntry(clerk: "张三", action: action, subject: subject, details: "")
        }
        let made = try await desk2.ledgerEntries(actions: ["制卡成功", "领卡启用"])
        XCTAssertEqual(made.map(\.action), ["制卡成功", "制卡成功", "领卡启用"])
        XCTAssertEqual(made.map(\.subject), ["A1", "A2", "A1"], "both desks' entries, not SZ01's")
        XCTAssertEqual(made.map(\.desk), ["desk1", "desk2", "desk1"])
        XCTAssertEqual(made.map(\.seq), made.map(\.seq).sorted())
        let all = try await desk1.ledgerEntries(from: nil, to: nil)
        XCTAssertEqual(made, all.filter { ["制卡成功", "领卡启用"].contains($0.action) }, "the same entries as the whole chain holds")
        let none = try await desk1.ledgerEntries(actions: [])
        XCTAssertEqual(none, [])
        for b in [desk1, desk2, other] { try await b.close() }
    }
}
