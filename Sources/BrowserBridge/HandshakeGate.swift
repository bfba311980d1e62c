import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore

/// Refuses a WebSocket handshake the `OriginPolicy` does not allow with 403 and the reason,
/// before HTTP parsing: hummingbird-websocket answers every handshake it does not upgrade with
/// a bare 400, and a technician reading the browser's console should see "403 … origin X is not
/// allowed". The upgrade's own check (`BridgeServer.refusal`) stays the authority: a handshake
/// that got past this gate is checked again there.
struct HandshakeGateChannel: ServerChildChannel {
    typealias Value = HTTP1WebSocketUpgradeChannel.Value
    let inner: HTTP1WebSocketUpgradeChannel
    /// Why a handshake with these headers from this peer is refused, or nil.
    let refusal: @Sendable (_ head: HandshakeHead, _ remote: SocketAddress?) -> String?

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(HandshakeGate(refusal: refusal), position: .first)
        }.flatMap { inner.setup(channel: channel, logger: logger) }
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// The parts of a request head the gate looks at.
struct HandshakeHead: Sendable {
    var path: String
    /// Header names lower-cased; the last value of a repeated header.
    var headers: [String: String]

    var isWebSocketUpgrade: Bool { headers["upgrade"]?.lowercased().contains("websocket") ?? false }

    /// Parses "GET /path HTTP/1.1\r\nName: value\r\n…" (without the blank line); nil if it is not that.
    init?(_ text: Substring) {
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        guard !lines.isEmpty else { return nil }
        let requestLine = lines.removeFirst().split(separator: " ")
        guard requestLine.count == 3 else { return nil }
        path = String(requestLine[1])
        headers = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] =
                line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
    }
}

/// Reads the first request head of a connection; a refused WebSocket handshake is answered 403
/// and closed, anything else goes on unchanged and the gate steps aside.
final class HandshakeGate: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    private let refusal: @Sendable (HandshakeHead, SocketAddress?) -> String?
    private var buffered: ByteBuffer?
    private var done = false

    init(refusal: @escaping @Sendable (HandshakeHead, SocketAddress?) -> String?) {
        self.refusal = refusal
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return context.fireChannelRead(data) }
        var bytes = unwrapInboundIn(data)
        if buffered == nil { buffered = bytes } else { buffered!.writeBuffer(&bytes) }
        let view = buffered!.readableBytesView
        guard let end = Self.headEnd(view) else {
            // Not a whole head yet; a head this long is left to the HTTP parser to refuse.
            if buffered!.readableBytes > 16_384 { passOn(context) }
            return
        }
        let text = String(decoding: view[view.startIndex..<end], as: UTF8.self)
        if let head = HandshakeHead(text[...]), head.isWebSocketUpgrade,
           let reason = refusal(head, context.channel.remoteAddress) {
            done = true
            buffered = nil
            let body = "403 browser bridge: \(reason)\n"
            let response = "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body
            let channel = context.channel
            context.writeAndFlush(NIOAny(channel.allocator.buffer(string: response))).whenComplete { _ in
                channel.close(promise: nil)
            }
            return
        }
        passOn(context)
    }

    private func passOn(_ context: ChannelHandlerContext) {
        done = true
        if let b = buffered { context.fireChannelRead(wrapInboundOut(b)) }
        buffered = nil
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// The index where "\r\n\r\n" begins, if the head is complete.
    static func headEnd(_ view: ByteBufferView) -> ByteBufferView.Index? {
        guard view.count >= 4 else { return nil }
        var i = view.startIndex
        let last = view.endIndex - 3
        while i < last {
            if view[i] == 13, view[i + 1] == 10, view[i + 2] == 13, view[i + 3] == 10 { return i }
            i += 1
        }
        return nil
    }
}
