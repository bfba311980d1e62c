import Foundation
import SSCardDriver
import SSCardPrinter
import Sockets
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
/// socket; each connection is served by a thread of its own (`SocketServer`), and commands
/// from all connections run one at a time, like a printer's command queue. The commands
/// themselves are in VirtualPrinterServer+Commands.swift.
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

    struct Session {
        var sequenceOpen = false
        var downloads: [EscapePanelDownload] = []
        var selectedFeeder: Int
        var ejectAtEndOfPrint = true
        var ribbon: EscapeRibbon?
        var printed: [PrintedCard] = []
        /// Faults the server itself plays: `.notConnected`, `.timeout`.
        var linkFaults: [VirtualPrinterFault: VirtualPrinterFaultMode] = [:]
    }

    private struct Link {
        var started = false
        var endpoint: SocketPrinterTransport.Endpoint?
        var onEvent: (@Sendable (Event) -> Void)?
    }

    /// Commands run one at a time under this lock.
    let session: Mutex<Session>
    private let link = Mutex(Link())
    private let server = SocketServer(name: "vprinter")

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
        get { link.withLock { $0.onEvent } }
        set { link.withLock { $0.onEvent = newValue } }
    }

    /// Where a `SocketPrinterTransport` reaches the server; nil before `start`.
    public var endpoint: SocketPrinterTransport.Endpoint? { link.withLock { $0.endpoint } }

    /// The cards printed so far.
    public var printedCards: [PrintedCard] { session.withLock { $0.printed } }

    // MARK: Starting and stopping

    /// Binds and listens, then serves connections on threads of their own until `stop()`.
    /// Starting twice is a programmer error (traps).
    public func start() throws(SocketError) {
        let listener: SocketListener
        let endpoint: SocketPrinterTransport.Endpoint
        switch configuration.listen {
        case .loopback(let port):
            listener = try SocketListener(address: .loopback(port: port), backlog: 8)
            endpoint = .tcp(host: "127.0.0.1", port: listener.port)
        case .unixSocket(let path):
            listener = try SocketListener(address: try .unix(path), backlog: 8)
            endpoint = .unix(path: path)
        }
        link.withLock { l in
            precondition(!l.started, "VirtualPrinterServer.start() called twice")
            l.started = true
            l.endpoint = endpoint
        }
        if let directory = configuration.outputDirectory {
            try? PrivateFile.makeFolder(directory.path)
        }
        emit(.listening(endpoint.description))
        server.serve(listener) { [self] connection, id in serve(connection, id: id) }
    }

    /// Stops listening (a Unix socket's file is removed), closes every connection and waits
    /// for the threads to end.
    public func stop() {
        server.stop()
    }

    // MARK: A connection

    /// Reads commands as they come, answers each, until the client leaves or a fault hangs up.
    private func serve(_ connection: StreamSocket, id: Int) {
        emit(.connected(id))
        defer { emit(.disconnected(id)) }
        var decoder = EscapeCommandDecoder(format: configuration.panelFormat)
        while let bytes = try? connection.receive(), !bytes.isEmpty {
            decoder.append(bytes)
            while let result = decoder.next() {
                switch result {
                case .failure(let error):
                    emit(.decodingError(error.description))
                    if case .garbageBeforeEscape = error { continue }
                    guard send(EscapeReply.error(EscapeErrorKind.commandRefused.replyText), on: connection) else { return }
                case .success(let command):
                    switch handle(command) {
                    case .reply(let reply):
                        emit(.command(command, reply))
                        guard send(reply, on: connection) else { return }
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

    /// False when the client is gone.
    private func send(_ reply: EscapeReply, on connection: StreamSocket) -> Bool {
        (try? connection.sendAll(reply.wireBytes)) != nil
    }

    func emit(_ event: Event) {
        link.withLock { $0.onEvent }?(event)
    }
}
