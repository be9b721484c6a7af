import Postgres

/// The database lacks migrations this build of finsync needs.
struct MigrationsPending: Error, CustomStringConvertible {
    /// File names of the missing migrations, in order.
    var missing: [String]
    var description: String {
        "the database lacks migration\(missing.count == 1 ? "" : "s") \(missing.joined(separator: ", ")): run `finsync migrate` first"
    }
}

/// Checks before a command touches any table that every migration in `schemas/` has been
/// applied, so an old database gets a hint naming what is missing rather than "relation
/// does not exist" halfway through. Skipped when `schemas/` cannot be found (the command
/// then fails on its own, as before).
enum MigrationCheck {
    static func ensureApplied(_ connection: PostgresConnection) async throws {
        guard let directory = try? SchemasDirectory.locate() else { return }
        let migrator = try PostgresMigrator(directory: directory)
        let pending = try await connection.withSession { try migrator.pending($0) }
        if !pending.isEmpty { throw MigrationsPending(missing: pending.map(\.name)) }
    }
}
