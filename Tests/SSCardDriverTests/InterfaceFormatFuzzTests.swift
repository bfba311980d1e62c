import Foundation
import SSCardDriver
import XCTest

/// Feeds random and mutated inputs to every string parser and the ATR parser: each must return
/// a value or throw `InterfaceError` (typed throws make the second half a compile-time fact; a
/// trap would kill the test process). Accepted values must format back to text that parses to
/// the same value. Seeded, so a failure reproduces.
final class InterfaceFormatFuzzTests: XCTestCase {
    /// SplitMix64: small, fast, reproducible.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let corpus: [String] = [
        "639900D15600000500BF7C7A48FB4966|X00000019|",
        "520300d156000005050842704e187f49|BA0010547|",
        "SSSEEF05|06|07|$SSSEEF06|08|09|$",
        InterfaceFormatFileAddressTests.guizhouAddress,
        InterfaceFormatFileAddressTests.guizhouWrite,
        InterfaceFormatFileAddressTests.guizhouWriteWithDF01,
        "SSSEEF06|520102198506020233|林岩||1|02|520102|19850602|$",
        InterfaceFormatBasicInformationTests.specExample,
        InterfaceFormatBasicInformationTests.blankSample,
        InterfaceFormatBasicInformationTests.issuanceSample,
        InterfaceFormatBasicInformationTests.step1Sample,
        "98AB0123456789ABCDEF0123456789AB|40B6FEDCBA9876543210FEDCBA987654|",
        "张三", "䄲𠀀", String(repeating: "张", count: 20), "张[CHUI]",
    ]

    static let atrCorpus: [[UInt8]] = [
        [UInt8](hex: "3B6D0000008C544CB386844116018593CA")!,
        [UInt8](hex: "3B8F8001804F0CA00000030603000100000000006A")!,
        [UInt8](hex: "3BF81300008131FE454A434F5076323431B7")!,
        [UInt8](hex: "3B8D010053494D33863041160000000108")!,
        [UInt8](hex: "3F6225083604")!,
    ]

    /// Scalars that trip parsers: separators, hex of both cases, wide digits, rare and PUA
    /// characters, a combining mark that glues onto a `|`, NUL and controls.
    static let interesting: [Unicode.Scalar] = [
        "|", "|", "$", "$", "0", "9", "A", "F", "a", "f", "G", "X", "x", ".", " ", "\u{0}", "\n", "\u{7F}",
        "\u{301}", "\u{200B}", "\u{FF10}", "张", "䄲", "\u{20000}", "\u{E000}", "\u{F8FF}", "\u{F0000}", "\u{10FFFD}",
        "\u{FFFF}", "\u{FEFF}", "\u{2EBF0}",
    ]

    static let addresses: [FileAddress] = [
        try! FileAddress(parsing: InterfaceFormatFileAddressTests.guizhouAddress),
        try! FileAddress(parsing: "SSSEEF06|08|09|4E|0A|0B|0C|0D|$"),
        try! FileAddress(parsing: "SSSEEF05|06|07|$SSSEEF06|08|09|$"),
    ]

    var rng = SeededGenerator(state: 0x5353_4341_5244_0003)
    var accepted = 0
    var rejected = 0

    func testFuzzEveryParser() {
        let inputs = 100_000
        let start = Date()
        for _ in 0..<inputs {
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: randomBytesInput()
            case 1: mutatedEncodingInput()
            case 2: atrInput()
            default: feedStringParsers(mutatedString())
            }
        }
        let seconds = Date().timeIntervalSince(start)
        print("InterfaceFormat fuzz: \(inputs) inputs, \(accepted) parses accepted, \(rejected) rejected with InterfaceError, \(String(format: "%.1f", seconds)) s")
        XCTAssertGreaterThan(accepted, 1000, "mutations should keep many inputs valid")
        XCTAssertGreaterThan(rejected, 100_000)
    }

    // MARK: Inputs

    /// Random bytes, read the way the C target reads a parameter: as GB18030 (often invalid,
    /// then the parsers never see it) and as lossy UTF-8.
    func randomBytesInput() {
        let bytes = (0..<Int.random(in: 0...80, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        if let text = InterfaceStringEncoding.gb18030.decode(bytes) { feedStringParsers(text) }
        feedStringParsers(String(decoding: bytes, as: UTF8.self))
        feedByteParsers(bytes)
    }

    /// A valid string encoded, its bytes damaged: truncated, flipped, a lead byte inserted.
    func mutatedEncodingInput() {
        let encoding = InterfaceStringEncoding.allCases.randomElement(using: &rng)!
        var bytes = encoding.encode(Self.corpus.randomElement(using: &rng)!)
        for _ in 0..<Int.random(in: 1...3, using: &rng) where !bytes.isEmpty {
            let i = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: bytes.removeSubrange(i...)
            case 1: bytes[i] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            case 2: bytes.insert([0x81, 0xFF, 0x30, 0x80, 0xC0, 0xFE].randomElement(using: &rng)!, at: i)
            default: bytes.remove(at: i)
            }
        }
        let capacity = Int.random(in: -1...(bytes.count + 2), using: &rng)
        let cut = encoding.truncateForBuffer(bytes, capacity: capacity)
        XCTAssertLessThanOrEqual(cut.count, max(0, capacity - 1))
        if let text = encoding.decode(bytes) {
            XCTAssertNotNil(encoding.decode(cut), "a cut of valid \(encoding) must stay valid: \(bytes.hexString) at \(capacity)")
            feedStringParsers(text)
        } else {
            rejected += 1
        }
    }

    func atrInput() {
        var bytes = Self.atrCorpus.randomElement(using: &rng)!
        for _ in 0..<Int.random(in: 0...3, using: &rng) {
            let i = Int.random(in: 0...bytes.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0 where i < bytes.count: bytes[i] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
            case 1 where i < bytes.count: bytes.remove(at: i)
            case 2: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: i)
            default: bytes.removeSubrange(i...)
            }
        }
        feedByteParsers(bytes)
    }

    /// A corpus string after 1–4 mutations at the scalar level.
    func mutatedString() -> String {
        var scalars = Array(Self.corpus.randomElement(using: &rng)!.unicodeScalars)
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let i = Int.random(in: 0...scalars.count, using: &rng)
            switch Int.random(in: 0..<7, using: &rng) {
            case 0 where i < scalars.count:
                scalars.remove(at: i)
            case 1:
                scalars.insert(Self.interesting.randomElement(using: &rng)!, at: i)
            case 2 where i < scalars.count:
                scalars[i] = Self.interesting.randomElement(using: &rng)!
            case 3:
                // Delete a separator.
                if let j = scalars.indices.filter({ scalars[$0] == "|" || scalars[$0] == "$" }).randomElement(using: &rng) {
                    scalars.remove(at: j)
                }
            case 4:
                // Splice with another corpus string.
                let other = Array(Self.corpus.randomElement(using: &rng)!.unicodeScalars)
                let j = Int.random(in: 0...other.count, using: &rng)
                scalars = Array(scalars[..<i]) + Array(other[j...])
            case 5 where i < scalars.count:
                // Duplicate a segment.
                let end = min(scalars.count, i + Int.random(in: 1...20, using: &rng))
                scalars.insert(contentsOf: scalars[i..<end], at: i)
            default:
                scalars.insert(Unicode.Scalar(UInt8.random(in: 0x20...0x7E, using: &rng)), at: i)
            }
        }
        return String(String.UnicodeScalarView(scalars))
    }

    // MARK: Parsers

    func attempt<T>(_ body: () throws(InterfaceError) -> T) -> T? {
        do {
            let value = try body()
            accepted += 1
            return value
        } catch {
            rejected += 1
            XCTAssertLessThan(error.code.rawValue, 0)
            XCTAssertFalse(error.message.isEmpty)
            return nil
        }
    }

    func feedStringParsers(_ text: String) {
        if let info = attempt({ () throws(InterfaceError) in try CardInfoArgument(parsing: text) }) {
            XCTAssertEqual(try? CardInfoArgument(parsing: info.interfaceText), info)
        }
        if let address = attempt({ () throws(InterfaceError) in try FileAddress(parsing: text) }) {
            XCTAssertEqual(try? FileAddress(parsing: address.interfaceText), address)
            _ = address.readOutput(values: [:])
        }
        let address = Self.addresses.randomElement(using: &rng)!
        if let data = attempt({ () throws(InterfaceError) in try WriteData(parsing: text, address: address) }) {
            XCTAssertEqual(try? WriteData(parsing: data.interfaceText, address: address), data)
        }
        if let info = attempt({ () throws(InterfaceError) in try BasicInformation(parsing: text) }) {
            XCTAssertEqual(try? BasicInformation(parsing: info.interfaceText), info)
        }
        if let step = attempt({ () throws(InterfaceError) in try HSMAuthenticationChallenge(parsing: text) }) {
            XCTAssertEqual(try? HSMAuthenticationChallenge(parsing: step.interfaceText), step)
        }
        if let key = attempt({ () throws(InterfaceError) in try HSMAuthenticationKey(parsing: text) }) {
            XCTAssertEqual(try? HSMAuthenticationKey(parsing: key.interfaceText), key)
        }
        if let split = attempt({ () throws(InterfaceError) in try NameSplit(fullName: text) }) {
            XCTAssertEqual(split.fullName, text)
        }
        let element = CardElement.all.randomElement(using: &rng)!
        if let bytes = attempt({ () throws(InterfaceError) in try element.cardBytes(forInterfaceValue: text) }) {
            XCTAssertEqual(bytes.count, element.length)
            if element.encoding != .binary {
                XCTAssertEqual(try? element.interfaceValue(ofCardBytes: bytes), text, "\(element.name) \(text)")
            }
        }
        if let atr = attempt({ () throws(InterfaceError) in try AnswerToReset(hex: text) }) {
            XCTAssertEqual(try? AnswerToReset(bytes: atr.bytes), atr)
        }
    }

    func feedByteParsers(_ bytes: [UInt8]) {
        if let atr = attempt({ () throws(InterfaceError) in try AnswerToReset(bytes: bytes) }) {
            XCTAssertLessThanOrEqual(atr.historicalBytes.count, 15)
            XCTAssertEqual(atr.bytes, bytes)
        }
        let element = CardElement.all.randomElement(using: &rng)!
        if let value = attempt({ () throws(InterfaceError) in try element.interfaceValue(ofCardBytes: bytes) }) {
            XCTAssertFalse(value.unicodeScalars.contains("|") || value.unicodeScalars.contains("$"), value)
        }
    }
}
