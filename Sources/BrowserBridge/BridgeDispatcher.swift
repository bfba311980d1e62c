import Foundation
import SSCardDriver
import Synchronization

/// One connection as the dispatcher sees it.
struct BridgeConnectionState: Sendable {
    let id: Int
    let origin: String
    var rate: RateLimiter
}

/// Turns one request text into one reply: the guards, the aliases, the reader lock and the
/// two-step binding, then the driver. Independent of the transport, so tests can drive it
/// without a socket, and the server is only plumbing.
final class BridgeDispatcher: Sendable {
    let configuration: BridgeConfiguration
    let calls: BridgeDriverCalls
    let lock: ReaderLock
    let thread = DriverThread()
    let log: @Sendable (BridgeCallRecord) -> Void
    /// When the last iLoadCard fed a card (for `fedCardSettle`).
    private let lastFeed = Mutex<ContinuousClock.Instant?>(nil)

    init(driver: SSCardInterface, configuration: BridgeConfiguration, log: @escaping @Sendable (BridgeCallRecord) -> Void) {
        self.configuration = configuration
        calls = BridgeDriverCalls(driver: driver)
        lock = ReaderLock(sessionTimeout: configuration.sessionTimeout)
        self.log = log
    }

    func handle(_ text: String, connection: inout BridgeConnectionState) async -> BridgeReply {
        let start = ContinuousClock.now
        let reply = await reply(text, connection: &connection)
        let elapsed = ContinuousClock.now - start
        log(BridgeCallRecord(connection: connection.id, origin: connection.origin,
                             function: BridgeCallRecord.loggedName(reply.functionName), code: reply.code,
                             milliseconds: Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000))
        return reply
    }

    /// The reply to a message that was too large (its bytes were not kept).
    func oversized(_ size: Int, connection: BridgeConnectionState) -> BridgeReply {
        let refusal = BridgeRefusal(.badParameter, "消息过大（\(size) 字节，上限 \(configuration.messageLimit)）",
                                    "message too large (\(size) bytes, limit \(configuration.messageLimit))")
        log(BridgeCallRecord(connection: connection.id, origin: connection.origin, function: "", code: refusal.code.rawValue, milliseconds: 0))
        return refusal.reply(language: configuration.language)
    }

    private func reply(_ text: String, connection: inout BridgeConnectionState) async -> BridgeReply {
        let language = configuration.language
        // Decoded before the rate is checked, so even a refusal carries the page's id.
        let decoded = BridgeRequest.decode(text)
        guard connection.rate.allow() else {
            let request = try? decoded.get()
            return BridgeRefusal(.rateLimited, "请求过于频繁，请稍后再试", "too many requests; try again shortly",
                                 function: request?.function ?? "", id: request?.id).reply(language: language)
        }
        let request: BridgeRequest
        switch decoded {
        case .success(let r): request = r
        case .failure(let refusal): return refusal.reply(language: language)
        }
        let fields = BridgeAliases.canonicalFields(request.fields)
        let function = BridgeAliases.resolve(request.function, fields: request.fields)
        if var refusal = PINFieldGuard.check(fields, function: function) {
            refusal.function = function?.rawValue ?? request.function
            refusal.id = request.id
            return refusal.reply(language: language)
        }
        guard let function else {
            let name = String(request.function.prefix(64))
            return BridgeRefusal(.unsupported, "浏览器桥不提供函数 \(name)", "the bridge does not serve function \(name)",
                                 function: name, id: request.id).reply(language: language)
        }
        let arguments: BridgeArguments
        switch BridgeArguments.parse(function, fields: fields) {
        case .success(let a): arguments = a
        case .failure(var refusal):
            refusal.id = request.id
            return refusal.reply(language: language)
        }
        let owner = connection.id
        if let step = function.session, let (zh, en) = lock.refusal(family: step.family, step: step.step, owner: owner) {
            return BridgeRefusal(.notYourSession, zh, en, function: function.rawValue, id: request.id).reply(language: language)
        }
        let resources = BridgeDriverCalls.resources(function, arguments)
        let wait = request.waitMilliseconds.map { Duration.milliseconds($0) } ?? configuration.busyWait
        guard await lock.acquire(resources, owner: owner, deadline: .now + wait) else {
            return BridgeRefusal(.busy, "读卡器正被另一个网页使用，请稍后再试", "the reader is in use by another page; try again shortly",
                                 function: function.rawValue, id: request.id).reply(language: language)
        }
        let result = await thread.run { [self] in self.run(function, arguments) }
        if let step = function.session {
            lock.stepEnded(family: step.family, step: step.step, owner: owner, succeeded: result.code == 0, resources: resources)
        }
        lock.release(resources, owner: owner)
        return BridgeReply(functionName: function.rawValue, code: result.code, pOutInfo: result.output, id: request.id)
    }

    /// The driver call; a read of a card just fed by iLoadCard retries "no card" for a moment.
    private func run(_ function: BridgeFunction, _ arguments: BridgeArguments) -> InterfaceResult {
        var result = calls.call(function, arguments)
        if function == .iLoadCard, result.code == 0 { lastFeed.withLock { $0 = .now } }
        guard function == .iReadCardBas || function == .iReadCardBas_HSM_Step1,
              let fed = lastFeed.withLock({ $0 }), ContinuousClock.now < fed + configuration.fedCardSettle + .seconds(10) else {
            return result
        }
        let deadline = ContinuousClock.now + configuration.fedCardSettle
        while (result.code == InterfaceCode.noCard.rawValue || result.code == InterfaceCode.readerConnectError.rawValue),
              ContinuousClock.now < deadline {
            Thread.sleep(forTimeInterval: 0.02)
            result = calls.call(function, arguments)
        }
        return result
    }

    func connectionClosed(_ id: Int) {
        lock.connectionClosed(id)
    }
}
