import ArgumentParser
import Foundation
import Ingest
import Postgres

/// `--config` and `--database-url`, shared by every command: both go through the one
/// resolution, ``FinsyncSettings`` (flag › environment › finsync.toml › libpq `PG*` defaults).
struct SettingsOptions: ParsableArguments {
    @Option(name: .long, help: "finsync.toml to read (default: $FINSYNC_CONFIG, then ./finsync.toml).")
    var config: String?

    @Option(name: .long, help: "PostgreSQL URL or conninfo (default: $DATABASE_URL, then database_url in finsync.toml, then libpq's PG* variables).")
    var databaseURL: String?

    /// The resolved settings; a file that cannot be read, does not parse or has unknown
    /// tables or keys stops the command here, with every problem named.
    func resolve() throws -> FinsyncSettings {
        try FinsyncSettings.load(configPath: config, databaseURL: databaseURL)
    }
}

extension FinsyncSettings {
    /// Connects to the runtime database; unless `checkMigrations` is false, first makes sure
    /// it has every migration in `schemas/` (``MigrationsPending`` names what is missing).
    func connect(checkMigrations: Bool = true) async throws -> PostgresConnection {
        let conn = try await PostgresConnection.connect(database.configuration)
        if checkMigrations {
            do { try await MigrationCheck.ensureApplied(conn) } catch { conn.close(); throw error }
        }
        return conn
    }

    /// `count` more connections to the runtime database (workers of a concurrent fold).
    func connectWorkers(_ count: Int) async throws -> [PostgresConnection] {
        try await PostgresConnection.connect(database.configuration, count: count)
    }
}
