import ArgumentParser
import Foundation
import Postgres
import Replay

/// `finsync explain TABLE KEY…`: the events behind one row.
struct ExplainCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "The events (position, type, stream, run, recorded-at) that produced or changed one row, oldest first.",
        discussion: "KEY is the row's primary key, one value per key column (e.g. `explain transactions <uuid>`, `explain analytics.daily_balances <account> 2024-03-03`)."
    )

    @OptionGroup var database: SettingsOptions
    @Argument(help: "The table, optionally schema-qualified.") var table: String
    @Argument(help: "Primary-key value(s), in key order.") var key: [String]
    @Option(help: "Look in this schema (e.g. a replay's scratch schema).") var schema: String?
    @Option(help: "Show at most this many events (the oldest).") var limit = 200

    func validate() throws { try NumericOption.require("--limit", limit, atLeast: 1) }

    func run() async throws {
        let settings = try database.resolve()
        let conn = try await settings.connect()
        defer { conn.close() }
        let x = try await Explainer(connection: conn).explain(table: table, key: key, schema: schema)
        print("\(x.schema).\(x.table) (projection \(x.projection)):")
        for c in x.columns { print("  \(c) = \(x.row[c] ?? "NULL")") }
        print("\n\(x.events.count) event(s), oldest first:")
        for e in x.events.prefix(limit) {
            print("  #\(e.position)  \(e.type)  \(e.stream)@\(e.streamVersion)  run \(e.run?.uuidString.lowercased() ?? "-")  \(PostgresTimestamp.iso8601(e.recordedAt))")
            print("      \(e.excerpt)")
        }
        if x.events.count > limit { print("  … \(x.events.count - limit) more (raise --limit)") }
    }
}
