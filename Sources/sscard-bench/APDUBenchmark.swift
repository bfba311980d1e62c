import CPCSCLite
import CPCSCShim
import Foundation
import SSCardDriver
import SSCardSimulator

/// Median APDU round trip of SELECT SSSE through pcscd + vpcd (the whole stack a technician's
/// virtual card uses) — through the driver's `PCSCCardSession` (deadline on every call) and
/// through a raw `SCardTransmit` loop on libpcsclite on the same card, in alternating rounds
/// so the load of the machine falls on both alike — and through an in-process channel (the
/// simulated card's own cost).
struct APDUBenchmark {
    let count: Int
    let useRunningPCSCD: Bool

    func run() throws {
        let select = SSSECommands.select(aid: SSSE.aid).bytes
        let warmUp = min(50, count)

        let inProcess = SimulatedCardChannel(card: BenchmarkCard.make())
        var local = Timing()
        for _ in 0..<warmUp { _ = try inProcess.transmitRaw(select) }
        for _ in 0..<count { try local.measure { _ = try inProcess.transmitRaw(select) } }

        let stack = VirtualReaderStack(configuration: .init(mode: useRunningPCSCD ? .useRunning : .privatePCSCD))
        try stack.start()
        defer { stack.stop() }
        let connector = VPCDConnector(card: BenchmarkCard.make(), configuration: .slot(0))
        try connector.start()
        defer { connector.stop() }
        let session = PCSCCardSession(configuration: .init(readerPattern: VirtualReaderStack.readerNames[0]))
        try session.connect(waitingUpTo: .seconds(10))
        defer { session.disconnect() }
        guard let reader = session.readerName else { throw CardSessionError.readerNotFound(pattern: nil, available: []) }
        let raw = try RawPCSCLoop(reader: reader)

        var viaDriver = Timing(), viaRaw = Timing()
        for _ in 0..<warmUp {
            _ = try session.transmitRaw(select)
            _ = try raw.transmit(select)
        }
        let rounds = 10
        for round in 0..<rounds {
            let n = count / rounds + (round < count % rounds ? 1 : 0)
            for _ in 0..<n { try viaRaw.measure { _ = try raw.transmit(select) } }
            for _ in 0..<n { try viaDriver.measure { _ = try session.transmitRaw(select) } }
        }
        let ratio = Timing.milliseconds(viaDriver.percentile(0.5)) / Timing.milliseconds(viaRaw.percentile(0.5))
        report.value("apdu.driver_over_raw", ratio, unit: "ratio")
        report.line("APDU round trip, SELECT SSSE (15-byte AID, answer FCI 9000), \(rounds) alternating rounds:")
        report.line("  driver session through pcscd + vpcd:   \(report.timing("apdu.pcscd", viaDriver))")
        report.line("  raw SCardTransmit loop, same card:     \(report.timing("apdu.raw_pcsclite", viaRaw))")
        report.line(String(format: "  driver / raw (medians):               %.2f×", ratio))
        report.line("  in-process channel:                    \(report.timing("apdu.in_process", local))")
    }
}

/// The minimal libpcsclite client: its own context and card handle, `SCardTransmit` into one
/// buffer, no deadline, no recovery — the floor the driver's round trip is compared with.
final class RawPCSCLoop {
    private var context: SCARDCONTEXT = 0
    private var handle: SCARDHANDLE = 0
    private var pci: UnsafePointer<SCARD_IO_REQUEST>?
    private var buffer = [UInt8](repeating: 0, count: 258)

    init(reader: String) throws {
        try Self.check("SCardEstablishContext", SCardEstablishContext(DWORD(SCARD_SCOPE_SYSTEM), nil, nil, &context))
        var active: DWORD = 0
        try Self.check("SCardConnect", SCardConnect(context, reader, DWORD(SCARD_SHARE_SHARED), DWORD(SCARD_PROTOCOL_T0 | SCARD_PROTOCOL_T1), &handle, &active))
        pci = CPCSCShim_pciForProtocol(UInt(active))?.assumingMemoryBound(to: SCARD_IO_REQUEST.self)
    }

    deinit {
        SCardDisconnect(handle, DWORD(SCARD_LEAVE_CARD))
        SCardReleaseContext(context)
    }

    func transmit(_ command: [UInt8]) throws -> Int {
        var length = DWORD(buffer.count)
        let rc = buffer.withUnsafeMutableBufferPointer { out in
            SCardTransmit(handle, pci, command, DWORD(command.count), nil, out.baseAddress, &length)
        }
        try Self.check("SCardTransmit", rc)
        return Int(length)
    }

    /// A failed call of the raw loop, with its pcsc-lite code.
    struct Failure: Error, CustomStringConvertible {
        var call: String
        var code: Int
        var description: String { "\(call) failed: 0x\(String(UInt32(truncatingIfNeeded: code), radix: 16))" }
    }

    private static func check(_ call: String, _ rc: LONG) throws {
        if rc != 0 { throw Failure(call: call, code: Int(rc)) }
    }
}
