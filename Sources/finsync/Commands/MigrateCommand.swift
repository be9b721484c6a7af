import ArgumentParser
import Foundation
import Postgres

/// `finsync migrate`: applies the pending migrations as the owner (`FINSYNC_OWNER_DATABASE_URL`
/// › `owner_database_url` › the runtime database; see ``FinsyncSettings``).
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending SQL migrations from schemas/.")

    @OptionGroup var database: SettingsOptions

    func run() async throws {
        let settings = try database.resolve()
        let migrator = try PostgresMigrator(directory: try SchemasDirectory.locate())
        let conn = try await PostgresConnection.connect(settings.ownerDatabase.configuration)
        defer { conn.close() }
        let applied = try await conn.withSession { try migrator.migrate($0) }
        print(applied.isEmpty ? "migrate: database is up to date (\(migrator.migrations.count) migrations)" : "migrate: applied \(applied.joined(separator: ", "))")
    }
}
