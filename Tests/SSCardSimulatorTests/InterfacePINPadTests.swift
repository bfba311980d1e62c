import Foundation
import Synchronization
import XCTest
import SSCardDriver
import SSCardPrinter
import SSCardSimulator

/// A PC/SC part 10 PIN-pad reader in front of a simulated card, doing what reader firmware
/// does with a PIN_VERIFY/MODIFY_STRUCTURE: read the fields at reader.h's offsets, check the
/// typed PIN against the min/max, pack it as BCD into the APDU template at the insertion
/// offsets, and send the APDU to the card.
final class FakePINPadReader: PINPadChannel {
    enum Keys: Sendable { case typed([String]), cancel, timeOut }
    static let verifyCode: UInt32 = 0x4233_0006
    static let modifyCode: UInt32 = 0x4233_0007

    let channel: SimulatedCardChannel
    let hasPINPad: Bool
    private let keys: Mutex<Keys>
    private let sent = Mutex<[(code: UInt32, data: [UInt8])]>([])

    init(card: SimulatedSSCard, hasPINPad: Bool = true, keys: Keys = .typed([])) {
        channel = SimulatedCardChannel(card: card)
        self.hasPINPad = hasPINPad
        self.keys = Mutex(keys)
    }

    func press(_ keys: Keys) { self.keys.withLock { $0 = keys } }
    var controlCalls: [(code: UInt32, data: [UInt8])] { sent.withLock { $0 } }

    var atr: [UInt8] { channel.atr }
    func transmitRaw(_ command: [UInt8]) throws -> [UInt8] { try channel.transmitRaw(command) }

    func pinPadFeatures() throws -> ReaderFeatures {
        guard hasPINPad else { return ReaderFeatures(tlv: []) }
        func tlv(_ tag: UInt8, _ code: UInt32) -> [UInt8] { [tag, 4] + (0..<4).map { UInt8(truncatingIfNeeded: code >> (24 - 8 * $0)) } }
        return ReaderFeatures(tlv: tlv(0x06, Self.verifyCode) + tlv(0x07, Self.modifyCode))
    }

    func pinPadControl(code: UInt32, data: [UInt8], timeout: Duration) throws -> [UInt8] {
        sent.withLock { $0.append((code, data)) }
        let entries: [String]
        switch keys.withLock({ $0 }) {
        case .cancel: return [0x64, 0x01]
        case .timeOut: return [0x64, 0x00]
        case .typed(let list): entries = list
        }
        let modify = code == Self.modifyCode
        let header = modify ? PINModifyStructure.headerSize : PINVerifyStructure.headerSize
        func u16(_ at: Int) -> Int { Int(data[at]) | Int(data[at + 1]) << 8 }
        func u32(_ at: Int) -> Int { u16(at) | u16(at + 2) << 16 }
        var apdu = Array(data[header...])
        guard u32(header - 4) == apdu.count else { return [0x6B, 0x80] }
        let format = data[2]
        guard format & 0x80 != 0, format & 0x03 == 0x01, format & 0x04 == 0 else { return [0x6B, 0x80] }
        let position = Int(format >> 3 & 0x0F)
        let block = Int(data[3] & 0x0F)
        let extra = u16(modify ? 7 : 5)
        let (minimum, maximum) = (extra >> 8, extra & 0xFF)
        func insert(_ pin: String, at offset: Int) -> Bool {
            let digits = Array(pin.utf8).map { $0 - 0x30 }
            guard (minimum...maximum).contains(digits.count), digits.count <= 2 * block else { return false }
            for (i, d) in digits.enumerated() {
                let at = 5 + offset + i / 2
                apdu[at] = i % 2 == 0 ? (d << 4 | apdu[at] & 0x0F) : (apdu[at] & 0xF0 | d)
            }
            return true
        }
        if modify {
            guard entries.count == 3 else { return [0x64, 0x01] }
            guard data[9] & 0x01 == 0 || entries[1] == entries[2] else { return [0x64, 0x02] }
            guard insert(entries[0], at: position + Int(data[5])), insert(entries[1], at: position + Int(data[6])) else { return [0x64, 0x03] }
        } else {
            guard entries.count == 1 else { return [0x64, 0x01] }
            guard insert(entries[0], at: position) else { return [0x64, 0x03] }
        }
        let answer = try channel.transmitRaw(apdu)
        return Array(answer.suffix(2))
    }
}

/// PIN pads (PC/SC part 10 structures) and the terminal PIN entry.
final class InterfacePINPadTests: XCTestCase {
    static func desk(hasPINPad: Bool = true) throws -> (SSCardInterface, FakePINPadReader, SimulatedSSCard) {
        let card = SimulatedSSCard(image: try PreMadeCardFactory().personalisedCard(.sample(), holder: .sample))
        let reader = FakePINPadReader(card: card, hasPINPad: hasPINPad)
        let interface = SSCardInterface(configuration: DriverConfiguration(), securityModule: SimulatedHSM(),
                                        channelSource: { kind, _ in kind == .contact ? reader : nil })
        return (interface, reader, card)
    }

    // MARK: Structure bytes

    func testVerifyStructureBytes() {
        let bytes = PINVerifyStructure(ssseVerify: PINPadFormat()).bytes
        XCTAssertEqual(bytes.hexString,
                       "3C00" + "81" + "03" + "00" + "0606" + "02" + "01" + "0408" + "00" + "000000" + "08000000"
                       + "0020000003FFFFFF")
        XCTAssertEqual(PINVerifyStructure.headerSize, 19)
        // 5 digits: 3-byte block, the reader leaves the last nibble F.
        let five = PINVerifyStructure(ssseVerify: PINPadFormat(digits: 5, timeoutSeconds: 30)).bytes
        XCTAssertEqual(five.hexString, "1E00810300050502010408000000000800000000200000" + "03FFFFFF")
    }

    func testModifyStructureBytes() {
        let bytes = PINModifyStructure(ssseChange: PINPadFormat(digits: 8, timeoutSeconds: 45, languageID: 0x0409)).bytes
        XCTAssertEqual(bytes.hexString,
                       "2D00" + "81" + "04" + "00" + "00" + "05" + "0808" + "03" + "02" + "03" + "0904" + "000102" + "000000"
                       + "0E000000" + "805E010009" + "FFFFFFFF" + "FF" + "FFFFFFFF")
        XCTAssertEqual(PINModifyStructure.headerSize, 24)
    }

    /// The same values written into reader.h's own structs by a C compiler give the same bytes.
    func testStructuresMatchReaderH() throws {
        let header = URL(fileURLWithPath: "/usr/include/PCSC/reader.h")
        let gcc = URL(fileURLWithPath: "/usr/bin/gcc")
        guard FileManager.default.fileExists(atPath: header.path), FileManager.default.isExecutableFile(atPath: gcc.path) else {
            throw XCTSkip("needs gcc and pcsc-lite's reader.h")
        }
        let verify = PINVerifyStructure(ssseVerify: PINPadFormat(digits: 7, timeoutSeconds: 200, languageID: 0x1234))
        let modify = PINModifyStructure(ssseChange: PINPadFormat(digits: 12, timeoutSeconds: 9, languageID: 0xABCD))
        func cBytes(_ b: [UInt8]) -> String { b.map { String(format: "0x%02X", $0) }.joined(separator: ",") }
        let source = """
        #include <stdio.h>
        #include <string.h>
        #include <stddef.h>
        #include <PCSC/reader.h>
        static void dump(const unsigned char *p, size_t n) { for (size_t i = 0; i < n; i++) printf("%02X", p[i]); printf("\\n"); }
        int main(void) {
            unsigned char vb[128] = {0}, mb[128] = {0};
            const unsigned char vapdu[] = {\(cBytes(verify.apdu))}, mapdu[] = {\(cBytes(modify.apdu))};
            PIN_VERIFY_STRUCTURE *v = (PIN_VERIFY_STRUCTURE *)vb;
            v->bTimerOut = 200; v->bTimerOut2 = 0; v->bmFormatString = 0x81; v->bmPINBlockString = 4;
            v->bmPINLengthFormat = 0; v->wPINMaxExtraDigit = 0x0707; v->bEntryValidationCondition = 2;
            v->bNumberMessage = 1; v->wLangId = 0x1234; v->bMsgIndex = 0;
            v->ulDataLength = sizeof vapdu; memcpy(v->abData, vapdu, sizeof vapdu);
            dump(vb, sizeof(PIN_VERIFY_STRUCTURE) + sizeof vapdu);
            PIN_MODIFY_STRUCTURE *m = (PIN_MODIFY_STRUCTURE *)mb;
            m->bTimerOut = 9; m->bTimerOut2 = 0; m->bmFormatString = 0x81; m->bmPINBlockString = 6;
            m->bmPINLengthFormat = 0; m->bInsertionOffsetOld = 0; m->bInsertionOffsetNew = 7;
            m->wPINMaxExtraDigit = 0x0C0C; m->bConfirmPIN = 3; m->bEntryValidationCondition = 2;
            m->bNumberMessage = 3; m->wLangId = 0xABCD; m->bMsgIndex1 = 0; m->bMsgIndex2 = 1; m->bMsgIndex3 = 2;
            m->ulDataLength = sizeof mapdu; memcpy(m->abData, mapdu, sizeof mapdu);
            dump(mb, sizeof(PIN_MODIFY_STRUCTURE) + sizeof mapdu);
            printf("%zu %zu %zu %zu\\n", sizeof(PIN_VERIFY_STRUCTURE), offsetof(PIN_VERIFY_STRUCTURE, ulDataLength),
                   sizeof(PIN_MODIFY_STRUCTURE), offsetof(PIN_MODIFY_STRUCTURE, ulDataLength));
            return 0;
        }
        """
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("readerh-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("layout.c"), binary = dir.appendingPathComponent("layout")
        try Data(source.utf8).write(to: file)
        XCTAssertEqual(try Self.run(gcc, ["-Wall", "-Werror", "-std=c99", file.path, "-o", binary.path]).status, 0)
        let lines = try Self.run(binary, []).output.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, 3, "\(lines)")
        XCTAssertEqual(lines[0], verify.bytes.hexString)
        XCTAssertEqual(lines[1], modify.bytes.hexString)
        XCTAssertEqual(lines[2], "19 15 24 20")
    }

    static func run(_ tool: URL, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    func testReaderAnswersMapToInterfaceCodes() {
        let table: [([UInt8], Int?)] = [
            ([0x90, 0x00], nil), ([0x64, 0x00], -32), ([0x64, 0x01], -31), ([0x64, 0x02], -34), ([0x64, 0x03], -33),
            ([0x6B, 0x80], -13), ([0x63, 0xC3], -51), ([0x63, 0xC0], -52), ([0x69, 0x83], -52), ([0x6A, 0x80], -0x6A80),
            ([0x90], -4),
        ]
        for (answer, code) in table {
            XCTAssertEqual(PINPadOutcome(readerAnswer: answer).interfaceError?.code.rawValue, code, answer.hexString)
        }
        XCTAssertEqual(PINPadOutcome(readerAnswer: [0x63, 0xC2]).interfaceError?.message, "密码错误，还可尝试2次")
    }

    // MARK: The interface on a PIN-pad reader

    func testVerifyOnThePINPad() throws {
        let (interface, reader, card) = try Self.desk()
        reader.press(.typed(["123456"]))
        XCTAssertEqual(interface.iVerifyPIN(1), InterfaceResult(code: 0, output: ""))
        XCTAssertEqual(reader.controlCalls.map(\.code), [FakePINPadReader.verifyCode])
        XCTAssertEqual(reader.controlCalls[0].data, PINVerifyStructure(ssseVerify: SSCardInterface.pinPadFormat).bytes)

        reader.press(.typed(["654321"]))
        XCTAssertEqual(interface.iVerifyPIN(1), InterfaceResult(code: -51, output: "密码错误，还可尝试5次"))
        reader.press(.cancel)
        XCTAssertEqual(interface.iVerifyPIN(1).code, -31)
        reader.press(.timeOut)
        XCTAssertEqual(interface.iVerifyPIN(1).code, -32)
        reader.press(.typed(["12345"]))
        XCTAssertEqual(interface.iVerifyPIN(1).code, -33, "the pad takes exactly 6 digits")
        XCTAssertEqual(card.image.userPIN.triesLeft, 5)
    }

    func testChangeOnThePINPadThenVerifyWithACallback() throws {
        let (interface, reader, _) = try Self.desk()
        reader.press(.typed(["123456", "246810", "246811"]))
        XCTAssertEqual(interface.iChangePIN(1).code, -34)
        reader.press(.typed(["123456", "246810", "246810"]))
        XCTAssertEqual(interface.iChangePIN(1), InterfaceResult(code: 0, output: ""))
        XCTAssertEqual(reader.controlCalls.last?.code, FakePINPadReader.modifyCode)
        // A PIN entry the caller names goes around the pad.
        let calls = reader.controlCalls.count
        XCTAssertEqual(interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: "246810").entry).code, 0)
        XCTAssertEqual(reader.controlCalls.count, calls)
    }

    func testPINPadComesBeforeTheRegisteredEntryButNotForReload() throws {
        let (interface, reader, card) = try Self.desk()
        let registered = ScriptedPINs(current: "000000", new: "13572468", again: "13572468")
        PINEntryRegistry.install(registered.entry)
        defer { PINEntryRegistry.install(nil) }
        reader.press(.typed(["123456"]))
        XCTAssertEqual(interface.iVerifyPIN(1).code, 0)
        XCTAssertEqual(registered.purposesAsked, [])
        // RELOAD PIN needs the new PIN for its MAC: never from the pad.
        let info = "\(card.image.cardIdentificationCode.hex)|SIM000001|"
        XCTAssertEqual(interface.iReloadPIN(1, info).code, 0)
        XCTAssertEqual(registered.purposesAsked, [.newPIN, .newPINAgain])
        XCTAssertEqual(reader.controlCalls.count, 1)
        XCTAssertEqual(interface.iVerifyPIN(1, pinEntry: ScriptedPINs(current: "13572468").entry).code, 0)
    }

    func testReaderWithoutPINPadUsesTheRegisteredEntry() throws {
        let (interface, reader, _) = try Self.desk(hasPINPad: false)
        let registered = ScriptedPINs(current: "123456")
        PINEntryRegistry.install(registered.entry)
        defer { PINEntryRegistry.install(nil) }
        XCTAssertEqual(interface.iVerifyPIN(1).code, 0)
        XCTAssertEqual(registered.purposesAsked, [.currentPIN])
        XCTAssertTrue(reader.controlCalls.isEmpty)
    }
}

/// TerminalPINEntry on a pseudo-terminal.
final class InterfacePINTerminalTests: XCTestCase {
    private var master: Int32 = -1
    private var slave: Int32 = -1
    private var slavePath = ""

    override func setUpWithError() throws {
        // posix_openpt/ptsname are not visible to Swift here: /dev/ptmx and its ioctls instead
        // (TIOCSPTLCK 0x40045431 unlocks, TIOCGPTN 0x80045430 gives N of /dev/pts/N).
        master = open("/dev/ptmx", O_RDWR | O_NOCTTY)
        var unlock: CInt = 0
        var number: CUnsignedInt = 0
        guard master >= 0, ioctl(master, 0x4004_5431, &unlock) == 0, ioctl(master, 0x8004_5430, &number) == 0 else {
            throw XCTSkip("no pseudo-terminal")
        }
        slavePath = "/dev/pts/\(number)"
        // Held open so the terminal outlives each entry and its settings can be read back.
        slave = open(slavePath, O_RDWR | O_NOCTTY)
        XCTAssertGreaterThanOrEqual(slave, 0)
    }

    override func tearDown() {
        if slave >= 0 { close(slave) }
        if master >= 0 { close(master) }
    }

    private var localFlags: tcflag_t {
        var t = termios()
        tcgetattr(slave, &t)
        return t.c_lflag
    }

    /// Runs the entry in the background, waits for its prompt, types `keys` and returns the
    /// outcome and everything the terminal showed.
    private func enter(_ keys: String?, timeout: Duration = .seconds(5)) -> (Result<[UInt8], PINEntryError>, String) {
        let entry = TerminalPINEntry(devicePath: slavePath, timeout: timeout)
        let outcome = Mutex<Result<[UInt8], PINEntryError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            let r: Result<[UInt8], PINEntryError>
            do throws(PINEntryError) { r = .success(try entry.readPIN(for: .currentPIN)) } catch { r = .failure(error) }
            outcome.withLock { $0 = r }
            done.signal()
        }
        var shown = readMaster(until: ": ", within: 5)
        if let keys {
            _ = Array(keys.utf8).withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
        }
        XCTAssertEqual(done.wait(timeout: .now() + 10), .success)
        shown += readMaster(until: nil, within: 0.2)
        return (outcome.withLock { $0! }, shown)
    }

    private func readMaster(until marker: String?, within seconds: Double) -> String {
        var text = Data()
        let end = Date().addingTimeInterval(seconds)
        var byte: UInt8 = 0
        while Date() < end {
            var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 50) > 0, read(master, &byte, 1) == 1 else { continue }
            text.append(byte)
            if let marker, String(decoding: text, as: UTF8.self).hasSuffix(marker) { break }
        }
        return String(decoding: text, as: UTF8.self)
    }

    func testDigitsWithoutEchoAndBackspace() {
        let before = localFlags
        let (result, shown) = enter("1239\u{7F}456\r")
        XCTAssertEqual(try result.get(), Array("123456".utf8))
        XCTAssertTrue(shown.contains("请输入密码"), shown)
        XCTAssertTrue(shown.contains("*"), shown)
        XCTAssertFalse(shown.contains { $0.isNumber }, "digits were echoed: \(shown)")
        XCTAssertEqual(localFlags, before, "terminal settings restored")
        XCTAssertNotEqual(localFlags & tcflag_t(ECHO), 0)
    }

    func testEscapeCancelsAndRestoresTheTerminal() {
        let before = localFlags
        let (result, _) = enter("12\u{1B}")
        XCTAssertEqual(result, .failure(.cancelled))
        XCTAssertEqual(localFlags, before)
        let (ctrlC, _) = enter("\u{03}")
        XCTAssertEqual(ctrlC, .failure(.cancelled))
    }

    func testTimeoutRestoresTheTerminal() {
        let before = localFlags
        let (result, _) = enter(nil, timeout: .milliseconds(300))
        XCTAssertEqual(result, .failure(.timedOut))
        XCTAssertEqual(localFlags, before)
    }

    func testNoTerminalIsUnavailable() {
        for path in ["/nonexistent/tty", "/dev/null"] {
            XCTAssertThrowsError(try TerminalPINEntry(devicePath: path).readPIN(for: .newPIN)) { error in
                guard case .unavailable = error as? PINEntryError else { return XCTFail("\(error)") }
                XCTAssertEqual((error as? PINEntryError)?.interfaceError.code, .unsupported)
            }
        }
    }
}
