import ArgumentParser
import Foundation
import Ingest

/// `finsync config check`: validates finsync.toml and the environment it names.
struct ConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Work with finsync.toml.",
        subcommands: [Check.self]
    )

    struct Check: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "check", abstract: "Validate the configuration; name every problem with its key.")
        @Option(name: .long, help: "finsync.toml to read (default: $FINSYNC_CONFIG, then ./finsync.toml).") var config: String?

        func run() async throws {
            let path = FinsyncConfiguration.locate(explicit: config)
            let c: FinsyncConfiguration
            do {
                c = try FinsyncConfiguration.load(path: path)
            } catch let e as ConfigurationError {
                print(e)
                throw ExitCode(1)
            }
            let problems = c.validate()
            if problems.isEmpty {
                print("config: \(path ?? "(no file; defaults and environment)") is valid")
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
    }
}
