import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Postgres

/// Databases and settings for the CLI tests.
enum CLIDatabases {
    /// A URL nothing listens on (port 1), named after the setting it stands in for, so a
    /// command that resolves the wrong setting fails saying which one it used.
    static func unreachable(_ setting: String) -> String { "postgresql://finsync@127.0.0.1:1/finsync_wrong_\(setting)" }

    /// libpq's `PG*` variables for `database` on the test server (what the libpq defaults resolve to).
    static func libpqVariables(for database: TestDatabase) -> [String: String] {
        let server = URLComponents(string: TestDatabase.serverURL)
        var env = ["PGDATABASE": database.name, "PGHOST": server?.host ?? "127.0.0.1", "PGPORT": String(server?.port ?? 5432)]
        if let user = server?.user { env["PGUSER"] = user }
        if let password = server?.password { env["PGPASSWORD"] = password }
        return env
    }

    /// `PG*` variables pointing nowhere (the libpq defaults must lose to every other setting).
    static let unreachableLibpqVariables = ["PGHOST": "127.0.0.1", "PGPORT": "1", "PGDATABASE": "finsync_wrong_libpq"]

    /// A connection the tests use to look into a database; its application name differs
    /// from the commands' ("finsync"), so it is never taken for one of them.
    static func inspect(_ database: TestDatabase) async throws -> PostgresConnection {
        try await PostgresConnection.connect(database.configuration, applicationName: "finsync-cli-test")
    }

    /// Appends `count` small events, so databases differ in what `events stats` reports.
    static func appendEvents(_ count: Int, to database: TestDatabase) async throws {
        let conn = try await inspect(database)
        defer { conn.close() }
        let events = (0..<count).map { NewEvent(type: EventType("cli.test.observed"), json: ["n": .number(String($0))]) }
        _ = try await EventLog(connection: conn).append(events, to: "cli/test")
    }

    /// Drops a database a command made on the server (e.g. a benchmark's scratch
    /// database), from a connection to `from`.
    /// Drops a database a command created (as the owner: only the owner may).
    static func drop(_ name: String, from database: TestDatabase) async throws {
        let admin = try await database.connectAsOwner()
        defer { admin.close() }
        try await admin.withSession { s in _ = try s.execute("DROP DATABASE IF EXISTS \(PostgresSession.quoteIdentifier(name)) WITH (FORCE)") }
    }
}
