import ArgumentParser
import Foundation
import Ingest
import Logging
import Postgres
import ProviderFakes

/// `--config` and `--database-url` for the ingestion commands, and what they build:
/// the configuration, the database connection and the configured providers.
struct IngestOptions: ParsableArguments {
    @Option(name: .long, help: "finsync.toml to read (default: $FINSYNC_CONFIG, then ./finsync.toml).")
    var config: String?

    @Option(name: .long, help: "PostgreSQL URL (default: $DATABASE_URL, then database_url in the file, then PG* variables).")
    var databaseURL: String?

    func load() throws -> FinsyncConfiguration {
        try FinsyncConfiguration.load(path: FinsyncConfiguration.locate(explicit: config))
    }

    /// Connects and checks that every migration is applied (a clear hint instead of "relation does not exist").
    func connect(_ c: FinsyncConfiguration) async throws -> PostgresConnection {
        let url = databaseURL ?? c.effectiveDatabaseURL
        let conn = try await PostgresConnection.connect(url.map(PostgresConfiguration.init) ?? .fromEnvironment())
        do { try await MigrationCheck.ensureApplied(conn) } catch { conn.close(); throw error }
        return conn
    }

    /// The providers the configuration enables, in sync order: GoCardless when `[gocardless]`
    /// is present, Trading212 when there are `[[trading212]]` entries, and Vanguard (its
    /// connections are stored in the database, so only when `connection` is given); or the
    /// three fakes of `sandbox`.
    ///
    /// A structural problem in a provider's table stops here (fix the file); a secret that
    /// cannot be read only fails that connection's step, so the other connections still sync.
    func providers(_ c: FinsyncConfiguration, sandbox: FinsyncSandbox? = nil, connection: PostgresConnection?, logger: Logger) async throws -> [any Provider] {
        if let sandbox { return try await sandbox.providers(connection: connection, logger: logger) }
        var out: [any Provider] = []
        if let g = c.gocardless {
            let problems = c.validate().filter { $0.key.hasPrefix("gocardless") }
            guard problems.isEmpty else { throw ConfigurationError(path: c.path, problems: problems) }
            let client = GoCardlessClient(baseURL: g.baseURL, credentials: try c.gocardlessCredentials(), logger: logger)
            out.append(GoCardlessProvider(client: client, options: .init(overlapDays: g.overlapDays, detailsRefreshDays: g.detailsRefreshDays)))
        }
        let t212Problems = c.readProblems.filter { $0.key.hasPrefix("trading212") }
        guard t212Problems.isEmpty else { throw ConfigurationError(path: c.path, problems: t212Problems) }
        if !c.trading212.isEmpty {
            let cache: any Trading212InstrumentCache = connection.map { PostgresTrading212InstrumentCache(connection: $0) } ?? InMemoryTrading212InstrumentCache()
            let progress: any Trading212HistoryProgress = connection.map { PostgresTrading212HistoryProgress(connection: $0) } ?? InMemoryTrading212HistoryProgress()
            out.append(Trading212Provider(configurations: c.trading212, environment: c.environment, instrumentCache: cache, historyProgress: progress))
        }
        if let connection { out.append(VanguardProvider(store: PostgresVanguardConnectionStore(connection: connection))) }
        return out
    }

    /// The GoCardless client alone (for `connect`).
    func gocardlessClient(_ c: FinsyncConfiguration, logger: Logger) throws -> GoCardlessClient {
        guard let g = c.gocardless else {
            throw IngestCommandError("no [gocardless] table in \(c.path ?? "the configuration"); add base_url, secret_id_env and secret_key_env")
        }
        return GoCardlessClient(baseURL: g.baseURL, credentials: try c.gocardlessCredentials(), logger: logger)
    }
}
