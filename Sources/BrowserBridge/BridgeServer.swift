import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import SSCardDriver
import Synchronization

/// The browser bridge: HTTP and WebSocket on 127.0.0.1 (Hummingbird 2, the server stack the web
/// desk uses too). `ws://127.0.0.1:<port>/` speaks the `function` dialect (`BridgeDialect`);
/// `/sscard.js` is the JS client and `/` its example page. A WebSocket handshake that fails the
/// `OriginPolicy`, or comes from anything but loopback, is answered 403 and never upgraded.
public final class BridgeServer: Sendable {
    public let configuration: BridgeConfiguration
    let dispatcher: BridgeDispatcher
    private let boundPort = Mutex<Int?>(nil)
    private let nextConnection = Atomic<Int>(1)

    /// Told of each refused handshake: the page's origin (as sent) and the reason.
    let refusedHandshake: @Sendable (_ origin: String, _ reason: String) -> Void

    /// `log` receives one record per call (the command prints them); it never holds card data.
    /// `refused` is told of each handshake refused with 403.
    public init(driver: SSCardInterface, configuration: BridgeConfiguration,
                log: @escaping @Sendable (BridgeCallRecord) -> Void = { _ in },
                refused: @escaping @Sendable (_ origin: String, _ reason: String) -> Void = { _, _ in }) {
        self.configuration = configuration
        dispatcher = BridgeDispatcher(driver: driver, configuration: configuration, log: log)
        refusedHandshake = refused
    }

    /// The port listened on, once running.
    public var port: Int? { boundPort.withLock { $0 } }

    /// Serves until the task is cancelled. `onRunning` gets the port once it listens.
    public func run(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        var logger = Logger(label: "browser-bridge")
        logger.logLevel = .warning
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: PrivateNetworkPreflightMiddleware(server: self))
        router.get("/sscard.js") { _, _ in
            Self.file(BridgeAssets.clientScript, type: "text/javascript; charset=utf-8")
        }
        router.get("/") { _, _ in
            Self.file(BridgeAssets.examplePage, type: "text/html; charset=utf-8")
        }
        let ws = WebSocketServerConfiguration(maxFrameSize: configuration.frameLimit, autoPing: .enabled(timePeriod: .seconds(30)))
        // Refused handshakes get 403 with the reason (`HandshakeGate`), not the library's bare 400.
        let server = HTTPServerBuilder { [self] responder in
            let inner = HTTP1WebSocketUpgradeChannel(responder: responder, configuration: .init(ws: ws)) { request, channel, _ in
                guard let origin = self.admittedOrigin(request, remote: channel.remoteAddress) else { return .dontUpgrade }
                let executor = EventLoopTaskExecutor(channel.eventLoop)
                return .upgrade([:]) { inbound, outbound, _ in
                    await withTaskExecutorPreference(executor) {
                        await self.serve(inbound: inbound, outbound: outbound, origin: origin)
                    }
                }
            }
            return HandshakeGateChannel(inner: inner) { head, remote in
                let reason = self.refusal(origin: head.headers["origin"], host: head.headers["host"], path: head.path, remote: remote)
                if let reason { self.refusedHandshake(String((head.headers["origin"] ?? "-").prefix(200)), reason) }
                return reason
            }
        }
        let app = Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname("127.0.0.1", port: configuration.port), serverName: nil),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? configuration.port
                boundPort.withLock { $0 = port }
                await onRunning(port)
            },
            logger: logger)
        try await app.run()
    }

    private static func file(_ text: String, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// The normalised origin of a handshake the policy lets through, or nil.
    func admittedOrigin(_ request: HTTPRequest, remote: SocketAddress?) -> String? {
        refusal(request, remote: remote) == nil ? OriginPolicy.normalised(request.headerFields[.origin] ?? "") : nil
    }

    /// Why a WebSocket handshake is refused, or nil.
    func refusal(_ request: HTTPRequest, remote: SocketAddress?) -> String? {
        refusal(origin: request.headerFields[.origin], host: request.authority, path: request.path, remote: remote)
    }

    func refusal(origin: String?, host: String?, path: String?, remote: SocketAddress?) -> String? {
        if let ip = remote?.ipAddress, ip != "127.0.0.1", ip != "::1", ip != "::ffff:127.0.0.1" {
            return "not from loopback"
        }
        let port = self.port ?? configuration.port
        let token = path.flatMap { URLComponents(string: $0)?.queryItems?.first { $0.name == "token" }?.value }
        return configuration.policy.refusal(origin: origin, host: host, token: token, port: port)
    }

    /// One WebSocket connection: messages are gathered (up to `messageLimit`, the rest
    /// discarded as it comes), answered in order, and the connection closed when idle.
    func serve(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, origin: String) async {
        let id = nextConnection.add(1, ordering: .relaxed).oldValue
        let lastActivity = ActivityClock()
        let idle = configuration.idleTimeout
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                // The idle watchdog: ends the connection (the handler's return closes it).
                while !Task.isCancelled {
                    let last = lastActivity.last
                    if ContinuousClock.now - last >= idle { return }
                    try? await Task.sleep(until: last + idle, clock: .continuous)
                }
            }
            group.addTask { [self] in
                var state = BridgeConnectionState(id: id, origin: origin,
                                                  rate: RateLimiter(perSecond: configuration.ratePerSecond, burst: configuration.rateBurst))
                var message: [UInt8] = []
                var size = 0
                do {
                    for try await frame in inbound {
                        lastActivity.touch()
                        if frame.opcode != .continuation { message.removeAll(keepingCapacity: true); size = 0 }
                        size += frame.data.readableBytes
                        if size <= configuration.messageLimit { message.append(contentsOf: frame.data.readableBytesView) }
                        guard frame.fin else { continue }
                        let reply: BridgeReply
                        if size > configuration.messageLimit {
                            reply = dispatcher.oversized(size, connection: state)
                        } else if let text = String(validating: message, as: UTF8.self) {
                            reply = await dispatcher.handle(text, connection: &state)
                        } else {
                            reply = BridgeRefusal(.badParameter, "消息不是 UTF-8 文本", "the message is not UTF-8 text")
                                .reply(language: configuration.language)
                        }
                        message.removeAll(keepingCapacity: size < 65_536)
                        size = 0
                        lastActivity.touch()
                        try await outbound.write(.text(reply.jsonText))
                    }
                } catch {}
            }
            _ = await group.next()
            group.cancelAll()
        }
        dispatcher.connectionClosed(id)
    }
}

/// Answers Chrome's Private Network Access preflight (the permission check before Local Network
/// Access replaced it) for an allowed origin. A WebSocket handshake never gets here: a refused
/// one is answered 403 by `HandshakeGate` (or, later on a kept-alive connection, 400 by
/// hummingbird-websocket).
struct PrivateNetworkPreflightMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let server: BridgeServer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.method == .options, let origin = request.headers[.origin],
           server.configuration.policy.refusal(origin: origin, host: request.head.authority, token: nil,
                                               port: server.port ?? server.configuration.port) == nil
            || server.configuration.policy.tokens[OriginPolicy.normalised(origin)] != nil {
            var headers = HTTPFields()
            headers[.accessControlAllowOrigin] = origin
            headers[HTTPField.Name("Access-Control-Allow-Private-Network")!] = "true"
            headers[.accessControlAllowMethods] = "GET"
            return Response(status: .noContent, headers: headers)
        }
        return try await next(request, context)
    }
}

/// When a connection last sent or was answered: what the idle watchdog reads.
final class ActivityClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)
    var last: ContinuousClock.Instant { instant.withLock { $0 } }
    func touch() { instant.withLock { $0 = .now } }
}
