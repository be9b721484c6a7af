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
        try ScheduledSync.validate(config)
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
        let scheduler = try await ScheduledSync.scheduler(config: config, connection: conn, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [scheduler], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
