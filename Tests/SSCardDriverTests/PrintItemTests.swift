import XCTest
@testable import SSCardDriver
@testable import SSCardPrinter

/// iPrint items: parsing, units, refusals naming the item; the province layout's items.
final class PrintItemTests: XCTestCase {
    static let reference = [
        "姓名  张三|宋体|8.5|320|180", "社会保障号码  110101199003071234|宋体|8.5|320|230",
        "卡号  X00000019|宋体|8.5|320|280", "发卡日期  2024年05月01日|宋体|8.5|320|330",
        "", "", "QUJD|46|127|234|300", "",
    ]

    func testParsesTheProvinceLayout() throws {
        let items = try PrintItems(Self.reference)
        XCTAssertEqual(items.texts.map(\.itemName), ["sData1", "sData2", "sData3", "sData4"])
        XCTAssertEqual(items.texts[0].text, "姓名  张三")
        XCTAssertEqual(items.texts[0].fontName, "宋体")
        XCTAssertEqual(items.texts[0].sizePoints, 8.5)
        XCTAssertEqual(items.texts[3].left, 320)
        XCTAssertEqual(items.texts[3].top, 330)
        XCTAssertEqual(items.texts[0].emDots, 8.5 * 300 / 72, accuracy: 1e-9)
        XCTAssertEqual(items.photos, [PrintPhotoItem(itemName: "sPhoto1", base64: "QUJD", left: 46, top: 127, width: 234, height: 300)])
        XCTAssertFalse(items.isEmpty)
    }

    func testEmptyItemsAndEmptyDataAreNotPrinted() throws {
        XCTAssertTrue(try PrintItems(Array(repeating: "", count: 8)).isEmpty)
        let childWithoutPhoto = try PrintItems(["|宋体|8.5|320|180", "", "", "", "", "", "|46|127|234|300", ""])
        XCTAssertTrue(childWithoutPhoto.isEmpty)
    }

    func testUnitsConvertToDots() throws {
        XCTAssertEqual(PrintUnits.dot300.dots(320), 320)
        XCTAssertEqual(PrintUnits.millimetre.dots(25.4), 300, accuracy: 1e-9)
        XCTAssertEqual(PrintUnits.tenthMillimetre.dots(254), 300, accuracy: 1e-9)
        XCTAssertEqual(PrintUnits(.tenthMillimetre), .tenthMillimetre)
        XCTAssertEqual(PrintUnits(.millimetre), .millimetre)
        XCTAssertEqual(PrintUnits(DriverConfiguration().printUnits), .dot300)
        let mm = try PrintItems(["名|宋体|8.5|27.1|15.2", "", "", "", "", "", "QUJD|3.9|10.8|19.8|25.4", ""], units: .millimetre)
        XCTAssertEqual(mm.texts[0].left, 27.1 / 25.4 * 300, accuracy: 1e-9)
        XCTAssertEqual(mm.texts[0].sizePoints, 8.5, "the size stays in points")
        XCTAssertEqual(mm.photos[0].width, 19.8 / 25.4 * 300, accuracy: 1e-9)
    }

    func testMalformedItemsAreRefusedNamingTheItem() {
        func refusal(_ index: Int, _ item: String) -> InterfaceError? {
            var items = Array(repeating: "", count: 8)
            items[index] = item
            do { _ = try PrintItems(items) } catch { return error }
            return nil
        }
        let cases: [(Int, String, String)] = [
            (0, "姓名  张三|宋体|8.5|320", "sData1"),
            (1, "x|宋体|big|320|180", "sData2"),
            (2, "x|宋体|8.5|320|180|9", "sData3"),
            (3, "x|宋体|0|320|180", "sData4"),
            (4, "x|宋体|8.5|-1|180", "sData5"),
            (5, "x|宋体|8.5|320|nan", "sData6"),
            (6, "QUJD|46|127|0|300", "sPhoto1"),
            (7, "QUJD|46|127|234", "sPhoto2"),
            (7, "QUJD|46|x|234|300", "sPhoto2"),
        ]
        for (index, item, name) in cases {
            let error = refusal(index, item)
            XCTAssertEqual(error?.code, .badParameter, item)
            XCTAssertTrue(error?.message.contains(name) == true, "\(item): \(String(describing: error))")
            XCTAssertTrue(error?.englishMessage.contains(name) == true)
        }
        XCTAssertThrowsError(try PrintItems(["", ""])) { XCTAssertEqual(($0 as? InterfaceError)?.code, .badParameter) }
    }

    func testReferenceLayoutBuildsTheEightItems() throws {
        let holder = CardFaceHolder(name: "张三", socialSecurityNumber: "110101199003071234", cardNumber: "X00000019",
                                    issueDate: "20240501", photoJPEG: Data("ABC".utf8))
        XCTAssertEqual(try ProvinceLayout.reference.printItems(for: holder), Self.reference)
    }

    func testRareNameSwitchesToSongti18030AndNoPhotoLeavesTheBoxEmpty() throws {
        let holder = CardFaceHolder(name: "张䄲", socialSecurityNumber: "HKG012345678", cardNumber: "X00000019",
                                    issueDate: "20240501", photoJPEG: nil)
        let items = try ProvinceLayout.reference.printItems(for: holder)
        XCTAssertEqual(items[0], "姓名  张䄲|宋体-18030|8.5|320|180")
        XCTAssertEqual(items[1], "社会保障号码  HKG012345678|宋体|8.5|320|230")
        XCTAssertEqual(items[6], "|46|127|234|300")
        XCTAssertTrue(ProvinceLayout.holdsRareCharacter("𠀀"))
        XCTAssertFalse(ProvinceLayout.holdsRareCharacter("张三丰"))
        XCTAssertTrue(try PrintItems(items).photos.isEmpty)
    }

    func testLayoutHelperRefusesSeparatorsAndBadDates() {
        let bad = [
            CardFaceHolder(name: "张|三", socialSecurityNumber: "1", cardNumber: "X", issueDate: "20240501", photoJPEG: nil),
            CardFaceHolder(name: "张三", socialSecurityNumber: "1", cardNumber: "X", issueDate: "2024-05-01", photoJPEG: nil),
            CardFaceHolder(name: "张三", socialSecurityNumber: "1", cardNumber: "X", issueDate: "20241301", photoJPEG: nil),
        ]
        for holder in bad {
            XCTAssertThrowsError(try ProvinceLayout.reference.printItems(for: holder)) {
                XCTAssertEqual(($0 as? InterfaceError)?.code, .badParameter)
            }
            XCTAssertThrowsError(try ProvinceLayout.reference.job(for: holder)) {
                XCTAssertEqual(($0 as? InterfaceError)?.code, .badParameter)
            }
        }
    }
}
