import FinsyncTestSupport
import Foundation
import Postgres
import Testing

/// Every command that touches the database resolves the same one, by the same precedence:
/// `--database-url` › `DATABASE_URL` › `database_url` in finsync.toml › libpq's `PG*`
/// defaults. Each case puts a real test database in one place and URLs nothing listens on
/// in every place below it (and nothing above it); every command must then succeed, so
/// none can have resolved a different setting (its failure would name the wrong one).
@Suite("CLI: one database resolution for every command", .serialized)  // one case at a time: each runs ~25 processes
struct DatabaseResolutionTests {
    enum Winner: String, CaseIterable, Sendable { case flag, environment, file, libpq }

    /// Where the settings are for one case: the flag (if any), the environment and the file.
    struct Placement {
        var flag: [String]
        var environment: [String: String]
        var toml: String
        /// What `config check` must name as the source.
        var source: String
    }

    static func placement(_ winner: Winner, good: TestDatabase) -> Placement {
        let url = good.configuration.connectionString
        var p = Placement(flag: [], environment: CLIDatabases.unreachableLibpqVariables, toml: "", source: "")
        switch winner {
        case .flag:
            p.flag = ["--database-url", url]
            p.environment["DATABASE_URL"] = CLIDatabases.unreachable("environment")
            p.toml = "database_url = \"\(CLIDatabases.unreachable("file"))\"\n"
            p.source = "from --database-url"
        case .environment:
            p.environment["DATABASE_URL"] = url
            p.toml = "database_url = \"\(CLIDatabases.unreachable("file"))\"\n"
            p.source = "from DATABASE_URL"
        case .file:
            p.toml = "database_url = \"\(url)\"\n"
            p.source = "from database_url in finsync.toml"
        case .libpq:
            p.environment = CLIDatabases.libpqVariables(for: good)
            p.source = "from libpq's PG* variables and defaults"
        }
        return p
    }

    /// Facts about the database the commands need as arguments, found as the table runs.
    final class Found: @unchecked Sendable {
        var transactionID = ""
        var runID = ""
    }

    /// One command of the table: its arguments (evaluated when it runs) and what else to check.
    struct Case: Sendable {
        var arguments: @Sendable (Found) -> [String]
        var check: @Sendable (FinsyncRun) -> Void = { _ in }
        /// Exit statuses that mean the command did its work (the sandbox has a consent that
        /// expired and one the bank rejected on purpose, so its sync ends partially failed: 1).
        var succeeded: Set<Int32> = [0]
    }

    static func table(directory: ScratchDirectory, benchDatabase: String) throws -> [Case] {
        let csv = TestDatabase.repositoryRoot.appendingPathComponent("Tests/IngestTests/Fixtures/vanguard-client-transactions-listing.csv").path
        let session = try directory.write("vanguard-session.json", """
            {"account_id": "1234567", "anti_forgery_token": "tok", "cookies": [{"name": "a", "value": "b"}],
             "sub_accounts": [{"hierarchy_id": "H1", "name": "ISA", "wrapper": "ISA"}], "base_url": "http://127.0.0.1:1"}
            """, mode: 0o600)
        return [
            Case(arguments: { _ in ["migrate"] }),
            Case(arguments: { _ in ["sync", "--sandbox", "--json"] }, check: { #expect($0.stdout.contains("\"events_appended\" : 183"), "\($0)") }, succeeded: [0, 1]),
            Case(arguments: { _ in ["project", "--parallel", "1"] }),
            Case(arguments: { _ in ["status"] }),
            Case(arguments: { _ in ["events", "tail", "--count", "3"] }),
            Case(arguments: { _ in ["events", "show", "1"] }),
            Case(arguments: { _ in ["events", "stats"] }),
            Case(arguments: { _ in ["accounts"] }, check: { #expect($0.stdout.contains("Accounts"), "\($0)") }),
            Case(arguments: { _ in ["transactions", "-n", "3"] }, check: { #expect($0.stdout.contains("Latest transactions"), "\($0)") }),
            Case(arguments: { _ in ["runs"] }),
            Case(arguments: { ["runs", "show", $0.runID] }),
            Case(arguments: { ["explain", "transactions", $0.transactionID] }),
            Case(arguments: { _ in ["import", "vanguard", csv, "--connection", "clitest"] }),
            Case(arguments: { _ in ["connect", "vanguard", "--session", session, "--name", "clitest"] }),
            Case(arguments: { _ in ["connections"] }, check: {
                #expect($0.stdout.contains("vanguard clitest"), "the Vanguard connection registered in the database is listed: \($0)")
                #expect(!$0.stdout.contains("database not reachable"), "\($0)")
            }),
            Case(arguments: { _ in ["rebuild", "--parallel", "1"] }),
            Case(arguments: { _ in ["replay", "--at", "1", "--into", "cli_replay", "--parallel", "1"] }),
            Case(arguments: { _ in ["replay", "snapshots"] }),
            Case(arguments: { _ in ["replay", "diff", "--from", "0", "--to", "1"] }),
            Case(arguments: { _ in ["replay", "drop", "cli_replay"] }),
            Case(arguments: { _ in ["token", "create", "--name", "clitest", "--scope", "read"] }, check: { #expect($0.stdout.contains("fst_"), "\($0)") }),
            Case(arguments: { _ in ["token", "list"] }, check: { #expect($0.stdout.contains("clitest"), "\($0)") }),
            Case(arguments: { _ in ["token", "revoke", "clitest"] }),
            Case(arguments: { _ in ["bench", "eventlog", "--events", "20", "--scratch-database", benchDatabase, "--json"] }),
        ]
    }

    @Test(arguments: Winner.allCases)
    func everyCommandUsesTheDatabaseThePrecedenceChooses(winner: Winner) async throws {
        try await TestDatabase.with { db in
            let dir = try ScratchDirectory()
            defer { dir.remove() }
            let placement = Self.placement(winner, good: db)
            try dir.write("finsync.toml", placement.toml)
            let bench = "finsync_clibench_\(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased())"
            func finsync(_ arguments: [String]) async throws -> FinsyncRun {
                // A benchmark creates its scratch database as the owner (the runtime role may
                // not); the owner's URL is a setting of its own, not part of this precedence.
                var environment = placement.environment
                if arguments.first == "bench" { environment["FINSYNC_OWNER_DATABASE_URL"] = db.ownerConfiguration.connectionString }
                return try await FinsyncExecutable.run(arguments + placement.flag, environment: environment, directory: dir.url)
            }
            let inspect = try await CLIDatabases.inspect(db)
            defer { inspect.close() }
            let found = Found()

            let check = try await finsync(["config", "check"])
            #expect(check.status == 0 && check.stdout.contains(placement.source), "\(winner): \(check)")

            for c in try Self.table(directory: dir, benchDatabase: bench) {
                let r = try await finsync(c.arguments(found))
                #expect(r.exited && c.succeeded.contains(r.status), "\(winner): \(r)")
                #expect(!r.output.contains("finsync_wrong_"), "\(winner): resolved a losing setting: \(r)")
                c.check(r)
                if r.arguments.first == "sync" {
                    (found.transactionID, found.runID) = try await inspect.withSession { s in
                        (try s.query("SELECT id::text FROM public.transactions ORDER BY id LIMIT 1")[0].string(0) ?? "",
                         try s.query("SELECT run_id::text FROM ingest.runs LIMIT 1")[0].string(0) ?? "")
                    }
                }
            }
            try await CLIDatabases.drop(bench, from: db)

            // The scheduler: it connects, then waits for its first run until told to stop.
            let (p, out, err) = try FinsyncExecutable.start(["schedule"] + placement.flag, environment: placement.environment, directory: dir.url)
            var connected = false
            for _ in 0..<600 where p.isRunning {
                connected = try await inspect.withSession { s in
                    try s.query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'finsync'")[0].int64(0) ?? 0
                } > 0
                if connected { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            if p.isRunning { p.terminate() }
            await FinsyncExecutable.waitForExit(p)
            let schedule = FinsyncExecutable.finish(p, arguments: ["schedule"], stdout: out, stderr: err)
            #expect(connected, "\(winner): schedule never connected to the chosen database: \(schedule)")
            #expect(!schedule.output.contains("finsync_wrong_"), "\(winner): \(schedule)")
        }
    }

    /// The databases differ in content, so which one answered is read off the answer.
    @Test func commandsAnswerFromTheDatabaseThePrecedenceChooses() async throws {
        try await TestDatabase.with { a in
            try await TestDatabase.with { b in
                try await TestDatabase.with { c in
                    try await CLIDatabases.appendEvents(1, to: a)
                    try await CLIDatabases.appendEvents(2, to: b)
                    try await CLIDatabases.appendEvents(3, to: c)
                    let dir = try ScratchDirectory()
                    defer { dir.remove() }
                    try dir.write("finsync.toml", "database_url = \"\(a.configuration.connectionString)\"\n")
                    let env = ["DATABASE_URL": b.configuration.connectionString]
                    let flag = ["--database-url", c.configuration.connectionString]
                    let cases: [(flag: [String], env: [String: String], events: Int)] = [
                        (flag, env, 3), ([], env, 2), ([], [:], 1), (flag, [:], 3),
                    ]
                    for (f, e, expected) in cases {
                        for command in [["events", "stats"], ["status"]] {
                            let r = try await FinsyncExecutable.run(command + f, environment: e.merging(CLIDatabases.unreachableLibpqVariables) { a, _ in a }, directory: dir.url)
                            #expect(r.status == 0, "\(r)")
                            // status: each projection never ran, so it stands at 0 with the whole log as its lag.
                            let needle = command[0] == "events" ? "events:       \(expected) (head position \(expected))" : "0".leftPadded(10) + "\(expected)".leftPadded(10) + "  never run"
                            #expect(r.stdout.contains(needle), "expected the database with \(expected) events: \(r)")
                        }
                    }
                }
            }
        }
    }

    /// The owner URL (`FINSYNC_OWNER_DATABASE_URL` › `owner_database_url` › runtime) is
    /// what `migrate` uses, and only `migrate`.
    @Test func migrateUsesTheOwnerURLAndNothingElseDoes() async throws {
        try await TestDatabase.with { db in
            let dir = try ScratchDirectory()
            defer { dir.remove() }
            let good = db.configuration.connectionString
            let runtimeDead = ["--database-url", CLIDatabases.unreachable("runtime")]
            func run(_ args: [String], env: [String: String], toml: String) async throws -> FinsyncRun {
                try dir.write("finsync.toml", toml)
                return try await FinsyncExecutable.run(args, environment: env, directory: dir.url)
            }
            let fromEnv = try await run(["migrate"] + runtimeDead, env: ["FINSYNC_OWNER_DATABASE_URL": good],
                                        toml: "owner_database_url = \"\(CLIDatabases.unreachable("owner_file"))\"\n")
            #expect(fromEnv.status == 0 && fromEnv.stdout.contains("migrate:"), "\(fromEnv)")
            let fromFile = try await run(["migrate"] + runtimeDead, env: [:], toml: "owner_database_url = \"\(good)\"\n")
            #expect(fromFile.status == 0, "\(fromFile)")
            let fallback = try await run(["migrate", "--database-url", good], env: [:], toml: "")
            #expect(fallback.status == 0, "\(fallback)")
            let envWins = try await run(["migrate", "--database-url", good], env: ["FINSYNC_OWNER_DATABASE_URL": CLIDatabases.unreachable("owner_env")],
                                        toml: "owner_database_url = \"\(good)\"\n")
            #expect(envWins.status != 0 && envWins.output.contains("finsync_wrong_owner_env"), "\(envWins)")
            let statusIgnoresOwner = try await run(["status"] + runtimeDead, env: ["FINSYNC_OWNER_DATABASE_URL": good], toml: "")
            #expect(statusIgnoresOwner.status != 0 && statusIgnoresOwner.output.contains("finsync_wrong_runtime"), "\(statusIgnoresOwner)")
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
