import CardManagement
import Foundation
import HTTPTypes
import Hummingbird
import InstantIssue
import Logging
import NIOCore
import NIOPosix
import SSCardPrinter
import Synchronization

/// The clerk's web desk (`issue-station serve`): the station's pages, served by the station
/// process that holds the database, on Hummingbird 2. Every page is a file in Pages/ (see
/// `DeskPage`); the workflow runs in this process, not in the browser.
public final class WebDesk: Sendable {
    public let station: Station
    public let settings: WebDeskSettings
    let sessions = SessionStore()
    let slot = PrinterSlot()
    /// Return files being uploaded to the stock page, with their progress.
    let uploads = ReturnFileUploads()
    let issuances: IssuanceRunner
    let accounts: ClerkAccounts
    private let boundPort = Mutex<Int?>(nil)

    public init(station: Station, settings: WebDeskSettings = WebDeskSettings()) {
        self.station = station
        self.settings = settings
        accounts = ClerkAccounts(database: station.database)
        issuances = IssuanceRunner(station: station, slot: slot, adviser: settings.adviser, readBack: settings.readBack)
    }

    /// The port listened on, once running.
    public var port: Int? { boundPort.withLock { $0 } }

    /// Adds a clerk's account (the demo clerk, the first administrator); `by` goes in the 台账.
    public func addClerk(name: String, password: String, role: ClerkRole, by: String) throws {
        try accounts.add(name: name, role: role, credential: PasswordKDF.credential(for: password, iterations: settings.passwordIterations), by: by)
    }

    var signIn: ClerkSignIn {
        var s = ClerkSignIn(accounts: accounts)
        s.iterations = settings.passwordIterations
        return s
    }

    var requestGuard: RequestGuard { RequestGuard(host: settings.host, port: port ?? settings.port) }

    /// The router with every page of `DeskPages.all`.
    func router() -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: SecurityHeadersMiddleware())
        let routes = DeskRoutes(desk: self, router: router)
        for page in DeskPages.all { page.register(routes) }
        return router
    }

    /// Serves until the task is cancelled (or, with `stopOnSignals`, until SIGINT or SIGTERM,
    /// after which the caller's clean-up runs); `onRunning` gets the port once it listens. A
    /// port another program holds is `WebDeskError.portInUse`.
    public func run(stopOnSignals: Bool = false, onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        var logger = Logger(label: "web-desk")
        logger.logLevel = settings.logsServerErrors ? .warning : .critical
        let app = Application(
            router: router(),
            configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: nil),
            onServerRunning: { [self] channel in
                let port = channel.localAddress?.port ?? settings.port
                boundPort.withLock { $0 = port }
                await onRunning(port)
            },
            logger: logger)
        do {
            if stopOnSignals { try await app.runService() } else { try await app.run() }
        } catch {
            if Self.isAddressInUse(error) { throw WebDeskError.portInUse(host: settings.host, port: settings.port) }
            throw error
        }
    }

    static func isAddressInUse(_ error: any Error) -> Bool {
        if let io = error as? IOError, io.errnoCode == EADDRINUSE { return true }
        return "\(error)".contains("Address already in use")
    }
}

/// Headers on every answer: the Content-Security-Policy lets a page load only what this server
/// serves (no inline script, no other site, no framing), and nothing is cached or sniffed.
/// `Server-Timing: app;dur=<ms>` says how long the server took to make the answer (shown by the
/// browser's developer tools; read by `sscard-bench desk`).
struct SecurityHeadersMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    static let contentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let clock = ContinuousClock()
        let start = clock.now
        var response = try await next(request, context)
        let took = clock.now - start
        let ms = Double(took.components.seconds) * 1000 + Double(took.components.attoseconds) / 1e15
        response.headers[HTTPField.Name("Server-Timing")!] = "app;dur=" + String(format: "%.3f", ms)
        response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
        response.headers[HTTPField.Name("X-Content-Type-Options")!] = "nosniff"
        response.headers[HTTPField.Name("X-Frame-Options")!] = "DENY"
        // same-origin, not no-referrer: under no-referrer Chromium sends `Origin: null` with a form.
        response.headers[HTTPField.Name("Referrer-Policy")!] = "same-origin"
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        return response
    }
}
