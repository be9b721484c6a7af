import Crypto
import Foundation

/// Applies numbered SQL files (`0001_name.sql`, `0002_…`) in order, all pending ones in
/// one transaction (a failure leaves the database as it was), recording each with a SHA-256 checksum in `finsync_schema_migrations`.
///
/// Refuses to run when a file that was already applied has since been edited, or when
/// an applied migration's file is missing: the database would no longer match the code.
public struct PostgresMigrator: Sendable {
    public struct Migration: Sendable, Hashable {
        public var version: Int
        public var name: String
        public var sql: String
        public var checksum: String

        public init(version: Int, name: String, sql: String, checksum: String) {
            self.version = version
            self.name = name
            self.sql = sql
            self.checksum = checksum
        }
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var message: String
        public var description: String { message }
    }

    public let migrations: [Migration]

    public init(migrations: [Migration]) { self.migrations = migrations.sorted { $0.version < $1.version } }

    /// Reads every `NNNN_name.sql` in `directory`.
    public init(directory: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else {
            throw Failure(message: "the migrations folder \(directory.path) does not exist")
        }
        guard isDirectory.boolValue, let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else {
            throw Failure(message: "the migrations folder \(directory.path) is not a readable folder")
        }
        let files = names.filter { $0.hasSuffix(".sql") }.sorted()
        guard !files.isEmpty else { throw Failure(message: "the migrations folder \(directory.path) holds no NNNN_name.sql files") }
        var out: [Migration] = []
        for f in files {
            guard let version = Int(f.prefix { $0.isNumber }), f.first?.isNumber == true else {
                throw Failure(message: "migration file \(directory.appendingPathComponent(f).path) does not start with a number (expected NNNN_name.sql)")
            }
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(f).path), let sql = String(data: data, encoding: .utf8) else {
                throw Failure(message: "migration file \(directory.appendingPathComponent(f).path) cannot be read as UTF-8 text")
            }
            if out.contains(where: { $0.version == version }) { throw Failure(message: "two migration files share version \(version) in \(directory.path)") }
            out.append(Migration(version: version, name: f, sql: sql, checksum: PostgresMigrator.checksum(sql)))
        }
        self.init(migrations: out)
    }

    public static func checksum(_ sql: String) -> String {
        SHA256.hash(data: Array(sql.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// The migrations not yet applied to the database, in order (all of them when it has
    /// never been migrated). Read-only: lets a command say which migration is missing
    /// instead of failing later on "relation does not exist".
    public func pending(_ session: PostgresSession) throws -> [Migration] {
        let tracked = try session.query("SELECT to_regclass('finsync_schema_migrations') IS NOT NULL")[0].bool(0) ?? false
        guard tracked else { return migrations }
        let done = Set(try session.query("SELECT version FROM finsync_schema_migrations").rows.compactMap { $0.int64(0).map(Int.init) })
        return migrations.filter { !done.contains($0.version) }
    }

    /// Applies pending migrations; returns the names applied.
    @discardableResult
    public func migrate(_ session: PostgresSession) throws -> [String] {
        try session.execute("""
            CREATE TABLE IF NOT EXISTS finsync_schema_migrations (
                version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now())
            """)
        // One migrator at a time.
        return try session.transaction { s in
            try s.execute("SELECT pg_advisory_xact_lock(7357001)")
            let applied = try s.query("SELECT version, name, checksum FROM finsync_schema_migrations ORDER BY version")
                .rows.map { (version: Int(try $0.decode(Int64.self, 0)), name: try $0.decode(String.self, 1), checksum: try $0.decode(String.self, 2)) }
            for a in applied {
                guard let m = migrations.first(where: { $0.version == a.version }) else {
                    throw Failure(message: "migration \(a.name) is recorded as applied but its file is missing from schemas/")
                }
                guard m.checksum == a.checksum else {
                    throw Failure(message: "migration \(m.name) was edited after it was applied (checksum \(a.checksum.prefix(12))… in the database, \(m.checksum.prefix(12))… on disk); add a new migration instead of editing an applied one")
                }
            }
            let done = Set(applied.map(\.version))
            var names: [String] = []
            for m in migrations where !done.contains(m.version) {
                try s.execute("SAVEPOINT migration")
                do {
                    try s.execute(m.sql)
                } catch {
                    throw Failure(message: "migration \(m.name) failed: \(error)")
                }
                try s.query("INSERT INTO finsync_schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", [PostgresParameter(m.version), .text(m.name), .text(m.checksum)])
                try s.execute("RELEASE SAVEPOINT migration")
                names.append(m.name)
            }
            return names
        }
    }
}
