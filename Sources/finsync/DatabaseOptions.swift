import ArgumentParser
import Foundation
import Ingest
import Postgres

/// `--database-url`, falling back to `DATABASE_URL` and then libpq's `PG*` variables.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "PostgreSQL URL or conninfo (default: $DATABASE_URL, then PG* variables).")
    var databaseURL: String?

    var configuration: PostgresConfiguration {
        databaseURL.map(PostgresConfiguration.init) ?? .fromEnvironment()
    }

    /// The owner role's connection, for `finsync migrate` and the benchmarks' scratch
    /// databases: `FINSYNC_OWNER_DATABASE_URL`, else `owner_database_url` in finsync.toml,
    /// else ``configuration`` (a single-role install).
    func ownerConfiguration() throws -> PostgresConfiguration {
        let file = try FinsyncConfiguration.load(path: FinsyncConfiguration.locate(explicit: nil))
        return file.effectiveOwnerDatabaseURL.map(PostgresConfiguration.init) ?? configuration
    }

    /// Connects; unless `checkMigrations` is false, first makes sure the database has every
    /// migration in `schemas/` (``MigrationsPending`` names what is missing).
    func connect(checkMigrations: Bool = true) async throws -> PostgresConnection {
        let conn = try await PostgresConnection.connect(configuration)
        if checkMigrations {
            do { try await MigrationCheck.ensureApplied(conn) } catch { conn.close(); throw error }
        }
        return conn
    }
}

/// Finds `schemas/`: `$FINSYNC_SCHEMAS`, `./schemas`, or beside the executable's package.
enum SchemasDirectory {
    static func locate() throws -> URL {
        let fm = FileManager.default
        if let env = ProcessInfo.processInfo.environment["FINSYNC_SCHEMAS"] { return URL(fileURLWithPath: env) }
        let cwd = URL(fileURLWithPath: fm.currentDirectoryPath).appendingPathComponent("schemas")
        if fm.fileExists(atPath: cwd.appendingPathComponent("0001_event_log.sql").path) { return cwd }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            let candidate = dir.appendingPathComponent("schemas")
            if fm.fileExists(atPath: candidate.appendingPathComponent("0001_event_log.sql").path) { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        throw ValidationError("cannot find the schemas/ directory; run from the finsync checkout or set FINSYNC_SCHEMAS")
    }
}
