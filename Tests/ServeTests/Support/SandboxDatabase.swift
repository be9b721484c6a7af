import FinsyncTestSupport
import Foundation
import Postgres

/// A test database after `finsync sync --sandbox` (the fake GoCardless bank, Trading212
/// ISA and Vanguard account), with a read and a write token.
struct SandboxDatabase: Sendable {
    let database: TestDatabase
    let readToken: String
    let writeToken: String

    /// One synced database shared by the tests that only read (a sandbox sync takes seconds).
    static let shared = Task { try await SandboxDatabase.make() }

    /// A fresh synced database (for tests that change it); drop it when done.
    static func make() async throws -> SandboxDatabase {
        let database = try await TestDatabase.create()
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let env = ["DATABASE_URL": database.configuration.connectionString]
        // The sandbox has connections needing attention (an expired and a rejected consent):
        // the run ends partially failed, exit 1, with every account synced.
        let sync = try await FinsyncExecutable.run(["sync", "--sandbox"], environment: env, directory: dir.url)
        guard sync.exited, sync.status == 0 || sync.status == 1 else { throw ServeTestError("sandbox sync failed: \(sync)") }
        let read = try await FinsyncExecutable.run(["token", "create", "--name", "reader", "--scope", "read"], environment: env, directory: dir.url)
        let write = try await FinsyncExecutable.run(["token", "create", "--name", "writer", "--scope", "write"], environment: env, directory: dir.url)
        guard read.status == 0, write.status == 0 else { throw ServeTestError("token create failed: \(read) \(write)") }
        return SandboxDatabase(database: database, readToken: read.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
                               writeToken: write.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// Rows of a query on the database, as text.
    func rows(_ sql: String) async throws -> [[String?]] {
        let conn = try await PostgresConnection.connect(database.configuration, applicationName: "finsync-serve-test")
        defer { conn.close() }
        return try await conn.withSession { s in
            let r = try s.query(sql)
            return r.rows.map { row in (0..<r.columnCount).map { row.string($0) } }
        }
    }
}
