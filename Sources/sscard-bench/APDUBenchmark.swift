import Foundation
import SSCardDriver
import SSCardSimulator

/// Median APDU round trip of SELECT SSSE: through pcscd + vpcd (the whole stack a technician's
/// virtual card uses) and through an in-process channel (the simulated card's own cost).
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
        var viaPCSCD = Timing()
        for _ in 0..<warmUp { _ = try session.transmitRaw(select) }
        for _ in 0..<count { try viaPCSCD.measure { _ = try session.transmitRaw(select) } }
        session.disconnect()

        print("APDU round trip, SELECT SSSE (15-byte AID, answer 9000):")
        print("  through pcscd + vpcd:  \(viaPCSCD.summary)")
        print("  in-process channel:    \(local.summary)")
    }
}
