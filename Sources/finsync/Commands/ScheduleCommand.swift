import ArgumentParser
import Foundation
import Ingest
import Logging
import Notify
import ServiceLifecycle

/// `finsync schedule`: the long-running scheduler.
struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Run the sync on the configured cron schedule until SIGTERM/SIGINT.",
        discussion: "Uses [schedule] cron (default \"0 4 * * *\") and timezone from finsync.toml. Runs never overlap."
    )

    @OptionGroup var options: SettingsOptions
    @Option(help: "Override [schedule] cron.") var cron: String?
    @Option(help: "Override [schedule] timezone (IANA name).") var timezone: String?
    @Option(help: "Only print the next N run times and exit.") var printNext: Int?

    func validate() throws { if let printNext { try NumericOption.require("--print-next", printNext, atLeast: 1) } }

    func run() async throws {
        let settings = try options.resolve()
        var config = settings.file
        if let cron { config.schedule.cron = cron }
        if let timezone { config.schedule.timezone = timezone }
        let problems = config.validate().filter { $0.key.hasPrefix("schedule") }
        guard problems.isEmpty else { throw ConfigurationError(path: config.path, problems: problems) }
        let expression = config.cronExpression, tz = config.timeZone

        if let n = printNext {
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX"); f.timeZone = tz; f.dateFormat = "yyyy-MM-dd HH:mm:ss ZZZZZ (EEE)"
            for d in expression.upcoming(after: Date(), in: tz, count: n) { print("\(f.string(from: d))  \(IngestFormat.iso(d))") }
            return
        }

        let logger = Logger(label: "finsync.schedule")
        let conn = try await settings.connect()
        defer { conn.close() }
        let providers = try await ProviderWiring.providers(config, connection: conn, logger: logger)
        let runner = SyncRunner(connection: conn, providers: providers, afterAppend: AfterAppendHook.make(connection: conn), logger: logger)
        let reporter = SyncReporter(mode: .plain)
        let webhooks = config.notify.webhooks
        let scheduler = Scheduler(cron: expression, timeZone: tz, logger: logger) {
            // The server may have restarted since the last run: start this one on a live connection.
            if await conn.isBroken {
                logger.warning("lost the database since the last run; reconnecting")
                try await conn.reconnect()
            }
            let record = try await runner.run(.init(trigger: .scheduled)) { reporter.report($0) }
            logger.info("scheduled run \(record.runID.uuidString.lowercased()) ended \(record.status.rawValue)")
            await RunNotifier(webhooks: webhooks, connection: conn, redactor: await SecretRedactor.of(providers), logger: logger).notify(after: record)
        }
        let group = ServiceGroup(configuration: .init(services: [scheduler], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
