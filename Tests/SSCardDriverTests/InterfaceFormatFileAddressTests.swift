import SSCardDriver
import XCTest

/// `pFileAddr`, the read output that mirrors it, and `pWriteData`.
final class InterfaceFormatFileAddressTests: XCTestCase {
    /// The Guizhou write string (GodKingMini/GuiZhouZunYiZhuoMianZhiKa `Sporcard/FormMain.cs`),
    /// SSSE part, and the address it mirrors.
    static let guizhouAddress = "SSSEEF05|01|02|03|04|05|06|07|$SSSEEF06|08|09|0A|0B|0D|$"
    static let guizhouWrite = "SSSEEF05|520300D156000005050842704E187F49|3|1.00|91560000025202005202006A|20191120|20291120|BA0010547|$SSSEEF06|520102198506020233|林岩|1|02|19850602|$"
    static let guizhouWriteWithDF01 = guizhouWrite + "DF01EF05|10|贵州省遵义市|$DF01EF06|贵州省遵义市|563001|13800000000|$"

    func testDocumentedSample() throws {
        let address = try FileAddress(parsing: "SSSEEF05|06|07|$SSSEEF06|08|09|$")
        XCTAssertEqual(address.files.count, 2)
        XCTAssertEqual(address.pairs.map(\.file), [.ef05, .ef06])
        XCTAssertEqual(address.files[0].elements, [.expiryDate, .cardNumber])
        XCTAssertEqual(address.files[1].elements, [.socialSecurityNumber, .name])
        XCTAssertEqual(address.interfaceText, "SSSEEF05|06|07|$SSSEEF06|08|09|$")
        XCTAssertEqual(try FileAddress(parsing: "SSSEEF06|09|$").files, [.init(file: .ef06, elements: [.name])])
    }

    func testOrderIsTheCallersAndHexMayBeLowerCase() throws {
        let address = try FileAddress(parsing: "SSSEEF06|4e|09|0a|$SSSEEF05|07|01|$")
        XCTAssertEqual(address.files.map(\.file), [.ef06, .ef05])
        XCTAssertEqual(address.files[0].elements, [.nameExtension, .name, .sex])
        XCTAssertEqual(address.files[1].elements, [.cardNumber, .cardIdentificationCode])
        XCTAssertEqual(address.interfaceText, "SSSEEF06|4E|09|0A|$SSSEEF05|07|01|$")
        XCTAssertEqual(try FileAddress(parsing: "SSSEEF05|01|$").files[0].elements, [.cardIdentificationCode])
        XCTAssertEqual(try FileAddress(parsing: Self.guizhouAddress).files.map(\.elements.count), [7, 5])
    }

    func testErrorsNameTheItem() {
        func bad(_ text: String, _ mentioning: String, line: UInt = #line) {
            XCTAssertInterfaceError(.badParameter, mentioning: mentioning, { try FileAddress(parsing: text) }, line: line)
        }
        bad("", "为空")
        bad("SSSEEF05|06|07|", "缺少结尾的“$”")
        bad("SSSEEF05|06|07|$SSSEEF06|08|09|", "“SSSEEF06|08|09|”")
        bad("SSSEEF05|06|07$", "缺少“|”")
        bad("SSSEEF05$", "缺少“|”")
        bad("SSSEEF05|$", "没有数据项")
        bad("$", "第1个文件为空")
        bad("SSSEEF05|06|$$", "第2个文件为空")
        bad("3F00EF06|08|09|4E|$", "3F00EF06")
        bad("MFEF05|07|$", "MFEF05")
        bad("DF01EF05|20|$", "DF01EF05")
        bad("SSSEEF09|01|$", "SSSEEF09")
        bad("SSSEEF0|01|$", "SSSEEF0")
        bad("ssseEF05|01|$", "ssseEF05")
        bad("SSSEEF05|08|$", "没有数据项 08")
        bad("SSSEEF06|07|$", "没有数据项 07")
        bad("SSSEEF08|01|$", "SSSEEF08 中没有数据项 01")
        bad("SSSEEF05|6|$", "“6”")
        bad("SSSEEF05|006|$", "“006”")
        bad("SSSEEF05||06|$", "“”")
        bad("SSSEEF05|0G|$", "“0G”")
        bad("SSSEEF05| 6|$", "“ 6”")
        bad("SSSEEF05|06|06|$", "06 重复")
        bad("SSSEEF05|06|$SSSEEF05|07|$", "SSSEEF05 重复")
        bad("SSSEEF05|06|$x", "“x”")
    }

    func testReadOutputMirrorsTheAddress() throws {
        let address = try FileAddress(parsing: "SSSEEF05|06|07|$SSSEEF06|08|09|$")
        let output = address.readOutput(values: [.expiryDate: "20201001", .cardNumber: "X00000019",
                                                 .socialSecurityNumber: "111111198101011110", .name: "张三"])
        XCTAssertEqual(output, "SSSEEF05|20201001|X00000019|$SSSEEF06|111111198101011110|张三|$")
        // A blank card has no EF06 records: the items stay empty.
        XCTAssertEqual(address.readOutput(values: [.expiryDate: "20311202", .cardNumber: "X00000019"]),
                       "SSSEEF05|20311202|X00000019|$SSSEEF06|||$")
    }

    func testGuizhouWriteString() throws {
        let address = try FileAddress(parsing: Self.guizhouAddress)
        let data = try WriteData(parsing: Self.guizhouWrite, address: address)
        XCTAssertEqual(data.interfaceText, Self.guizhouWrite)
        XCTAssertEqual(data.files.map(\.file), [.ef05, .ef06])
        let bytes = Dictionary(uniqueKeysWithValues: data.files.flatMap(\.items).map { ($0.element, $0.cardBytes) })
        XCTAssertEqual(bytes[.cardIdentificationCode]?.hexString, "520300D156000005050842704E187F49")
        XCTAssertEqual(bytes[.cardType], [0x33])
        XCTAssertEqual(bytes[.specificationVersion], Array("1.00".utf8))
        XCTAssertEqual(bytes[.initialisingOrganisation]?.hexString, "91560000025202005202006A")
        XCTAssertEqual(bytes[.issueDate], [0x20, 0x19, 0x11, 0x20])
        XCTAssertEqual(bytes[.expiryDate], [0x20, 0x29, 0x11, 0x20])
        XCTAssertEqual(bytes[.cardNumber], Array("BA0010547".utf8))
        XCTAssertEqual(bytes[.socialSecurityNumber], Array("520102198506020233".utf8))
        XCTAssertEqual(bytes[.name], [0xC1, 0xD6, 0xD1, 0xD2] + [UInt8](repeating: 0, count: 26))
        XCTAssertEqual(bytes[.sex], [0x31])
        XCTAssertEqual(bytes[.ethnicity], [0x02])
        XCTAssertEqual(bytes[.birthDate], [0x19, 0x85, 0x06, 0x02])
        for item in data.files.flatMap(\.items) {
            XCTAssertEqual(item.cardBytes.count, item.element.length, item.element.name)
            XCTAssertEqual(try item.element.interfaceValue(ofCardBytes: item.cardBytes), item.value, item.element.name)
        }
        // The full Guizhou string also writes DF01 files, which this driver does not know.
        XCTAssertInterfaceError(.badParameter, mentioning: "DF01EF05") {
            try FileAddress(parsing: Self.guizhouAddress + "DF01EF05|20|21|$")
        }
        XCTAssertInterfaceError(.illegalData, mentioning: "4个文件") {
            try WriteData(parsing: Self.guizhouWriteWithDF01, address: address)
        }
    }

    func testWriteDataMustMirrorTheAddress() throws {
        let address = try FileAddress(parsing: "SSSEEF06|08|09|4E|$")
        let ok = try WriteData(parsing: "SSSEEF06|520102198506020233|林岩||$", address: address)
        XCTAssertEqual(ok.files[0].items.map(\.value), ["520102198506020233", "林岩", ""])
        XCTAssertEqual(ok.files[0].items[2].cardBytes, [UInt8](repeating: 0, count: 20))
        XCTAssertEqual(try WriteData(parsing: "SSSEEF06|X|张三||$", address: address).files[0].items[0].value, "X")

        XCTAssertInterfaceError(.badParameter, mentioning: "为空") { try WriteData(parsing: "", address: address) }
        XCTAssertInterfaceError(.badParameter, mentioning: "缺少结尾的“$”") { try WriteData(parsing: "SSSEEF06|X|张三||", address: address) }
        XCTAssertInterfaceError(.illegalData, mentioning: "有2个值") { try WriteData(parsing: "SSSEEF06|X|张三|$", address: address) }
        XCTAssertInterfaceError(.illegalData, mentioning: "有4个值") { try WriteData(parsing: "SSSEEF06|X|张三|||$", address: address) }
        XCTAssertInterfaceError(.illegalData, mentioning: "SSSEEF05") { try WriteData(parsing: "SSSEEF05|X|张三||$", address: address) }
        XCTAssertInterfaceError(.illegalData, mentioning: "2个文件") { try WriteData(parsing: "SSSEEF06|X|张三||$SSSEEF06|X|张三||$", address: address) }
        XCTAssertInterfaceError(.dataLength, mentioning: "社会保障号码") { try WriteData(parsing: "SSSEEF06|5201021985060202331|张三||$", address: address) }
        XCTAssertInterfaceError(.illegalCharacters, mentioning: "社会保障号码") { try WriteData(parsing: "SSSEEF06|52010219850602023-|张三||$", address: address) }
    }

    func testMissingSeparatorBeforeDollarInWriteData() throws {
        let address = try FileAddress(parsing: "SSSEEF06|08|09|$")
        XCTAssertInterfaceError(.badParameter, mentioning: "缺少“|”") { try WriteData(parsing: "SSSEEF06|X|张三$", address: address) }
    }
}
