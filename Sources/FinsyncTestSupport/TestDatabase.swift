import Foundation
import Postgres
import Synchronization

/// A fresh, migrated database on the cluster started by `ops/pg-start.sh`, for one test.
///
/// Each test gets its own database cloned from a template that has every migration in
/// `schemas/` applied, so tests run in parallel without seeing each other's rows.
public struct TestDatabase: Sendable {
    public let name: String
    public let configuration: PostgresConfiguration

    /// The repository root, found from this file's path.
    public static let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static var schemasDirectory: URL { repositoryRoot.appendingPathComponent("schemas") }

    /// The maintenance connection string: `FINSYNC_TEST_DATABASE_URL`, `DATABASE_URL`,
    /// or the ops/ cluster's default.
    public static var serverURL: String {
        let env = ProcessInfo.processInfo.environment
        return env["FINSYNC_TEST_DATABASE_URL"] ?? env["DATABASE_URL"] ?? "postgresql://postgres@127.0.0.1:54329/finsync"
    }

    static func url(forDatabase db: String) -> String {
        var base = serverURL
        if let q = base.firstIndex(of: "?") { base = String(base[..<q]) }
        if let slash = base.range(of: "/", options: .backwards), base[..<slash.lowerBound].contains("@") || base[..<slash.lowerBound].hasSuffix(base[..<slash.lowerBound]) {
            return String(base[..<slash.lowerBound]) + "/" + db
        }
        return base + "/" + db
    }

    private static let templateLock = Mutex<String?>(nil)

    /// Creates (once per migration set) the migrated template database.
    static func template() throws -> String {
        try templateLock.withLock { cached in
            if let cached { return cached }
            let migrator = try PostgresMigrator(directory: schemasDirectory)
            let digest = PostgresMigrator.checksum(migrator.migrations.map(\.checksum).joined())
            let name = "finsync_tpl_\(digest.prefix(12))"
            let admin = try PostgresConnection.connectBlocking(PostgresConfiguration(url(forDatabase: "postgres")))
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
                    let c = try PostgresConnection.connectBlocking(PostgresConfiguration(url(forDatabase: building)))
                    try c.withSessionBlocking { try migrator.migrate($0) }
                    c.close()
                    try s.execute("ALTER DATABASE \(building) RENAME TO \(name)")
                }
            }
            cached = name
            return name
        }
    }

    /// A new migrated database. Call ``drop()`` when done (``with(_:)`` does it for you).
    public static func create() async throws -> TestDatabase {
        let template = try template()
        let name = "finsync_t_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased())"
        let admin = try await PostgresConnection.connect(PostgresConfiguration(url(forDatabase: "postgres")))
        defer { admin.close() }
        try await admin.withSession { s in _ = try s.execute("CREATE DATABASE \(name) TEMPLATE \(template)") }
        return TestDatabase(name: name, configuration: PostgresConfiguration(url(forDatabase: name)))
    }

    /// Runs `body` with a fresh database and drops it afterwards, even when `body` throws.
    public static func with<T: Sendable>(_ body: (TestDatabase) async throws -> T) async throws -> T {
        let db = try await create()
        do {
            let v = try await body(db)
            try await db.drop()
            return v
        } catch {
            try? await db.drop()
            throw error
        }
    }

    public func connect() async throws -> PostgresConnection {
        try await PostgresConnection.connect(configuration)
    }

    /// `count` more connections (worker connections for concurrent folds).
    public func connect(count: Int) async throws -> [PostgresConnection] {
        try await PostgresConnection.connect(configuration, count: count)
    }

    public func drop() async throws {
        let admin = try await PostgresConnection.connect(PostgresConfiguration(TestDatabase.url(forDatabase: "postgres")))
        defer { admin.close() }
        let name = self.name
        try await admin.withSession { s in _ = try s.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)") }
    }
}
