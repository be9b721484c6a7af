import ArgumentParser
import Foundation
import EventLog
import Ingest
import Logging
import Notify
import Postgres
import Projections
import Replay
import Serve
import ServiceLifecycle

/// `finsync serve`: the HTTP API, the cron schedule and the projection follower in one
/// process, under one swift-service-lifecycle `ServiceGroup`.
///
/// SIGTERM/SIGINT: the server stops accepting and finishes the requests in flight, a
/// running sync stops between steps (recorded `failed`, "cancelled"; what it appended
/// stays and the next run completes it), the follower stops after its batch; exit 0.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API, run the sync schedule and keep projections caught up, until SIGTERM/SIGINT.",
        discussion: "Listens on [server] bind/port of finsync.toml (default 127.0.0.1:8080). Clients need a token from `finsync token create`."
    )

    @OptionGroup var options: SettingsOptions
    @Option(help: "Override [server] bind (the address to listen on).") var bind: String?
    @Option(help: "Override [server] port (0: any free port).") var port: Int?
    @Flag(help: "Do not run the [schedule] cron sync.") var noSchedule = false
    @Flag(help: "Do not follow the event log with the projections.") var noFollow = false
    @Flag(help: "Sync the built-in sandbox providers (fake servers on 127.0.0.1) instead of the configured ones.") var sandbox = false
    @Option(help: "Database connections for the API's requests (at least 1).") var connections = 4
    @Option(help: "The follower's poll interval in seconds, when no NOTIFY arrives (at least 1).") var poll = 5
    @Option(help: .hidden) var tokenCacheSeconds: Double = 5

    func validate() throws {
        try NumericOption.require("--connections", connections, atLeast: 1)
        try NumericOption.require("--poll", poll, atLeast: 1)
        if let port, !(0...65_535).contains(port) { throw ValidationError("--port must be between 0 and 65535 (got \(port))") }
    }

    func run() async throws {
        let settings = try options.resolve()
        var config = settings.file
        if let bind { config.server.bind = bind }
        if let port { config.server.port = port }
        let problems = config.validate().filter { $0.key.hasPrefix("server") && !($0.key == "server.port" && port == 0) }
        guard problems.isEmpty else { throw ConfigurationError(path: config.path, problems: problems) }
        if !noSchedule { try ScheduledSync.validate(config) }
        let logger = Logger(label: "finsync.serve")

        // One connection per job that holds a session of its own: the API's sync runs and the
        // schedule's each take the run lock on theirs; the follower LISTENs on its own.
        let syncConnection = try await settings.connect()
        defer { syncConnection.close() }
        let pool = try await ConnectionPool.open(settings.database.configuration, size: connections)
        defer { pool.close() }
        let box = sandbox ? try await FinsyncSandbox.start() : nil
        do {
            try await serve(settings: settings, config: config, box: box, syncConnection: syncConnection, pool: pool, logger: logger)
        } catch {
            await box?.stop()
            throw error
        }
        await box?.stop()
    }

    private func serve(settings: FinsyncSettings, config: FinsyncConfiguration, box: FinsyncSandbox?, syncConnection: PostgresConnection,
                       pool: ConnectionPool, logger: Logger) async throws {
        let providers = try await ProviderWiring.providers(config, sandbox: box, connection: syncConnection, logger: logger)
        let runner = SyncRunner(connection: syncConnection, providers: providers, afterAppend: AfterAppendHook.make(connection: syncConnection), logger: logger)
        // Webhooks are told after an API-started run as after `finsync sync` (not in the sandbox).
        let notifier = box == nil ? RunNotifier(webhooks: config.notify.webhooks, connection: syncConnection,
                                                redactor: await SecretRedactor.of(providers), logger: logger) : nil
        let launcher = SyncLauncher(pool: pool, logger: logger) { progress in
            let record = try await runner.run(.init(trigger: .manual), progress: progress)
            await notifier?.notify(after: record)
            return record
        }
        let consent: ConsentStarter?
        if let box {
            consent = ConsentStarter(client: GoCardlessClient(baseURL: box.gocardless.baseURL,
                                                              credentials: GoCardlessCredentials(secretID: box.gocardless.secretID, secretKey: box.gocardless.secretKey), logger: logger))
        } else {
            consent = config.gocardless == nil ? nil : ConsentStarter(client: try ProviderWiring.gocardlessClient(config, logger: logger))
        }
        let migrator = (try? SchemasDirectory.locate()).flatMap { try? PostgresMigrator(directory: $0) }
        var serverOptions = APIServer.Options(config.server)
        serverOptions.tokenCacheSeconds = tokenCacheSeconds
        var server = APIServer(options: serverOptions, pool: pool, sync: launcher, consent: consent, logger: logger,
                               pendingMigrations: { s in try migrator?.pending(s).map(\.name) })
        server.enableBanking = try ProviderWiring.enableBankingConnector(config, sandbox: box, store: PostgresEnableBankingLinkStore(connection: pool.connection), logger: logger)
        let bindAddress = config.server.bind
        var services: [any Service] = [
            try server.application { port in
                print("finsync serve: listening on http://\(bindAddress):\(port)")
                fflush(nil)
            },
            launcher,
        ]
        var closers: [PostgresConnection] = []
        defer { closers.forEach { $0.close() } }
        if !noSchedule {
            let conn = try await settings.connect()
            closers.append(conn)
            services.append(try await ScheduledSync.scheduler(config: config, sandbox: box, connection: conn, logger: Logger(label: "finsync.schedule")))
        }
        if !noFollow {
            let conn = try await settings.connect()
            closers.append(conn)
            let follower = ProjectionFollower(runner: ProjectionRunner(connection: conn), pollInterval: .seconds(poll), batchSize: EventLog.defaultBatchSize,
                                              snapshots: SnapshotPolicy()) { results in
                for r in results where r.outcome == .failed { logger.error("\(ProjectCommand.describe(r))") }
            }
            services.append(ProjectionFollowService(follower: follower))
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        print("finsync serve: stopped")
    }
}
