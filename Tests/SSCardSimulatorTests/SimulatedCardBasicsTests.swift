import XCTest
import SSCardDriver
@testable import SSCardSimulator

/// ATR, power, command parsing, CLA/INS routing and SELECT.
final class SimulatedCardBasicsTests: XCTestCase {
    func testATRIsValidT1WithRegionAndCardIDInTheHistoricalBytes() throws {
        let t = try TestTerminal.blank()
        let atr = t.card.atr
        let id = t.cardID
        XCTAssertEqual(atr[0], 0x3B)
        XCTAssertEqual(atr[1], 0x8D, "TD1 present, 13 historical bytes")
        XCTAssertEqual(atr[2], 0x01, "T=1, no further interface bytes")
        let historical = Array(atr[3..<16])
        XCTAssertEqual(historical.hexString, "0053494D338630411600" + Array(id[13..<16]).hexString)
        XCTAssertEqual(atr.count, 17)
        XCTAssertEqual(atr.dropFirst().reduce(0, ^), 0, "TCK makes the XOR of T0…TCK zero")
        XCTAssertEqual(t.channel.atr, atr)
    }

    func testT0ATRHasNoInterfaceBytesAndNoTCK() throws {
        let t = try TestTerminal.blank(t0: true)
        XCTAssertEqual(Array(t.card.atr.prefix(2)), [0x3B, 0x0D])
        XCTAssertEqual(t.card.atr.count, 15)
        XCTAssertEqual(Array(t.card.atr.dropFirst(2)), SimulatedATR.historicalBytes(cardID: t.card.image.cardIdentificationCode))
    }

    func testUnpoweredCardAnswersNothingUseful() throws {
        let card = SimulatedSSCard(image: try PreMadeCardFactory().blankCard(.sample()))
        XCTAssertEqual(card.process([UInt8](hex: "00A404000F" + SSSE.aid.hexString)!), [0x6F, 0x00])
        card.powerOn()
        XCTAssertEqual(card.process([UInt8](hex: "00A404000F" + SSSE.aid.hexString)!).suffix(2), [0x90, 0x00])
        card.powerOff()
        XCTAssertEqual(card.process([UInt8](hex: "0084000008")!), [0x6F, 0x00])
    }

    func testUnknownClassAndInstruction() throws {
        let t = try TestTerminal.blank()
        XCTAssertEqual(t.sw("10A4040000"), 0x6E00)
        XCTAssertEqual(t.sw("80A4000002EF05"), 0x6E00, "a known INS under the wrong class")
        XCTAssertEqual(t.sw("00FE000000"), 0x6D00)
        XCTAssertEqual(t.sw("80FE0000"), 0x6D00)
    }

    func testMalformedAPDUsAnswer6700() throws {
        let t = try TestTerminal.blank()
        for hex in ["", "00", "00A4", "00A404", "00A404000F7378", "00A4040002EF", "00B2010400FF", "00DC010405010203"] {
            XCTAssertEqual(t.send([UInt8](hex: hex)!).statusWord.rawValue, 0x6700, hex)
        }
    }

    func testSelectByAIDAndFileID() throws {
        let t = try TestTerminal.blank()
        let fci = t.send(CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x00, data: SSSE.aid))
        XCTAssertEqual(fci.statusWord, .success)
        XCTAssertEqual(fci.data.hexString, "6F19840F" + SSSE.aid.hexString + "A5069F0C03860103")
        XCTAssertEqual(t.send(CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x0C, data: SSSE.aid)).data, [], "P2 0C: no FCI")
        XCTAssertEqual(t.sw("00A4000002EF05"), 0x9000)
        XCTAssertEqual(t.sw("00A4020002EF06"), 0x9000)
        XCTAssertEqual(t.sw("00A4020002EF09"), 0x6A82)
        XCTAssertEqual(t.sw("00A40000020012"), 0x6A82, "PKI files are not in the SSSE")
        XCTAssertEqual(t.sw("00A40000023F00"), 0x9000)
        XCTAssertEqual(t.sw("00A4000002EF05"), 0x6A82, "EF05 is not under the MF")
        XCTAssertEqual(t.sw("00A40200023F00"), 0x6A82, "P1 02 selects an EF only")
    }

    func testSelectRefusals() throws {
        let t = try TestTerminal.blank()
        XCTAssertEqual(t.sw(CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x00, data: Array(SSSE.aid.dropLast()))), 0x6A82)
        XCTAssertEqual(t.sw(CommandAPDU(ins: 0xA4, p1: 0x04, p2: 0x00, data: SSSE.certADFAID)), 0x6A82, "ADF1 only under PKI")
        XCTAssertEqual(t.sw("00A4040000"), 0x6700, "no AID")
        XCTAssertEqual(t.sw("00A4000003EF0500"), 0x6700, "file id of 3 bytes")
        XCTAssertEqual(t.sw("00A4000001EF"), 0x6700)
        XCTAssertEqual(t.sw("00A4080002EF05"), 0x6A86)
        XCTAssertEqual(t.sw("00A4000402EF05"), 0x6A86)
        XCTAssertEqual(t.sw("00A4040F" + "0F" + SSSE.aid.hexString), 0x6A86)
    }

    func testSelectPKIThenCertificateADF() throws {
        let t = try TestTerminal.blank()
        t.selectCertificateADF(file: .signingPublicKey)
        XCTAssertEqual(t.sw("00A4000002EF05"), 0x6A82)
        XCTAssertEqual(t.sw("00A40000020018"), 0x9000)
        XCTAssertEqual(t.sw("00A40000020017"), 0x6A82)
    }

    func testHostileBytesNeverCrashAndAlwaysEndInAStatusWord() throws {
        let t = try TestTerminal.personalised()
        var generator = SystemRandomNumberGenerator()
        let classes: [UInt8] = [0x00, 0x80, 0x84, 0x0C]
        let instructions: [UInt8] = [0xA4, 0xB2, 0xDC, 0x84, 0x88, 0x82, 0x20, 0x5E, 0x24, 0x40, 0x4E, 0xB0, 0xD6, 0xD4, 0x2A, 0xC0]
        for round in 0..<3000 {
            var bytes: [UInt8] = [classes.randomElement(using: &generator)!, instructions.randomElement(using: &generator)!]
            let extra = Int.random(in: 0..<(round % 10 == 0 ? 300 : 40), using: &generator)
            bytes += (0..<extra).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if round % 7 == 0, (5...260).contains(bytes.count) { bytes[4] = UInt8(bytes.count - 5) }   // a consistent Lc now and then
            if round % 50 == 0 { t.selectSSSE(file: .ef06) }
            if round % 50 == 25 { t.selectCertificateADF(file: .signingCertificate) }
            let answer = t.card.process(bytes)
            XCTAssertGreaterThanOrEqual(answer.count, 2)
        }
        XCTAssertEqual(t.card.image.records.recordNumbers(in: .ef05).count, 7, "no unauthenticated write got through")
    }
}
