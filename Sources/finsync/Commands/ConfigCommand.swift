import ArgumentParser
import Foundation
import Ingest

/// `finsync config check`: validates finsync.toml and the environment it names, and shows
/// which database every command will use (the one resolution, ``FinsyncSettings``).
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with finsync.toml.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "check", abstract: "Validate the configuration; name every problem with its key.")
        @OptionGroup var options: SettingsOptions

        func run() async throws {
            let path = FinsyncConfiguration.locate(explicit: options.config)
            let file: FinsyncConfiguration
            do {
                file = try FinsyncConfiguration.load(path: path)
            } catch let e as ConfigurationError {
                print(e)
                throw ExitCode(1)
            }
            let settings = FinsyncSettings(file: file, databaseURL: options.databaseURL)
            let problems = file.validate() + settings.problems
            if problems.isEmpty {
                let c = settings.file
                print("config: \(path ?? "(no file; defaults and environment)") is valid")
                print("  database  \(Self.describe(settings.database))")
                print("  owner     \(Self.describe(settings.ownerDatabase)) (used by `finsync migrate`)")
                print("  schedule  \(c.schedule.cron) in \(c.schedule.timezone)")
                var providers: [String] = []
                if let g = c.gocardless { providers.append("gocardless at \(g.baseURL)") }
                for t in c.trading212 { providers.append("trading212 \(t.name) at \(t.baseURL)") }
                print("  providers " + (providers.isEmpty ? "(none configured)" : providers.joined(separator: "\n            ")))
                print("  vanguard  connections are the sessions handed over with `finsync connect vanguard --session FILE` (see `finsync connections`)")
                return
            }
            print("config: \(path ?? "(no file)") has \(problems.count) problem(s):")
            for p in problems { print("  \(p.key): \(p.message)") }
            throw ExitCode(1)
        }

        /// The database as a person checks it: the target (password hidden) and where it was set.
        static func describe(_ d: FinsyncSettings.Database) -> String {
            let target = d.configuration.redacted.isEmpty ? "(libpq defaults)" : d.configuration.redacted
            return "\(target) from \(d.source)"
        }
    }
}
