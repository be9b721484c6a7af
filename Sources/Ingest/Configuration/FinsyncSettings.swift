import Foundation
import Postgres

/// Every setting the commands share, resolved once and in one place, so two commands of
/// one installation can never talk to two databases.
///
/// - The runtime database: `--database-url` › `DATABASE_URL` › `database_url` in
///   finsync.toml › libpq's own `PG*` variables and defaults.
/// - The owner database (only `finsync migrate` uses it): `FINSYNC_OWNER_DATABASE_URL` ›
///   `owner_database_url` in finsync.toml › the runtime database.
/// - The file itself: `--config` › `FINSYNC_CONFIG` › `./finsync.toml` (when present).
///
/// An empty value counts as unset. Each resolved URL keeps where it came from, so
/// `finsync config check` and error messages can say which setting to fix.
public struct FinsyncSettings: Sendable {
    /// Where a database setting came from.
    public enum Source: Sendable, Hashable, CustomStringConvertible {
        /// `--database-url`.
        case flag
        /// An environment variable (its name).
        case environment(String)
        /// A key of finsync.toml (the key and the file).
        case file(key: String, path: String)
        /// Nothing set: libpq's `PG*` variables and built-in defaults.
        case libpqDefaults
        /// The owner URL was not set: the runtime database is used.
        case runtimeDatabase

        public var description: String {
            switch self {
            case .flag: return "--database-url"
            case .environment(let name): return name
            case .file(let key, let path): return "\(key) in \(path)"
            case .libpqDefaults: return "libpq's PG* variables and defaults"
            case .runtimeDatabase: return "the runtime database (no owner URL set)"
            }
        }

        /// The setting to name in a problem with its value.
        var key: String {
            switch self {
            case .flag: return "--database-url"
            case .environment(let name): return name
            case .file(let key, _): return key
            case .libpqDefaults: return "PG*"
            case .runtimeDatabase: return "owner_database_url"
            }
        }
    }

    /// A resolved database and where it came from.
    public struct Database: Sendable, Hashable {
        public var configuration: PostgresConfiguration
        public var source: Source

        public init(configuration: PostgresConfiguration, source: Source) {
            self.configuration = configuration
            self.source = source
        }
    }

    /// The runtime URL's environment variable.
    public static let databaseURLVariable = "DATABASE_URL"
    /// The owner URL's environment variable.
    public static let ownerDatabaseURLVariable = "FINSYNC_OWNER_DATABASE_URL"
    /// The variable naming finsync.toml.
    public static let configPathVariable = "FINSYNC_CONFIG"

    /// finsync.toml as read (defaults when there is no file).
    public var file: FinsyncConfiguration
    /// The database every command reads and writes.
    public var database: Database
    /// The database `finsync migrate` applies migrations with.
    public var ownerDatabase: Database
    /// Values that cannot be a database URL, each named by the setting it came from.
    public var problems: [ConfigurationProblem]

    /// Resolves the databases from an already read file, the `--database-url` flag and the environment.
    public init(file: FinsyncConfiguration, databaseURL flag: String?, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.file = file
        let path = file.path ?? "finsync.toml"
        func nonEmpty(_ s: String?) -> String? { s.flatMap { $0.isEmpty ? nil : $0 } }
        let runtime: Database
        if let url = nonEmpty(flag) {
            runtime = Database(configuration: PostgresConfiguration(url), source: .flag)
        } else if let url = nonEmpty(environment[Self.databaseURLVariable]) {
            runtime = Database(configuration: PostgresConfiguration(url), source: .environment(Self.databaseURLVariable))
        } else if let url = nonEmpty(file.databaseURL) {
            runtime = Database(configuration: PostgresConfiguration(url), source: .file(key: "database_url", path: path))
        } else {
            runtime = Database(configuration: PostgresConfiguration(""), source: .libpqDefaults)
        }
        let owner: Database
        if let url = nonEmpty(environment[Self.ownerDatabaseURLVariable]) {
            owner = Database(configuration: PostgresConfiguration(url), source: .environment(Self.ownerDatabaseURLVariable))
        } else if let url = nonEmpty(file.ownerDatabaseURL) {
            owner = Database(configuration: PostgresConfiguration(url), source: .file(key: "owner_database_url", path: path))
        } else {
            owner = Database(configuration: runtime.configuration, source: .runtimeDatabase)
        }
        database = runtime
        ownerDatabase = owner
        problems = [runtime, owner].compactMap(Self.shapeProblem)
    }

    /// Locates and reads finsync.toml, then resolves the databases; throws a
    /// ``ConfigurationError`` naming every problem when the file cannot be read, does not
    /// parse, has unknown tables or keys, or a database URL is not one.
    public static func load(configPath: String?, databaseURL flag: String?,
                            environment: [String: String] = ProcessInfo.processInfo.environment) throws -> FinsyncSettings {
        let path = FinsyncConfiguration.locate(explicit: configPath, environment: environment)
        let file = try FinsyncConfiguration.load(path: path, environment: environment)
        let settings = FinsyncSettings(file: file, databaseURL: flag, environment: environment)
        let problems = file.readProblems + settings.problems
        guard problems.isEmpty else { throw ConfigurationError(path: path, problems: problems) }
        return settings
    }

    /// A URL that is neither `postgres(ql)://…` nor a conninfo string (`key=value …`); the
    /// value itself is never repeated (it may hold a password).
    private static func shapeProblem(_ d: Database) -> ConfigurationProblem? {
        let s = d.configuration.connectionString
        guard !s.isEmpty, !(s.hasPrefix("postgres://") || s.hasPrefix("postgresql://") || s.contains("=")) else { return nil }
        guard d.source != .runtimeDatabase else { return nil }  // reported once, for the runtime URL
        return ConfigurationProblem(key: d.source.key, message: "must be a postgresql:// URL or a libpq conninfo string (key=value …)")
    }
}
