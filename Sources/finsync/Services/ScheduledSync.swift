import Foundation
import Ingest
import Logging
import Notify
import Postgres

/// The cron-scheduled sync of `finsync schedule` and `finsync serve`: a ``Scheduler`` whose
/// each run is one `SyncRunner` run on `connection` (reconnected first if the server went
/// away since the last run), followed by the projections' catch-up.
enum ScheduledSync {
    static func scheduler(config: FinsyncConfiguration, sandbox: FinsyncSandbox? = nil, connection conn: PostgresConnection, logger: Logger) async throws -> Scheduler {
        let providers = try await ProviderWiring.providers(config, sandbox: sandbox, connection: conn, logger: logger)
        let runner = SyncRunner(connection: conn, providers: providers, afterAppend: AfterAppendHook.make(connection: conn), logger: logger)
        let reporter = SyncReporter(mode: .plain)
        let webhooks = config.notify.webhooks
        let redactor = await SecretRedactor.of(providers)
        return Scheduler(cron: config.cronExpression, timeZone: config.timeZone, logger: logger) {
            // The server may have restarted since the last run: start this one on a live connection.
            if await conn.isBroken {
                logger.warning("lost the database since the last run; reconnecting")
                try await conn.reconnect()
            }
            let record = try await runner.run(.init(trigger: .scheduled)) { reporter.report($0) }
            logger.info("scheduled run \(record.runID.uuidString.lowercased()) ended \(record.status.rawValue)")
            if sandbox == nil {
                await RunNotifier(webhooks: webhooks, connection: conn, redactor: redactor, logger: logger).notify(after: record)
            }
        }
    }

    /// The `[schedule]` problems of `config`, as the error to stop with.
    static func validate(_ config: FinsyncConfiguration) throws {
        let problems = config.validate().filter { $0.key.hasPrefix("schedule") }
        guard problems.isEmpty else { throw ConfigurationError(path: config.path, problems: problems) }
    }
}
