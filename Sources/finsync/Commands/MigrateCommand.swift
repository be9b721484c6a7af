import ArgumentParser
import Foundation
import Postgres

/// `finsync migrate`: the one command that runs as the owner of the schema.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Apply pending SQL migrations from schemas/ (as the owner role).",
        discussion: "Connects with --database-url, else $FINSYNC_OWNER_DATABASE_URL, else owner_database_url in finsync.toml, else the runtime URL ($DATABASE_URL, else PG* variables).")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let conn = try await PostgresConnection.connect(try database.databaseURL.map(PostgresConfiguration.init) ?? database.ownerConfiguration())
        defer { conn.close() }
        let migrator = try PostgresMigrator(directory: try SchemasDirectory.locate())
        let applied = try await conn.withSession { try migrator.migrate($0) }
        print(applied.isEmpty ? "migrate: database is up to date (\(migrator.migrations.count) migrations)" : "migrate: applied \(applied.joined(separator: ", "))")
    }
}
