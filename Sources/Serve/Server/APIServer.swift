import Foundation
import Hummingbird
import Ingest
import Logging
import NIOCore
import OpenAPIHummingbird
import OpenAPIRuntime
import Postgres

/// The HTTP server of `finsync serve`: Hummingbird 2 with the routes and types generated
/// from `openapi.yaml`, behind (outermost first) metrics, problem+json errors, bearer
/// auth and ETags. An `Application` is a swift-service-lifecycle `Service`: under the
/// service group it stops accepting on SIGTERM/SIGINT and finishes the requests in flight.
public struct APIServer: Sendable {
    public struct Options: Sendable {
        public var bind: String
        public var port: Int
        public var metrics: FinsyncConfiguration.Server.MetricsAccess
        /// Seconds a checked token is remembered.
        public var tokenCacheSeconds: TimeInterval

        public init(bind: String = "127.0.0.1", port: Int = 8080, metrics: FinsyncConfiguration.Server.MetricsAccess = .token, tokenCacheSeconds: TimeInterval = 5) {
            self.bind = bind
            self.port = port
            self.metrics = metrics
            self.tokenCacheSeconds = tokenCacheSeconds
        }

        /// `[server]` of finsync.toml.
        public init(_ server: FinsyncConfiguration.Server) {
            self.init(bind: server.bind, port: server.port, metrics: server.metrics)
        }
    }

    public let options: Options
    public let pool: ConnectionPool
    public let sync: SyncLauncher?
    public let consent: ConsentStarter?
    /// Enable Banking linking over the API; nil without `[[enablebanking]]`.
    public var enableBanking: EnableBankingConnector? = nil
    public let metrics: APIMetrics
    public let logger: Logger
    let pendingMigrations: @Sendable (PostgresSession) throws -> [String]?

    /// - Parameter pendingMigrations: the migrations this build needs that the database
    ///   lacks (for `/readyz`); nil when that cannot be told.
    public init(options: Options, pool: ConnectionPool, sync: SyncLauncher?, consent: ConsentStarter?, metrics: APIMetrics = APIMetrics(),
                logger: Logger = Logger(label: "finsync.serve"), pendingMigrations: @escaping @Sendable (PostgresSession) throws -> [String]? = { _ in nil }) {
        self.options = options
        self.pool = pool
        self.sync = sync
        self.consent = consent
        self.metrics = metrics
        self.logger = logger
        self.pendingMigrations = pendingMigrations
    }

    /// The application; `onRunning` gets the port it listens on (useful with port 0).
    public func application(onRunning: @escaping @Sendable (Int) async -> Void = { _ in }) throws -> some ApplicationProtocol {
        let router = Router(context: BasicRequestContext.self)
        router.add(middleware: HTTPMetricsMiddleware(metrics: metrics))
        router.add(middleware: ProblemMiddleware(logger: logger))
        var open: Set<String> = ["/healthz", "/readyz"]
        if options.metrics == .public { open.insert("/metrics") }
        router.add(middleware: BearerAuthMiddleware(pool: pool, openPaths: open, cache: TokenCache(ttl: options.tokenCacheSeconds)))
        router.add(middleware: ETagMiddleware(pool: pool))
        if options.metrics != .off {
            let metrics = self.metrics, pool = self.pool
            router.get("/metrics") { _, _ -> Response in
                try await metrics.refresh(pool)
                return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(bytes: metrics.render())))
            }
        }
        var handlers = APIHandlers(pool: pool, sync: sync, consent: consent, readiness: Readiness(pendingMigrations: pendingMigrations), logger: logger)
        handlers.enableBanking = enableBanking
        // Compact JSON with members in no particular order (JSON objects are unordered;
        // pretty printing and sorting keys cost a fifth of a transactions page's CPU) and
        // lock-free date formatting.
        let configuration = Configuration(dateTranscoder: RFC3339DateTranscoder(), jsonEncodingOptions: [])
        try handlers.registerHandlers(on: TransactionPageRoute(base: router, handlers: handlers, configuration: configuration), configuration: configuration)
        return Application(
            router: router,
            configuration: .init(address: .hostname(options.bind, port: options.port), serverName: "finsync"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }
}
