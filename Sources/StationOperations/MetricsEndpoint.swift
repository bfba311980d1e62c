import CoreMetrics
import Dispatch
import Hummingbird
import Logging

/// `GET /metrics` in the Prometheus text format, for any Hummingbird router: the bridge adds it
/// with `--metrics`, the web desk adds it beside its pages. Servers of the desk listen on
/// loopback, so the metrics leave the machine only through whatever the technician sets up
/// (docs/technician.md, metrics).
public enum MetricsEndpoint {
    public static let path = "/metrics"
    /// The content type Prometheus expects of the text format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func add<Context: RequestContext>(to router: Router<Context>, metrics: PrometheusMetrics,
                                                    refresh: @escaping @Sendable () -> Void = {}) {
        router.get(RouterPath(path)) { _, _ -> Response in
            await refreshOffThePool(refresh)
            return Response(status: .ok, headers: [.contentType: contentType],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
    }

    /// Runs `refresh` on a thread of its own queue: the gauges ask the printer and the books,
    /// which block (the outlet's PostgreSQL books wait on PostgresNIO), and a handler blocking a
    /// thread of Swift's cooperative pool could stall every request of the process.
    static func refreshOffThePool(_ refresh: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            refreshQueue.async { refresh(); done.resume() }
        }
    }

    private static let refreshQueue = DispatchQueue(label: "metrics.refresh")
}

extension MetricsEndpoint {
    /// Serves only `GET /metrics` on 127.0.0.1:`port` (0: any free port) until the task is
    /// cancelled, for a program whose own server should not carry it (the bridge's port is
    /// open to web pages). `refresh` runs before each answer to read the gauges afresh.
    public static func serve(metrics: PrometheusMetrics, port: Int, refresh: @escaping @Sendable () -> Void = {},
                             onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let router = Router()
        add(to: router, metrics: metrics, refresh: refresh)
        var logger = Logger(label: "sscard.metrics")
        logger.logLevel = .warning
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) }, logger: logger)
        try await app.run()
    }
}

/// The process's metrics backend: made and bootstrapped into swift-metrics on first use.
public enum DeskMetrics {
    public static let installed: PrometheusMetrics = {
        let metrics = PrometheusMetrics()
        MetricsSystem.bootstrap(metrics)
        return metrics
    }()
}
