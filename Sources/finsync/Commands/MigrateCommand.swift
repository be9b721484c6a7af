import ArgumentParser
import Foundation
import Postgres

struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "migrate", abstract: "Apply pending SQL migrations from schemas/.")

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let conn = try await database.connect(checkMigrations: false)
        defer { conn.close() }
        let migrator = try PostgresMigrator(directory: try SchemasDirectory.locate())
        let applied = try await conn.withSession { try migrator.migrate($0) }
        print(applied.isEmpty ? "migrate: database is up to date (\(migrator.migrations.count) migrations)" : "migrate: applied \(applied.joined(separator: ", "))")
    }
}
