import SSCardDriver
import XCTest

/// Element values: checks, encoding to card bytes, decoding from card bytes; names and NameSplit.
final class InterfaceFormatElementValueTests: XCTestCase {
    func testEncodingsPadAsTheCardStoresThem() throws {
        XCTAssertEqual(try CardElement.cardNumber.cardBytes(forInterfaceValue: "X00000019"), Array("X00000019".utf8))
        XCTAssertEqual(try CardElement.socialSecurityNumber.cardBytes(forInterfaceValue: "HKG012345678"),
                       Array("HKG012345678".utf8) + [0, 0, 0, 0, 0, 0])
        XCTAssertEqual(try CardElement.birthPlace.cardBytes(forInterfaceValue: "520102"), [0x52, 0x01, 0x02])
        XCTAssertEqual(try CardElement.ethnicity.cardBytes(forInterfaceValue: "01"), [0x01])
        XCTAssertEqual(try CardElement.sex.cardBytes(forInterfaceValue: "2"), [0x32])
        XCTAssertEqual(try CardElement.issueDate.cardBytes(forInterfaceValue: "20240229"), [0x20, 0x24, 0x02, 0x29])
        XCTAssertEqual(try CardElement.initialisingOrganisation.cardBytes(forInterfaceValue: "915666666254260054010aa1").hexString,
                       "915666666254260054010AA1")
        XCTAssertEqual(try CardElement.name.cardBytes(forInterfaceValue: "张三"), [0xD5, 0xC5, 0xC8, 0xFD] + [UInt8](repeating: 0, count: 26))
    }

    func testDecodingGivesTheInterfaceValue() throws {
        XCTAssertEqual(try CardElement.name.interfaceValue(ofCardBytes: [0xD5, 0xC5, 0xC8, 0xFD, 0, 0, 0]), "张三")
        XCTAssertEqual(try CardElement.name.interfaceValue(ofCardBytes: [UInt8](repeating: 0, count: 30)), "")
        XCTAssertEqual(try CardElement.nameExtension.interfaceValue(ofCardBytes: [0x82, 0x32, 0xC5, 0x32, 0x95, 0x32, 0x82, 0x36, 0]), "䄲𠀀")
        XCTAssertEqual(try CardElement.birthDate.interfaceValue(ofCardBytes: [0x19, 0x81, 0x01, 0x01]), "19810101")
        XCTAssertEqual(try CardElement.birthPlace.interfaceValue(ofCardBytes: [0x52, 0x01, 0xFF]), "5201")
        XCTAssertEqual(try CardElement.cardIdentificationCode.interfaceValue(ofCardBytes: [UInt8](hex: "639900d15600000500bf7c7a48fb4966")!),
                       "639900D15600000500BF7C7A48FB4966")
        XCTAssertEqual(try CardElement.socialSecurityNumber.interfaceValue(ofCardBytes: Array("111111198101011110".utf8)), "111111198101011110")
        XCTAssertEqual(try CardElement.specificationVersion.interfaceValue(ofCardBytes: [0x33, 0x2E, 0x30, 0x30]), "3.00")
        XCTAssertEqual(try CardElement.cardNumber.interfaceValue(ofCardBytes: Array("X00000019".utf8) + [0xFF]), "X00000019")
    }

    func testBadCardBytesAreRefused() {
        XCTAssertInterfaceError(.illegalCharacters, mentioning: "BCD") { try CardElement.birthDate.interfaceValue(ofCardBytes: [0x19, 0x8A, 0x01, 0x01]) }
        XCTAssertInterfaceError(.illegalCharacters, mentioning: "GB18030") { try CardElement.name.interfaceValue(ofCardBytes: [0xD5, 0x7F]) }
        XCTAssertInterfaceError(.illegalCharacters, mentioning: "U+7C") { try CardElement.name.interfaceValue(ofCardBytes: [0xD5, 0xC5, 0x7C]) }
        XCTAssertInterfaceError(.illegalCharacters, mentioning: "U+E000") { try CardElement.name.interfaceValue(ofCardBytes: [0xAA, 0xA1]) }
        XCTAssertInterfaceError(.illegalCharacters, mentioning: "ASCII") { try CardElement.cardNumber.interfaceValue(ofCardBytes: [0x58, 0x24, 0x30]) }
        XCTAssertInterfaceError(.illegalCharacters, mentioning: "ASCII") { try CardElement.socialSecurityNumber.interfaceValue(ofCardBytes: [0x31, 0x00, 0x32]) }
    }

    func testValueChecksAndTheirCodes() {
        func check(_ element: CardElement, _ value: String, _ code: InterfaceCode, line: UInt = #line) {
            XCTAssertInterfaceError(code, mentioning: element.name, { try element.cardBytes(forInterfaceValue: value) }, line: line)
        }
        check(.cardIdentificationCode, "520300D156000005050842704E187F4", .dataLength)
        check(.cardIdentificationCode, "520300D156000005050842704E187F4Z", .illegalCharacters)
        check(.cardIdentificationCode, "520300D156000006050842704E187F49", .badCardIdentificationFormat)
        check(.cardType, "33", .dataLength)
        check(.cardType, "", .dataLength)
        check(.cardType, "-", .illegalCharacters)
        check(.specificationVersion, "3.0", .dataLength)
        check(.specificationVersion, "30.0", .illegalCharacters)
        check(.specificationVersion, "3,00", .illegalCharacters)
        check(.initialisingOrganisation, "9156", .dataLength)
        for date in ["20190230", "20191301", "20190000", "00000101", "19000229", "20231131"] {
            check(.issueDate, date, .illegalCharacters)
        }
        check(.expiryDate, "2029112", .dataLength)
        check(.birthDate, "1985-06-02", .illegalCharacters)
        check(.cardNumber, "BA001054", .dataLength)
        check(.cardNumber, "BA001054７", .illegalCharacters)
        check(.socialSecurityNumber, "", .dataLength)
        check(.socialSecurityNumber, "5201021985060202331", .dataLength)
        check(.socialSecurityNumber, "52010219850602023x ", .illegalCharacters)
        check(.sex, "3", .illegalCharacters)
        check(.sex, "0", .illegalCharacters)
        check(.sex, "12", .dataLength)
        check(.sex, "男", .illegalCharacters)
        check(.ethnicity, "1", .dataLength)
        check(.ethnicity, "汉", .illegalCharacters)
        check(.birthPlace, "52010", .dataLength)
        check(.birthPlace, "52010X", .illegalCharacters)
        check(.name, "", .dataLength)
        check(.name, String(repeating: "张", count: 16), .dataLength)
        check(.nameExtension, String(repeating: "张", count: 11), .dataLength)
        check(.name, "张\u{E000}", .illegalCharacters)
        check(.name, "张\u{F0000}", .illegalCharacters)
        check(.name, "张\u{10FFFD}", .illegalCharacters)
        check(.name, "张\t三", .illegalCharacters)
        check(.name, "张\u{200B}三", .illegalCharacters)
        XCTAssertNoThrow(try CardElement.issueDate.cardBytes(forInterfaceValue: "20000229"))
        XCTAssertNoThrow(try CardElement.expiryDate.cardBytes(forInterfaceValue: "99991231"))
        XCTAssertNoThrow(try CardElement.sex.cardBytes(forInterfaceValue: "9"))
        XCTAssertNoThrow(try CardElement.name.cardBytes(forInterfaceValue: String(repeating: "张", count: 15)))
        XCTAssertNoThrow(try CardElement.name.cardBytes(forInterfaceValue: "张[CHUI]"))
        XCTAssertNoThrow(try CardElement.socialSecurityNumber.cardBytes(forInterfaceValue: "11111119810101111X"))
    }

    func testRareCharactersRoundTripThroughTheCard() throws {
        for name in ["䄲", "𠀀", "张䄲𠀀", "𪛖𫓧𬴂𩽾𫄧𫠆", "䶮𫰡𬎆𰌂"] {
            let bytes = try CardElement.name.cardBytes(forInterfaceValue: name)
            XCTAssertEqual(bytes.count, 30)
            XCTAssertEqual(try CardElement.name.interfaceValue(ofCardBytes: bytes), name)
        }
        XCTAssertEqual(try CardElement.name.cardBytes(forInterfaceValue: "䄲").prefix(4), [0x82, 0x32, 0xC5, 0x32])
        XCTAssertEqual(try CardElement.name.cardBytes(forInterfaceValue: "𠀀").prefix(4), [0x95, 0x32, 0x82, 0x36])
    }

    func testNameSplitOnCharacterBoundaries() throws {
        let short = try NameSplit(fullName: "张三")
        XCTAssertEqual(short.name, "张三")
        XCTAssertEqual(short.nameExtension, "")

        let fifteen = String(repeating: "张", count: 15)
        XCTAssertEqual(try NameSplit(fullName: fifteen).nameExtension, "")
        let sixteen = try NameSplit(fullName: fifteen + "三")
        XCTAssertEqual(sixteen.name, fifteen)
        XCTAssertEqual(sixteen.nameExtension, "三")
        XCTAssertEqual(sixteen.fullName, fifteen + "三")

        // 14 two-byte characters take 28 bytes; 𠀀 (4 bytes) does not fit the 2 left.
        let fourteen = String(repeating: "张", count: 14)
        let rare = try NameSplit(fullName: fourteen + "𠀀䄲")
        XCTAssertEqual(rare.name, fourteen)
        XCTAssertEqual(rare.nameExtension, "𠀀䄲")

        // Once the name is full, everything after goes to the extension, even characters that
        // would fit the name's last bytes: the two parts join back in order.
        let mixed = try NameSplit(fullName: fourteen + "𠀀a")
        XCTAssertEqual(mixed.name, fourteen)
        XCTAssertEqual(mixed.nameExtension, "𠀀a")

        // A combining sequence stays whole.
        let combining = try NameSplit(fullName: String(repeating: "a", count: 29) + "e\u{301}")
        XCTAssertEqual(combining.name, String(repeating: "a", count: 29))
        XCTAssertEqual(combining.nameExtension, "e\u{301}")

        // 30 + 20 bytes is the most.
        XCTAssertNoThrow(try NameSplit(fullName: String(repeating: "张", count: 25)))
        XCTAssertInterfaceError(.dataLength, mentioning: "52字节") { try NameSplit(fullName: String(repeating: "张", count: 26)) }
        XCTAssertInterfaceError(.dataLength, mentioning: "为空") { try NameSplit(fullName: "") }
        XCTAssertInterfaceError(.illegalCharacters, mentioning: "私用区") { try NameSplit(fullName: "张\u{E000}") }
        XCTAssertInterfaceError(.illegalCharacters, mentioning: "U+F8FF") { try NameSplit(fullName: "\u{F8FF}三") }
        XCTAssertInterfaceError(.illegalCharacters, mentioning: "私用区") { try NameSplit(fullName: "张\u{100000}") }
        XCTAssertInterfaceError(.illegalCharacters, mentioning: "分隔符") { try NameSplit(fullName: "张|三") }
        XCTAssertInterfaceError(.illegalCharacters, mentioning: "控制字符") { try NameSplit(fullName: "张\u{0}三") }
    }
}
