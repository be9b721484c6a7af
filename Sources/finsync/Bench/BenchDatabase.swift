import Foundation
import Postgres

/// A scratch database for a benchmark, created fresh (and migrated) on the same server
/// as the configured database, so benchmarks never touch real data.
enum BenchDatabase {
    /// Creates and migrates `name` as `owner`; returns the `server` (runtime role's)
    /// connection to it, which the benchmark then appends and folds with.
    static func fresh(_ name: String, server: PostgresConfiguration, owner: PostgresConfiguration) async throws -> PostgresConfiguration {
        let admin = try await PostgresConnection.connect(retarget(owner, to: "postgres"))
        defer { admin.close() }
        try await admin.withSession { s in
            try s.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
            try s.execute("CREATE DATABASE \(name)")
        }
        let conn = try await PostgresConnection.connect(retarget(owner, to: name))
        defer { conn.close() }
        let migrator = try PostgresMigrator(directory: try SchemasDirectory.locate())
        _ = try await conn.withSession { try migrator.migrate($0) }
        return retarget(server, to: name)
    }

    /// Vacuums and analyses every table of scratch database `name`, as each table's owner
    /// (the log belongs to the owner role, the projections to the runtime role), so that
    /// autovacuum's first pass over freshly written tables does not run during a measurement.
    static func vacuum(_ name: String, server: PostgresConfiguration, owner: PostgresConfiguration) async throws {
        for config in [retarget(owner, to: name), retarget(server, to: name)] {
            let conn = try await PostgresConnection.connect(config)
            defer { conn.close() }
            try await conn.withSession { s in
                _ = try s.execute("SET client_min_messages = error")
                _ = try s.execute("VACUUM (ANALYZE)")
            }
        }
    }

    /// The same server, another database (URI or conninfo form).
    static func retarget(_ config: PostgresConfiguration, to database: String) -> PostgresConfiguration {
        var s = config.connectionString
        if s.isEmpty { return PostgresConfiguration("dbname=\(database)") }
        if s.hasPrefix("postgres://") || s.hasPrefix("postgresql://") {
            var query = ""
            if let q = s.firstIndex(of: "?") { query = String(s[q...]); s = String(s[..<q]) }
            guard let afterScheme = s.range(of: "://")?.upperBound else { return PostgresConfiguration(s + "/" + database + query) }
            if let slash = s[afterScheme...].firstIndex(of: "/") { s = String(s[..<slash]) }
            return PostgresConfiguration(s + "/" + database + query)
        }
        return PostgresConfiguration(s + " dbname=\(database)")
    }
}

/// Process memory figures from /proc (Linux).
enum ProcessMemory {
    /// Peak resident set size (VmHWM) in MiB.
    static func peakRSSMiB() -> Double { field("VmHWM") / 1024 }
    static func currentRSSMiB() -> Double { field("VmRSS") / 1024 }

    /// CPU seconds (user + system) this process has used so far.
    static func cpuSeconds() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6
    }

    /// Resets the peak to the current RSS, so a later phase can be measured on its own.
    static func resetPeak() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    private static func field(_ name: String) -> Double {
        guard let s = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in s.split(separator: "\n") where line.hasPrefix(name + ":") {
            return Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        return 0
    }
}

/// Wall-clock stopwatch.
struct Stopwatch {
    private var total: Duration = .zero
    private let clock = ContinuousClock()
    mutating func measure<T>(_ body: () async throws -> T) async rethrows -> T {
        let start = clock.now
        let v = try await body()
        total += clock.now - start
        return v
    }
    var seconds: Double { total / .seconds(1) }
}
