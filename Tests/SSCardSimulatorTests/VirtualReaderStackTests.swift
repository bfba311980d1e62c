import Foundation
import Glibc
import SSCardSimulator
import XCTest

/// The private pcscd harness: its pure parts always, the live pcscd when none is running
/// (pcscd's socket path is fixed, so only one can run on the machine).
final class VirtualReaderStackTests: XCTestCase {
    func testReaderConfHasExactlyOneVPCDEntry() {
        let lines = VirtualReaderStack.readerConf.split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        let keys = lines.compactMap { $0.first.map(String.init) }
        XCTAssertEqual(keys, ["FRIENDLYNAME", "DEVICENAME", "LIBPATH", "CHANNELID"], "one entry, no second vpcd alias")
        XCTAssertEqual(lines[0].dropFirst().joined(separator: " "), "\"Virtual PCD\"")
        XCTAssertEqual(lines[1].last, "/dev/null:0x8C7B", "/dev/null = vpcd listens (reversed mode crashes Debian's pcscd)")
        XCTAssertEqual(lines[2].last.map(String.init), VirtualReaderStack.vpcdDriverPath)
        XCTAssertEqual(lines[3].last, "0x8C7B")
        XCTAssertEqual(VirtualReaderStack.slotPorts, [35963, 35964])
        XCTAssertEqual(VirtualReaderStack.readerNames, ["Virtual PCD 00 00", "Virtual PCD 00 01"])
    }

    func testListeningPortsComeFromLISTENRowsOnly() {
        let table = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000:8C7B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1594 1 0
               1: 00000000:8C7C 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1595 1 0
               2: 0100007F:9C40 0100007F:8C7B 01 00000000:00000000 00:00000000 00000000     0        0 1596 1 0
               3: 0100007F:07E8 00000000:0000 06 00000000:00000000 00:00000000 00000000     0        0 0 1 0
               4: garbage
            """
        XCTAssertEqual(VirtualReaderStack.listeningTCPPorts(procNetTCP: table), [35963, 35964])
        XCTAssertEqual(VirtualReaderStack.listeningTCPPorts(procNetTCP: ""), [])
    }

    func testListeningSocketsReadIPv4AndIPv6Addresses() {
        let tcp = """
              sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000:8C7B 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1594 1 0
               1: 0100007F:8C7C 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1595 1 0
               2: 0501A8C0:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1596 1 0
               3: 0100007F:9C40 0100007F:8C7B 01 00000000:00000000 00:00000000 00000000     0        0 1597 1 0
               4: garbage
            """
        let v4 = VirtualReaderStack.listeningSockets(procNetTCP: tcp, ipv6: false)
        XCTAssertEqual(v4.map(\.description), ["0.0.0.0:35963", "127.0.0.1:35964", "192.168.1.5:8080"])
        XCTAssertEqual(v4.map(\.isWildcard), [true, false, false])
        XCTAssertEqual(v4.map(\.isLoopback), [false, true, false])

        let tcp6 = """
              sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
               0: 00000000000000000000000000000000:8C7B 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0
               1: 00000000000000000000000001000000:8C7C 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2 1 0
               2: 0000000000000000FFFF00000100007F:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3 1 0
               3: 0000000000000000FFFF00000501A8C0:1F91 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4 1 0
            """
        let v6 = VirtualReaderStack.listeningSockets(procNetTCP: tcp6, ipv6: true)
        XCTAssertEqual(v6.map(\.description), ["[::]:35963", "[::1]:35964", "[::ffff:127.0.0.1]:8080", "[::ffff:192.168.1.5]:8081"])
        XCTAssertEqual(v6.map(\.isWildcard), [true, false, false, false])
        XCTAssertEqual(v6.map(\.isLoopback), [false, true, true, false])
        XCTAssertEqual(VirtualReaderStack.listeningSockets(procNetTCP: tcp, ipv6: true), [], "IPv4 rows are not IPv6 addresses")
    }

    func testLoopbackLibraryIsFoundNextToTheProgramOrWhereTheEnvironmentSays() throws {
        let found = try VirtualReaderStack.loopbackLibraryPath(environment: [:])
        XCTAssertEqual(URL(fileURLWithPath: found).lastPathComponent, "libsscard-vpcd-loopback.so")
        let named = "/nonexistent/libsscard-vpcd-loopback.so"
        XCTAssertThrowsError(try VirtualReaderStack.loopbackLibraryPath(environment: [VirtualReaderStack.loopbackLibraryVariable: named])) { error in
            XCTAssertEqual(error as? VirtualReaderStackError, .loopbackLibraryMissing(searched: [named]))
        }
    }

    func testListeningPortsSeeARealListener() throws {
        let listener = try FakeVPCD()
        XCTAssertTrue(VirtualReaderStack.listeningTCPPorts().contains(listener.port))
        listener.close()
        XCTAssertFalse(VirtualReaderStack.listeningTCPPorts().contains(listener.port))
    }

    func testPolkitIsDetectedFromTheFeaturesLine() {
        let debian12 = """
            pcsc-lite version 1.9.9.
            Enabled features: Linux x86_64-pc-linux-gnu libsystemd serial usb libudev usbdropdir=/usr/lib/pcsc/drivers ipcdir=/run/pcscd filter configdir=/etc/reader.conf.d
            """
        XCTAssertFalse(VirtualReaderStack.featuresListPolkit(pcscdVersionOutput: debian12))
        let withPolkit = """
            pcsc-lite version 2.3.0.
            Enabled features: Linux x86_64-pc-linux-gnu libsystemd serial usb libudev polkit usbdropdir=/usr/lib/pcsc/drivers
            """
        XCTAssertTrue(VirtualReaderStack.featuresListPolkit(pcscdVersionOutput: withPolkit))
        XCTAssertFalse(VirtualReaderStack.featuresListPolkit(pcscdVersionOutput: "Report bugs about polkit here.\n"))
    }

    func testPCSCDIsFoundInPATHFirstThenSbin() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stack-test-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let fake = dir.appendingPathComponent("pcscd").path
        XCTAssertTrue(FileManager.default.createFile(atPath: fake, contents: Data("#!/bin/sh\n".utf8), attributes: [.posixPermissions: 0o755]))
        XCTAssertEqual(try VirtualReaderStack.locatePCSCD(path: "/nonexistent:\(dir.path)"), fake)

        let installed = FileManager.default.isExecutableFile(atPath: "/usr/sbin/pcscd")
        if installed {
            XCTAssertEqual(try VirtualReaderStack.locatePCSCD(path: ""), "/usr/sbin/pcscd")
        }
    }

    func testErrorsTellTheTechnicianWhatToDo() {
        XCTAssertEqual(
            VirtualReaderStackError.anotherPCSCDRunning(.init(pid: 4242, isZombie: false)).description,
            "another pcscd (pid 4242) is already running; stop it or use it with --use-running-pcscd")
        XCTAssertEqual(
            VirtualReaderStackError.pcscdNotInstalled.description,
            "pcscd is not installed (looked in PATH, /usr/sbin and /sbin); run scripts/install-deps.sh")
        XCTAssertTrue(VirtualReaderStackError.vpcdDriverNotInstalled(path: "/x.so").description.contains("run scripts/install-deps.sh"))
        XCTAssertTrue(VirtualReaderStackError.anotherPCSCDRunning(.init(pid: 7, isZombie: true)).description
            .contains("exited but not yet reaped"))
    }

    // MARK: Live pcscd

    private func skipIfAnotherPCSCD() throws {
        if let other = VirtualReaderStack.runningPCSCD() {
            throw XCTSkip("another pcscd (\(other)) is running; the private-pcscd test needs the machine's only pcscd slot")
        }
        guard (try? VirtualReaderStack.locatePCSCD()) != nil,
              FileManager.default.fileExists(atPath: VirtualReaderStack.vpcdDriverPath) else {
            throw XCTSkip("pcscd or vsmartcard-vpcd is not installed (scripts/install-deps.sh)")
        }
    }

    func testUseRunningWithoutPCSCDSaysSo() throws {
        try skipIfAnotherPCSCD()
        let stack = VirtualReaderStack(configuration: .init(mode: .useRunning))
        XCTAssertThrowsError(try stack.start()) { error in
            XCTAssertEqual(error as? VirtualReaderStackError, .noRunningPCSCD)
        }
    }

    func testPrivatePCSCDServesACardAndSurvivesARestart() throws {
        try skipIfAnotherPCSCD()
        let stack = VirtualReaderStack()
        try stack.start()
        var stopped = false
        defer { if !stopped { stack.stop() } }

        let pid = try XCTUnwrap(stack.pid)
        XCTAssertTrue(FileManager.default.fileExists(atPath: VirtualReaderStack.socketPath))
        XCTAssertTrue(VirtualReaderStack.listeningTCPPorts().isSuperset(of: [35963, 35964]))
        let conf = try String(contentsOf: XCTUnwrap(stack.directory).appendingPathComponent("reader.conf.d/vpcd"), encoding: .utf8)
        XCTAssertEqual(conf, VirtualReaderStack.readerConf)

        // A second private pcscd is refused; the shared mode accepts the running one.
        XCTAssertThrowsError(try VirtualReaderStack().start()) { error in
            XCTAssertEqual(error as? VirtualReaderStackError, .anotherPCSCDRunning(.init(pid: pid, isZombie: false)))
        }
        XCTAssertNoThrow(try VirtualReaderStack(configuration: .init(mode: .useRunning)).start())

        // vpcd polls a connected card with GET ATR every 400 ms.
        let card = VPCDTestCard()
        let connector = VPCDConnector(card: card, configuration: .slot(0))
        let recorder = ConnectorRecorder(connector)
        try connector.start(timeout: .seconds(5))
        defer { connector.stop() }
        XCTAssertTrue(recorder.waitForEvents(timeout: 3) { $0.contains(.control(.getATR)) }, "vpcd never polled the card")

        // pcscd restarts: the connector loses vpcd, reconnects by itself, and is polled again.
        try stack.restart()
        XCTAssertNotEqual(stack.pid, pid)
        XCTAssertTrue(recorder.waitForEvents(timeout: 5) { events in
            guard let lost = events.firstIndex(where: { if case .connectionLost = $0 { return true } else { return false } }) else { return false }
            return events[lost...].contains(.inserted) && events[lost...].contains(.control(.getATR))
        }, "the card did not come back after the pcscd restart: \(recorder.events.suffix(5))")
        XCTAssertEqual(connector.state, .inserted)
        XCTAssertTrue(VirtualReaderStack.vpcdListeners().allSatisfy(\.isLoopback), "\(VirtualReaderStack.vpcdListeners())")

        let directory = try XCTUnwrap(stack.directory)
        stack.stop()
        stopped = true
        XCTAssertNil(stack.pid)
        XCTAssertNil(VirtualReaderStack.runningPCSCD())
        XCTAssertFalse(VirtualReaderStack.listeningTCPPorts().contains(35963))
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory.path), "stop() removes the temporary directory")
    }

    func testPrivatePCSCDListensOnLoopbackOnly() throws {
        try skipIfAnotherPCSCD()
        // What already listens is the machine's own (a CI host may run services on 0.0.0.0).
        let before = Set(VirtualReaderStack.listeningSockets())
        let stack = VirtualReaderStack()
        try stack.start()
        defer { stack.stop() }
        // A card in slot 1: vpcd keeps listening on both ports while it serves one.
        let connector = VPCDConnector(card: VPCDTestCard(), configuration: .slot(1))
        try connector.start(timeout: .seconds(5))
        defer { connector.stop() }

        XCTAssertEqual(Set(VirtualReaderStack.vpcdListeners().map(\.description)), ["127.0.0.1:35963", "127.0.0.1:35964"])
        let listening = VirtualReaderStack.listeningSockets().filter { !before.contains($0) }
        XCTAssertEqual(listening.filter(\.isWildcard), [], "nothing listens on 0.0.0.0 or [::]")
        XCTAssertEqual(listening.filter { !$0.isLoopback }, [], "nothing listens beyond loopback")
    }

    func testAPCSCDWhoseVPCDListensBeyondLoopbackIsStopped() throws {
        try skipIfAnotherPCSCD()
        // Not a library: ld.so ignores it, so vpcd binds every interface as it does by itself.
        let notALibrary = FileManager.default.temporaryDirectory.appendingPathComponent("not-a-library-\(getpid()).so")
        try Data("not ELF".utf8).write(to: notALibrary)
        defer { try? FileManager.default.removeItem(at: notALibrary) }
        setenv(VirtualReaderStack.loopbackLibraryVariable, notALibrary.path, 1)
        defer { unsetenv(VirtualReaderStack.loopbackLibraryVariable) }

        let stack = VirtualReaderStack()
        defer { stack.stop() }
        XCTAssertThrowsError(try stack.start()) { error in
            guard case let .vpcdNotLoopbackOnly(listening, library)? = error as? VirtualReaderStackError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(library, notALibrary.path)
            XCTAssertTrue(listening.contains("0.0.0.0:35963") || listening.contains("0.0.0.0:35964"), "\(listening)")
        }
        XCTAssertNil(stack.pid, "start() stopped the pcscd it could not keep on loopback")
        XCTAssertNil(VirtualReaderStack.runningPCSCD())
        XCTAssertEqual(VirtualReaderStack.vpcdListeners(), [])
    }
}
