import ArgumentParser
import Foundation
import Ingest

/// `finsync runs` / `finsync runs show ID`: the run records.
struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List recent sync runs, or show one.",
        subcommands: [List.self, Show.self],
        defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Recent runs, newest first.")
        @OptionGroup var options: SettingsOptions
        @Option(name: .shortAndLong, help: "How many runs (at least 1).") var count = 20

        func validate() throws { try NumericOption.require("--count", count, atLeast: 1) }
        @Flag(help: "Print as JSON.") var json = false

        func run() async throws {
            let conn = try await options.resolve().connect()
            defer { conn.close() }
            let runs = try await RunStore(connection: conn).recent(limit: count)
            if json { print(try IngestFormat.json(runs)); return }
            if runs.isEmpty { print("no runs yet (try `finsync sync`)"); return }
            for r in runs {
                print("\(r.runID.uuidString.lowercased())  \(IngestFormat.iso(r.startedAt))  \(r.trigger.rawValue.padding(toLength: 9, withPad: " ", startingAt: 0)) \(r.status.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)) \(r.eventsAppended) new, \(r.duplicatesSkipped) dup\(r.dryRun ? " (dry run)" : "")" + (r.message.map { "  \($0)" } ?? ""))
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "show", abstract: "One run with its steps.")
        @OptionGroup var options: SettingsOptions
        @Argument(help: "The run id (or a unique prefix).") var id: String
        @Flag(help: "Print as JSON.") var json = false

        func run() async throws {
            let conn = try await options.resolve().connect()
            defer { conn.close() }
            guard let r = try await RunStore(connection: conn).run(id) else { throw IngestCommandError("no run (or more than one) matches \(id)") }
            if json { print(try IngestFormat.json(r)); return }
            print("run       \(r.runID.uuidString.lowercased())")
            print("trigger   \(r.trigger.rawValue)\(r.dryRun ? " (dry run)" : "")")
            print("status    \(r.status.rawValue)")
            print("started   \(IngestFormat.iso(r.startedAt))")
            print("finished  \(IngestFormat.iso(r.finishedAt))")
            print("events    \(r.eventsAppended) appended, \(r.duplicatesSkipped) duplicates skipped")
            if let m = r.message { print("message   \(m)") }
            for s in r.steps {
                print("  #\(s.stepNo) \(s.status.rawValue.padding(toLength: 16, withPad: " ", startingAt: 0)) \(s.label): \(s.eventsAppended) new, \(s.duplicatesSkipped) dup")
                if !s.quota.isEmpty { print("      quota: \(IngestFormat.quota(s.quota))") }
                for n in s.notes { print("      \(n)") }
                if let e = s.error { print("      error: \(e)") }
            }
        }
    }
}
