import Foundation
import Glibc
import SSCardDriver
import SSCardPrinter
import Synchronization

/// The virtual printer on a local socket, speaking the Evolis Escape language: an
/// `EscapePrinter` (over `SocketPrinterTransport`) drives it exactly as it drives a real printer
/// over USB. 虚拟制卡机服务 (docs/escape-protocol.md).
///
/// It wraps an in-process `VirtualPrinter` (hoppers, contact station served into vpcd,
/// faults), reads `ESC … CR` commands with `EscapeCommandDecoder`, answers each with one reply
/// ending in CR, decodes the downloaded panels and, when `outputDirectory` is set, writes what
/// it printed as PNG files (`PrintedCard.files`).
///
/// It listens on the loopback interface only (127.0.0.1, default port 35970) or on a Unix
/// socket; each connection is served by a thread of its own, and commands from all
/// connections run one at a time, like a printer's command queue.
///
/// Besides the printer's commands it takes private control commands (docs/escape-protocol.md):
/// `Xfault;<fault>[;once|sticky]` arms a fault (`jamAtLoad`, `jamAtPrint`, `coverOpen`,
/// `ribbonOut` go to the `VirtualPrinter`; `notConnected` makes the server drop the connection
/// at the next command, `timeout` makes it leave the next command unanswered), `Xclear[;<fault>]`,
/// `Xribbon[;panels]` (a new ribbon), `Xcollect` (take the cards out of the good exit and the
/// reject box), `Xstatus` (a one-line summary).
public final class VirtualPrinterServer: Sendable {
    /// Where the server listens.
    public enum Listen: Hashable, Sendable, CustomStringConvertible {
        /// 127.0.0.1:port; port 0 picks a free one (read it from `endpoint` after `start`).
        case loopback(port: UInt16)
        /// A Unix-domain socket at `path` (replaced if a stale one is there).
        case unixSocket(path: String)

        /// 127.0.0.1:35970.
        public static let defaultPort: UInt16 = 35970

        public var description: String {
            switch self {
            case .loopback(let port): return "127.0.0.1:\(port)"
            case .unixSocket(let path): return "unix:\(path)"
            }
        }
    }

    public struct Configuration: Sendable, Hashable {
        public var listen: Listen
        /// Where printed cards are written as PNG; nil writes nothing.
        public var outputDirectory: URL?
        /// The panel format the clients send (`EscapePrinter.Configuration.panelFormat`).
        public var panelFormat: EscapePanelFormat

        public init(listen: Listen = .loopback(port: Listen.defaultPort), outputDirectory: URL? = nil,
                    panelFormat: EscapePanelFormat = .exact) {
            self.listen = listen
            self.outputDirectory = outputDirectory
            self.panelFormat = panelFormat
        }
    }

    /// One card the server printed.
    public struct PrintedCard: Sendable, Hashable {
        /// 1, 2, … in print order.
        public var sequence: Int
        /// The card's number (卡号), read from its chip; nil when it could not be read.
        public var cardNumber: String?
        /// The panels as downloaded.
        public var panels: PanelSet
        /// The files written: the K panel (`…-k.png`, black = resin) when there is one, and the
        /// printed face (`…-face.png`, dyes with K on top).
        public var files: [URL]
        /// Why writing the files failed, if it did (the card is printed all the same).
        public var outputError: String?
    }

    /// What happened, for a console.
    public enum Event: Sendable {
        case listening(String)
        case connected(Int)
        case disconnected(Int)
        /// A command and the reply sent (nil: none, by an injected `timeout`).
        case command(EscapeCommand, EscapeReply?)
        case decodingError(String)
        case printed(PrintedCard)
    }

    public let printer: VirtualPrinter
    public let configuration: Configuration

    private struct Session {
        var sequenceOpen = false
        var downloads: [EscapePanelDownload] = []
        var selectedFeeder: Int
        var ejectAtEndOfPrint = true
        var ribbon: EscapeRibbon?
        var printed: [PrintedCard] = []
        /// Faults the server itself plays: `.notConnected`, `.timeout`.
        var linkFaults: [VirtualPrinterFault: VirtualPrinterFaultMode] = [:]
    }

    private struct Sockets {
        var listenFD: Int32 = -1
        var connections: [Int: Int32] = [:]
        var nextConnection = 1
        var threads: [Thread] = []
        var running = false
        var endpoint: SocketPrinterTransport.Endpoint?
        var onEvent: (@Sendable (Event) -> Void)?
    }

    /// Commands run one at a time under this lock.
    private let session: Mutex<Session>
    private let sockets = Mutex(Sockets())
    private let finished = DispatchGroup()

    public init(printer: VirtualPrinter, configuration: Configuration = Configuration()) {
        self.printer = printer
        self.configuration = configuration
        session = Mutex(Session(selectedFeeder: printer.configuration.defaultHopper))
    }

    deinit {
        stop()
    }

    /// Called for every event, on the connection's thread; set before `start`.
    public var onEvent: (@Sendable (Event) -> Void)? {
        get { sockets.withLock { $0.onEvent } }
        set { sockets.withLock { $0.onEvent = newValue } }
    }

    /// Where a `SocketPrinterTransport` reaches the server; nil before `start`.
    public var endpoint: SocketPrinterTransport.Endpoint? { sockets.withLock { $0.endpoint } }

    /// The cards printed so far.
    public var printedCards: [PrintedCard] { session.withLock { $0.printed } }

    // MARK: Starting and stopping

    /// Binds and listens, then serves connections on threads of their own until `stop()`.
    /// Starting twice is a programmer error (traps).
    public func start() throws(SocketError) {
        let (fd, endpoint) = try Self.listen(configuration.listen)
        let thread: Thread = sockets.withLock { s in
            precondition(!s.running && s.listenFD < 0, "VirtualPrinterServer.start() called twice")
            s.listenFD = fd
            s.running = true
            s.endpoint = endpoint
            let t = Thread { [self] in acceptLoop(fd) }
            t.name = "vprinter-accept"
            return t
        }
        if let directory = configuration.outputDirectory {
            try? PrivateFile.makeFolder(directory.path)
        }
        emit(.listening(endpoint.description))
        finished.enter()
        thread.start()
    }

    /// Stops listening, closes every connection and waits for the threads to end.
    public func stop() {
        let wasRunning = sockets.withLock { s -> Bool in
            guard s.running else { return false }
            s.running = false
            _ = Glibc.shutdown(s.listenFD, Int32(SHUT_RDWR))
            for fd in s.connections.values { _ = Glibc.shutdown(fd, Int32(SHUT_RDWR)) }
            return true
        }
        guard wasRunning else { return }
        finished.wait()
        sockets.withLock { s in
            _ = Glibc.close(s.listenFD)
            s.listenFD = -1
        }
        if case .unixSocket(let path) = configuration.listen { unlink(path) }
    }

    // MARK: Connections

    private func acceptLoop(_ listenFD: Int32) {
        defer { finished.leave() }
        while sockets.withLock({ $0.running }) {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return  // shut down by stop()
            }
            var one: Int32 = 1
            _ = setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let id: Int? = sockets.withLock { s in
                guard s.running else { return nil }
                let id = s.nextConnection
                s.nextConnection += 1
                s.connections[id] = fd
                return id
            }
            guard let id else { _ = Glibc.close(fd); return }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            finished.enter()
            let t = Thread { [self] in serve(fd, id: id) }
            t.name = "vprinter-connection-\(id)"
            t.start()
        }
    }

    private func serve(_ fd: Int32, id: Int) {
        defer {
            sockets.withLock { _ = $0.connections.removeValue(forKey: id) }
            _ = Glibc.close(fd)
            emit(.disconnected(id))
            finished.leave()
        }
        emit(.connected(id))
        var decoder = EscapeCommandDecoder(format: configuration.panelFormat)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return }
            decoder.append(buffer[0..<n])
            while let result = decoder.next() {
                switch result {
                case .failure(let error):
                    emit(.decodingError(error.description))
                    if case .garbageBeforeEscape = error { continue }
                    guard Self.write(fd, EscapeReply.error(EscapeErrorKind.commandRefused.replyText).wireBytes) else { return }
                case .success(let command):
                    switch handle(command) {
                    case .reply(let reply):
                        emit(.command(command, reply))
                        guard Self.write(fd, reply.wireBytes) else { return }
                    case .silence:
                        emit(.command(command, nil))
                    case .hangUp:
                        emit(.command(command, nil))
                        return
                    }
                }
            }
        }
    }

    private enum Outcome { case reply(EscapeReply), silence, hangUp }

    // MARK: Commands

    private func handle(_ command: EscapeCommand) -> Outcome {
        // Control commands are never subject to the link faults they control.
        if command.name.hasPrefix("X") { return .reply(control(command)) }
        let link = session.withLock { s -> Outcome? in
            if Self.trips(.notConnected, &s.linkFaults) { return .hangUp }
            if Self.trips(.timeout, &s.linkFaults) { return .silence }
            return nil
        }
        if let link { return link }
        do {
            return .reply(try execute(command))
        } catch {
            return Self.reply(to: error).map(Outcome.reply) ?? .silence
        }
    }

    private func execute(_ command: EscapeCommand) throws(PrinterError) -> EscapeReply {
        switch command {
        case .startSequence:
            session.withLock { s in s.sequenceOpen = true; s.downloads.removeAll() }
            return .ok
        case .selectFront, .selectBack:
            return .ok
        case .downloadPanel(let d):
            session.withLock { s in
                s.downloads.removeAll { $0.panel == d.panel }
                s.downloads.append(d)
            }
            return .ok
        case .endSequence:
            return try endSequence()
        case .insert:
            if printer.cardInPrintPath == nil {
                try printer.loadCard(fromHopper: session.withLock { $0.selectedFeeder })
            }
            try printer.moveToPrint()
            return .ok
        case .insertToContactStation:
            try printer.loadCard(fromHopper: session.withLock { $0.selectedFeeder })
            return .ok
        case .ejectToReject:
            try printer.eject(to: .reject)
            session.withLock { s in s.sequenceOpen = false; s.downloads.removeAll() }
            return .ok
        case .setRibbon(let ribbon):
            session.withLock { $0.ribbon = ribbon }
            return .ok
        case .setErrorManagement:
            return .ok
        case .feedFromHopper(let n):
            let hopper = n ?? printer.configuration.defaultHopper
            guard hopper <= printer.configuration.hopperCount else { return .error(EscapeErrorKind.commandRefused.replyText) }
            session.withLock { $0.selectedFeeder = hopper }
            return .ok
        case .readCardPosition:
            switch try printer.status().cardPosition {
            case .none: return .ok
            case .contactStation: return .value("SMART CARD")
            case .contactlessStation: return .value("CONTACTLESS CARD")
            case .printPosition: return .value("CARD")
            case .jammed: return .error(EscapeErrorKind.jam.replyText)
            }
        case .readRejectBox:
            return try printer.status().rejectBoxFull ? .value("CARD") : .ok
        case .readFeederSensor(let n):
            let hopper = n ?? session.withLock { $0.selectedFeeder }
            guard let status = try printer.status().hopper(hopper) else { return .error(EscapeErrorKind.commandRefused.replyText) }
            return .value(status.hasCards ? "5,00 Volts" : "0,00 Volts")
        case .readCoverSensor:
            return .value(try printer.status().coverOpen ? "0,00 Volts" : "5,00 Volts")
        case .readRibbonCount:
            return .value(String(try printer.status().ribbonPanelsRemaining ?? 0))
        case .other(let name, let parameters):
            switch (name, parameters) {
            case ("Pneab", ["E"]):
                session.withLock { $0.ejectAtEndOfPrint = false }
                return .ok
            case ("Pneab", ["D"]):
                session.withLock { $0.ejectAtEndOfPrint = true }
                return .ok
            case ("Pneab", _), ("Pcrm", _), ("Pcim", _), ("Pcem", _), ("Pc", _), ("Pmi", _), ("Psmgr", _), ("Pbc", _):
                return .ok
            default:
                return .error(EscapeErrorKind.commandRefused.replyText)
            }
        }
    }

    /// `Se`: prints what was downloaded (then ejects unless `Pneab;E`), or ejects when nothing was.
    private func endSequence() throws(PrinterError) -> EscapeReply {
        let (downloads, ejectAfterPrint) = session.withLock { s in
            defer { s.sequenceOpen = false; s.downloads.removeAll() }
            return (s.downloads, s.ejectAtEndOfPrint)
        }
        if downloads.isEmpty {
            try printer.eject(to: .good)
            return .ok
        }
        let panels: PanelSet
        do {
            panels = try PanelSet(downloads: downloads, format: configuration.panelFormat)
        } catch {
            emit(.decodingError(error.description))
            return .error(EscapeErrorKind.commandRefused.replyText)
        }
        let card = printer.cardInPrintPath
        let cardNumber = card.flatMap { try? SocialSecurityCard(channel: SimulatedCardChannel(card: $0)).readIssuerData().cardNumber }
        let sequence = session.withLock { $0.printed.count + 1 }
        try printer.printPanels(PrintJob(name: "Escape print \(sequence)", ribbonPanels: panels.ribbonPanelCount))
        var printed = PrintedCard(sequence: sequence, cardNumber: cardNumber, panels: panels, files: [])
        if let directory = configuration.outputDirectory {
            writeFiles(of: &printed, to: directory)
        }
        session.withLock { $0.printed.append(printed) }
        emit(.printed(printed))
        if ejectAfterPrint { try printer.eject(to: .good) }
        return .ok
    }

    private func writeFiles(of card: inout PrintedCard, to directory: URL) {
        guard let stem = Self.fileStem(sequence: card.sequence, cardNumber: card.cardNumber) else {
            card.outputError = "卡号“\(card.cardNumber ?? "")”不能用作文件名，未写卡面图片 / the card number \"\(card.cardNumber ?? "")\" cannot name a file; no face written"
            return
        }
        do throws(PNGWriteError) {
            if let k = card.panels.black {
                let url = directory.appendingPathComponent(stem + "-k.png")
                try PNGWriter.write(PNGWriter.picture(of: k), to: url.path)
                card.files.append(url)
            }
            let face = directory.appendingPathComponent(stem + "-face.png")
            try PNGWriter.write(card.panels.printedPicture, to: face.path)
            card.files.append(face)
        } catch {
            card.outputError = error.description
        }
    }

    /// `card-0001-SIM000001`: the card number is read from the chip, so it is checked
    /// (`FileNamePart.isCardNumber`) before it joins a file name; nil when it fails.
    static func fileStem(sequence: Int, cardNumber: String?) -> String? {
        if let cardNumber, !FileNamePart.isCardNumber(cardNumber) { return nil }
        return String(format: "card-%04d", sequence) + (cardNumber.map { "-\($0)" } ?? "")
    }

    /// Runs one of the private `X…` control commands (as a client sending it would), for a
    /// console; anything else is refused with `ERROR CDE`.
    public func control(_ command: EscapeCommand) -> EscapeReply {
        let refused = EscapeReply.error(EscapeErrorKind.commandRefused.replyText)
        switch (command.name, command.parameters) {
        case ("Xfault", let p) where (1...2).contains(p.count):
            guard let fault = Self.fault(named: p[0]) else { return refused }
            let mode: VirtualPrinterFaultMode
            switch p.count == 2 ? p[1] : "once" {
            case "once": mode = .once
            case "sticky": mode = .sticky
            default: return refused
            }
            if fault == .notConnected || fault == .timeout {
                session.withLock { $0.linkFaults[fault] = mode }
            } else {
                printer.inject(fault, mode: mode)
            }
            return .ok
        case ("Xclear", []):
            printer.clearAllFaults()
            session.withLock { $0.linkFaults.removeAll() }
            return .ok
        case ("Xclear", let p) where p.count == 1:
            guard let fault = Self.fault(named: p[0]) else { return refused }
            printer.clearFault(fault)
            session.withLock { $0.linkFaults[fault] = nil }
            return .ok
        case ("Xribbon", let p) where p.count <= 1:
            if let text = p.first {
                guard let panels = Int(text), panels >= 0 else { return refused }
                printer.replaceRibbon(panels: panels)
            } else {
                printer.replaceRibbon()
            }
            return .ok
        case ("Xcollect", []):
            printer.collectGoodExit()
            printer.emptyRejectBox()
            return .ok
        case ("Xstatus", []):
            return .value(summary())
        default:
            return refused
        }
    }

    /// `hopper1=10 hopper2=9 path=contact station good=0 reject=1 printed=1 faults=coverOpen`.
    public func summary() -> String {
        let inventory = printer.inventory()
        var parts = (1...printer.configuration.hopperCount).map { "hopper\($0)=\(printer.cards(inHopper: $0).count)" }
        let path = inventory.first { [.contactStation, .printPosition, .jammed].contains($0.place) }
        parts.append("path=\(path.map { "\($0.place)" } ?? "empty")")
        parts.append("good=\(inventory.filter { $0.place == .goodExit }.count)")
        parts.append("reject=\(inventory.filter { $0.place == .rejectBox }.count)")
        let (printed, linkFaults) = session.withLock { ($0.printed.count, $0.linkFaults) }
        parts.append("printed=\(printed)")
        let faults = Set(printer.armedFaults.keys).union(linkFaults.keys).map(Self.name(of:)).sorted()
        parts.append("faults=\(faults.isEmpty ? "none" : faults.joined(separator: ","))")
        return parts.joined(separator: " ")
    }

    // MARK: Helpers

    /// The reply a printer error gets; nil = none (a timeout is played by not answering).
    static func reply(to error: PrinterError) -> EscapeReply? {
        switch error {
        case .coverOpen: return .error(EscapeErrorKind.coverOpen.replyText)
        case .hopperEmpty: return .error(EscapeErrorKind.feederEmpty.replyText)
        case .jamAtLoad, .jamAtPrint: return .error(EscapeErrorKind.jam.replyText)
        case .ribbonOut: return .error(EscapeErrorKind.ribbon.replyText)
        case .rejectBoxFull: return .error(EscapeErrorKind.rejectBoxFull.replyText)
        case .noCardAtStation: return .error(EscapeErrorKind.noCard.replyText)
        case .invalidHopper: return .error(EscapeErrorKind.commandRefused.replyText)
        case .notConnected(let reason):
            let clean = String(reason.map { $0 == "\r" || $0 == "\n" || $0 == "\0" ? " " : $0 })
            return .error(EscapeErrorKind.encoder.replyText + " " + clean)
        case .timeout: return nil
        }
    }

    /// The fault of a control-command name: the `VirtualPrinterFault` case names.
    static func fault(named name: String) -> VirtualPrinterFault? {
        VirtualPrinterFault.allCases.first { Self.name(of: $0) == name }
    }

    static func name(of fault: VirtualPrinterFault) -> String {
        switch fault {
        case .jamAtLoad: return "jamAtLoad"
        case .jamAtPrint: return "jamAtPrint"
        case .coverOpen: return "coverOpen"
        case .ribbonOut: return "ribbonOut"
        case .notConnected: return "notConnected"
        case .timeout: return "timeout"
        }
    }

    private static func trips(_ fault: VirtualPrinterFault, _ faults: inout [VirtualPrinterFault: VirtualPrinterFaultMode]) -> Bool {
        guard let mode = faults[fault] else { return false }
        if mode == .once { faults[fault] = nil }
        return true
    }

    private func emit(_ event: Event) {
        sockets.withLock { $0.onEvent }?(event)
    }

    /// `send` until all is written; false when the peer is gone.
    private static func write(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n > 0 { sent += n; continue }
            if n < 0 && errno == EINTR { continue }
            return false
        }
        return true
    }

    /// `socket`, `bind` (loopback or a Unix path), `listen`, `getsockname`.
    private static func listen(_ listen: Listen) throws(SocketError) -> (Int32, SocketPrinterTransport.Endpoint) {
        switch listen {
        case .loopback(let port):
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw SocketError("socket") }
            var one: Int32 = 1
            _ = setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = port.bigEndian
            addr.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian  // 127.0.0.1 only
            let bound = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { let e = SocketError("bind 127.0.0.1:\(port)"); _ = Glibc.close(fd); throw e }
            guard Glibc.listen(fd, 8) == 0 else { let e = SocketError("listen"); _ = Glibc.close(fd); throw e }
            var actual = sockaddr_in()
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &actual) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
            }
            return (fd, .tcp(host: "127.0.0.1", port: UInt16(bigEndian: actual.sin_port)))
        case .unixSocket(let path):
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            guard fd >= 0 else { throw SocketError("socket") }
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard !bytes.isEmpty, bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else {
                _ = Glibc.close(fd)
                throw SocketError("bind", code: ENAMETOOLONG, detail: "a Unix socket path is 1–107 bytes")
            }
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in for (i, b) in bytes.enumerated() { raw[i] = b } }
            unlink(path)
            let bound = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard bound == 0 else { let e = SocketError("bind \(path)"); _ = Glibc.close(fd); throw e }
            guard Glibc.listen(fd, 8) == 0 else { let e = SocketError("listen"); _ = Glibc.close(fd); throw e }
            return (fd, .unix(path: path))
        }
    }
}
