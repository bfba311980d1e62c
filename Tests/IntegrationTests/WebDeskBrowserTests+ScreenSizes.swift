import XCTest

/// Issue 12, "1280×800 and 1920×1080 … the card face preview at true aspect ratio".
extension WebDeskBrowserTests {
    func testBothScreenSizesHaveNoSidewaysScrollAndTheCardFaceKeepsItsShape() throws {
        let result = try scenario("sizes", "DEMO-0001", "DEMO-0003")
        XCTAssertEqual(result["madeOutcome"] as? String, "done", "\(result)")
        let sizes = try XCTUnwrap(result["sizes"] as? [[String: Any]], "\(result)")
        XCTAssertEqual(sizes.compactMap { $0["size"] as? [Int] }, [[1280, 800], [1920, 1080]])
        let panel = 1016.0 / 648.0  // the printable panel at 300 dpi the desk renders (an ID-1 face, 85.60 × 53.98 mm)
        for size in sizes {
            let (width, pages) = (try XCTUnwrap((size["size"] as? [Int])?.first), try XCTUnwrap(size["pages"] as? [[String: Any]]))
            XCTAssertEqual(pages.compactMap { $0["page"] as? String }, ["queue", "application", "issuance", "stock", "result"])
            for page in pages {
                let label = "\(page["page"] ?? "?") at \(width)"
                XCTAssertEqual(page["innerWidth"] as? Int, width, label)
                let scrollWidth = try XCTUnwrap(page["scrollWidth"] as? Int, label)
                XCTAssertLessThanOrEqual(scrollWidth, width, "no horizontal scroll: \(label)")
                let faces = try XCTUnwrap(page["faces"] as? [[String: Any]], label)
                if ["issuance", "result"].contains(page["page"] as? String) { XCTAssertEqual(faces.count, 1, "the preview or the made card: \(label)") }
                for face in faces {
                    let natural = try XCTUnwrap(face["natural"] as? [Int], label)
                    let shown = try XCTUnwrap(face["shown"] as? [Int], label)
                    XCTAssertEqual(natural, [1016, 648], label)
                    XCTAssertGreaterThan(shown[0], 300, "large enough to check: \(label)")
                    XCTAssertEqual(Double(shown[0]) / Double(shown[1]), panel, accuracy: panel * 0.01, "true aspect ratio: \(label) \(shown)")
                    XCTAssertLessThanOrEqual(try XCTUnwrap(face["right"] as? Double ?? (face["right"] as? Int).map(Double.init)), Double(width), label)
                }
            }
        }
    }
}
