import Foundation
import Postgres
import Synchronization

/// A fresh, migrated database on the cluster started by `ops/pg-start.sh`, for one test.
///
/// Each test gets its own database cloned from a template that has every migration in
/// `schemas/` applied, so tests run in parallel without seeing each other's rows. The
/// owner role creates, migrates and drops the databases; tests connect as the runtime role
/// (``connect()``), which can only read the log and append at its head, so the whole suite
/// shows that role suffices. Tests of what only the owner may do use ``connectAsOwner()``.
public struct TestDatabase: Sendable {
    public let name: String
    /// The runtime role's connection to this database.
    public let configuration: PostgresConfiguration
    /// The owner's connection to this database (migrations, triggers, privileges).
    public let ownerConfiguration: PostgresConfiguration

    /// The repository root, found from this file's path.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static var schemasDirectory: URL { repositoryRoot.appendingPathComponent("schemas") }

    /// The runtime role's connection string: `FINSYNC_TEST_DATABASE_URL`, `DATABASE_URL`,
    /// or the ops/ cluster's default.
    public static var serverURL: String {
        let env = ProcessInfo.processInfo.environment
        return env["FINSYNC_TEST_DATABASE_URL"] ?? env["DATABASE_URL"] ?? "postgresql://finsync@127.0.0.1:54329/finsync"
    }

    /// The owner's connection string: `FINSYNC_TEST_OWNER_DATABASE_URL`,
    /// `FINSYNC_OWNER_DATABASE_URL`, else the runtime one (a single-role install).
    public static var ownerServerURL: String {
        let env = ProcessInfo.processInfo.environment
        return env["FINSYNC_TEST_OWNER_DATABASE_URL"] ?? env["FINSYNC_OWNER_DATABASE_URL"] ?? serverURL
    }

    /// `server` naming database `db` instead: the path after the authority
    /// (`scheme://user@host:port/<db>`) is replaced, or added when there is none.
    static func url(_ server: String, forDatabase db: String) -> String {
        var base = server
        if let q = base.firstIndex(of: "?") { base = String(base[..<q]) }
        let authority = base.range(of: "://")?.upperBound ?? base.startIndex
        if let slash = base[authority...].firstIndex(of: "/") { return String(base[..<slash]) + "/" + db }
        return base + "/" + db
    }

    /// `FINSYNC_TEST_RUN` (set by ops/test.sh): names this run's databases, when it is a
    /// short lower-case hex token (anything else is ignored).
    static var runToken: String? {
        guard let token = ProcessInfo.processInfo.environment["FINSYNC_TEST_RUN"], (1...16).contains(token.count),
              token.allSatisfy({ $0.isHexDigit && !$0.isUppercase }) else { return nil }
        return token
    }

    /// The owner's maintenance database (creating and dropping databases).
    static var maintenance: PostgresConfiguration { PostgresConfiguration(url(ownerServerURL, forDatabase: "postgres")) }

    private static let templateLock = Mutex<String?>(nil)

    /// Creates (once per migration set) the migrated template database.
    static func template() throws -> String {
        try templateLock.withLock { cached in
            if let cached { return cached }
            let migrator = try PostgresMigrator(directory: schemasDirectory)
            let digest = PostgresMigrator.checksum(migrator.migrations.map(\.checksum).joined())
            let name = "finsync_tpl_\(digest.prefix(12))"
            let admin = try PostgresConnection.connectBlocking(maintenance)
            defer { admin.close() }
            try admin.withSessionBlocking { s in
                // Serialise template creation across test processes.
                try s.execute("SELECT pg_advisory_lock(7357002)")
                defer { _ = try? s.execute("SELECT pg_advisory_unlock(7357002)") }
                let exists = try s.query("SELECT 1 FROM pg_database WHERE datname = $1", [.text(name)]).count == 1
                if !exists {
                    let building = name + "_building"
                    try s.execute("DROP DATABASE IF EXISTS \(building) WITH (FORCE)")
                    try s.execute("CREATE DATABASE \(building)")
                    let c = try PostgresConnection.connectBlocking(PostgresConfiguration(url(ownerServerURL, forDatabase: building)))
                    try c.withSessionBlocking { try migrator.migrate($0) }
                    c.close()
                    try s.execute("ALTER DATABASE \(building) RENAME TO \(name)")
                }
            }
            cached = name
            return name
        }
    }

    /// A new migrated database (with `migrated` false: an empty one, owned by the owner,
    /// on which a test applies migrations itself). Call ``drop()`` when done (``with(_:)``
    /// does it for you).
    public static func create(migrated: Bool = true) async throws -> TestDatabase {
        let template = migrated ? try template() : "template0"
        let unique = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        // `finsync_t_<run>_…` under ops/test.sh, which drops its run's databases when it ends.
        let name = runToken.map { "finsync_t_\($0)_\(unique)" } ?? "finsync_t_\(unique)"
        let admin = try await PostgresConnection.connect(maintenance)
        defer { admin.close() }
        try await admin.withSession { s in _ = try s.execute("CREATE DATABASE \(name) TEMPLATE \(template)") }
        let db = TestDatabase(name: name, configuration: PostgresConfiguration(url(serverURL, forDatabase: name)),
                              ownerConfiguration: PostgresConfiguration(url(ownerServerURL, forDatabase: name)))
        if migrated {
            // Database privileges are not copied from a template: grant the clone's again.
            let owner = try await db.connectAsOwner()
            defer { owner.close() }
            try await owner.withSession { s in _ = try s.execute("SELECT eventlog.grant_database_to_runtime()") }
        }
        return db
    }

    /// Runs `body` with a fresh database (see ``create(migrated:)``) and drops it
    /// afterwards, even when `body` throws.
    public static func with<T: Sendable>(migrated: Bool = true, _ body: (TestDatabase) async throws -> T) async throws -> T {
        let db = try await create(migrated: migrated)
        do {
            let v = try await body(db)
            try await db.drop()
            return v
        } catch {
            try? await db.drop()
            throw error
        }
    }

    /// A connection as the runtime role.
    public func connect() async throws -> PostgresConnection {
        try await PostgresConnection.connect(configuration)
    }

    /// A connection as the owner, for what only the owner may do (migrations, altering
    /// the log's tables and triggers).
    public func connectAsOwner() async throws -> PostgresConnection {
        try await PostgresConnection.connect(ownerConfiguration)
    }

    /// `count` more connections (worker connections for concurrent folds).
    public func connect(count: Int) async throws -> [PostgresConnection] {
        try await PostgresConnection.connect(configuration, count: count)
    }

    public func drop() async throws {
        let admin = try await PostgresConnection.connect(TestDatabase.maintenance)
        defer { admin.close() }
        let name = self.name
        try await admin.withSession { s in _ = try s.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
    }
}
