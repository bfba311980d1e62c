import XCTest
import SSCardDriver
import SSCardDriverABI
import CSSCardDriverABI

/// Hostile input at the C boundary: every string-taking function gets random and mutated
/// bytes through real C pointers. Each call must return a code (never trap), write a
/// NUL-terminated message inside the buffer, and never touch the bytes after it.
final class ABIBoundaryFuzzTests: XCTestCase {
    /// SplitMix64: reproducible inputs.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let seeds: [[UInt8]] = [
        "411600D156000005C38275EEFC9B9648|SIM000001|", "SSSEEF05|01|07|$SSSEEF06|08|09|$",
        "SSSEEF06|110101199003077777|张三|$", "00112233445566778899AABBCCDDEEFF|00112233445566778899AABBCCDDEEFF|",
        "姓名  张三|宋体|8.5|320|180", "a|b|c|d|e",
    ].map { GB18030.encode($0)! }

    static func input(_ g: inout Generator) -> [UInt8] {
        switch g.next() % 4 {
        case 0:
            return (0..<Int(g.next() % 80)).map { _ in UInt8.random(in: 1...255, using: &g) }
        case 1:
            var s = seeds[Int(g.next() % UInt64(seeds.count))]
            for _ in 0..<Int(g.next() % 4) where !s.isEmpty {
                let i = Int(g.next() % UInt64(s.count))
                switch g.next() % 3 {
                case 0: s.remove(at: i)
                case 1: s.insert([0x7C, 0x24, 0x80, 0xFF, 0x30][Int(g.next() % 5)], at: i)
                default: s[i] = UInt8.random(in: 1...255, using: &g)
                }
            }
            return s
        case 2:
            return Array(seeds[Int(g.next() % UInt64(seeds.count))].prefix(Int(g.next() % 40)))
        default:
            return [0x81, 0x30, 0x81][...Int(g.next() % 3)].map { $0 }   // cut GB18030 sequences
        }
    }

    /// Calls `body` with `bytes` as a C string and a guarded output buffer of `capacity`.
    static func call(_ bytes: [UInt8], capacity: Int, _ body: (UnsafeMutablePointer<CChar>, UnsafeMutablePointer<CChar>, Int) -> Int) -> (code: Int, intact: Bool, terminated: Bool) {
        var input = bytes.filter { $0 != 0 }.map { CChar(bitPattern: $0) } + [0]
        var output = [CChar](repeating: 0x55, count: capacity + 32)
        let code = input.withUnsafeMutableBufferPointer { i in
            output.withUnsafeMutableBufferPointer { o in body(i.baseAddress!, o.baseAddress!, capacity) }
        }
        let intact = output[capacity...].allSatisfy { $0 == 0x55 }
        let terminated = output[..<capacity].contains(0)
        return (code, intact, terminated)
    }

    func testHundredThousandHostileInputsNeverTrapNorOverrun() throws {
        guard VirtualReaderStackAbsent.check() else { throw XCTSkip("a pcscd is running; this fuzz avoids touching cards") }
        var g = Generator(state: 20261123)
        var calls = 0
        var codes: [Int: Int] = [:]
        let start = ContinuousClock().now
        while calls < 100_000 {
            let bytes = Self.input(&g)
            let capacity = [1, 2, 7, 64, 1024][Int(g.next() % 5)]
            let which = g.next() % 6
            let r = Self.call(bytes, capacity: capacity) { s, out, size in
                switch which {
                case 0: return iReadCard_n(1, 2, s, s, out, size)
                case 1: return iWriteCard_n(1, s, s, s, out, size)
                case 2: return iReadCardBas_HSM_Step2_n(s, out, size)
                case 3: return iReadCard_HSM_Step2_n(s, out, size)
                case 4: return iReadCard_HSM_Step1_n(1, s, s, out, size)
                default: return iWriteCard_n(Int32(g.next() % 6), s, s, s, out, size)
                }
            }
            calls += 1
            codes[r.code, default: 0] += 1
            XCTAssertTrue(r.intact, "wrote past a \(capacity)-byte buffer for input \(bytes.hexString)")
            XCTAssertTrue(r.terminated, "no NUL inside a \(capacity)-byte buffer for input \(bytes.hexString)")
            XCTAssertLessThanOrEqual(r.code, 0)
            if !r.intact || !r.terminated { break }
        }
        print("ABI boundary fuzz: \(calls) calls in \(ContinuousClock().now - start); codes \(codes.sorted { $0.key < $1.key })")
        XCTAssertGreaterThan(codes.count, 2, "inputs reached several distinct refusals")
    }

    func testNullPointersAreRefusedByName() {
        var out = [CChar](repeating: 0, count: 256)
        let code = out.withUnsafeMutableBufferPointer { iReadCard_n(1, 2, nil, nil, $0.baseAddress, 256) }
        XCTAssertEqual(code, -14)
        XCTAssertTrue(String(decoding: out.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self).contains("pCardInfo"))
        XCTAssertEqual(iReadCardBas_n(1, nil, 1024), -14)
        XCTAssertEqual(iLoadCard(1, nil), -14)
    }

    func testInvalidGB18030IsRefusedAsIllegalCharacters() {
        let r = Self.call([0x81, 0x30], capacity: 256) { s, out, size in iReadCardBas_HSM_Step2_n(s, out, size) }
        XCTAssertEqual(r.code, -41)
    }
}

/// The fuzz must not reach a real card: it runs only when no pcscd is up.
enum VirtualReaderStackAbsent {
    static func check() -> Bool {
        (try? PCSCContext()) == nil
    }
}
