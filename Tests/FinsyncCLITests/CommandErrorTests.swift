import FinsyncTestSupport
import Foundation
import Postgres
import Testing

/// Mistakes a person makes on the command line or in finsync.toml end in a message naming
/// the file, value or option in plain words and a non-zero exit — never a crash, a
/// Foundation error code or a quiet success. Each runs the real `finsync` against a real
/// test database.
@Suite("CLI: errors a person can act on")
struct CommandErrorTests {
    /// Runs `finsync` in a fresh directory whose finsync.toml points at `db` (plus `toml`).
    static func finsync(_ arguments: [String], db: TestDatabase, toml: String = "", environment: [String: String] = [:]) async throws -> FinsyncRun {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        try dir.write("finsync.toml", "database_url = \"\(db.configuration.connectionString)\"\n" + toml)
        return try await FinsyncExecutable.run(arguments, environment: environment, directory: dir.url)
    }

    // MARK: 10. finsync.toml that does not parse, or has a misspelt table

    @Test func aFileThatDoesNotParseStopsSyncAndFailsConfigCheckWithItsLine() async throws {
        try await TestDatabase.with { db in
            let broken = "[schedule]\ncron = \"0 4 * * *\"\n[gocardless\nbase_url = \"x\"\n"
            for command in [["sync"], ["config", "check"], ["status"]] {
                let r = try await Self.finsync(command, db: db, toml: broken)
                #expect(r.exited && r.status != 0, "\(r)")
                #expect(r.output.contains("finsync.toml is not valid TOML at line 4"), "\(r)")
                #expect(!r.output.contains("succeeded"), "\(r)")
            }
        }
    }

    @Test func aMisspeltTableStopsSyncAndFailsConfigCheck() async throws {
        try await TestDatabase.with { db in
            let misspelt = "[gocardles]\nbase_url = \"https://bankaccountdata.gocardless.com/api/v2\"\nsecret_id_env = \"A\"\nsecret_key_env = \"B\"\n"
            for command in [["sync"], ["config", "check"]] {
                let r = try await Self.finsync(command, db: db, toml: misspelt)
                #expect(r.exited && r.status != 0, "\(r)")
                #expect(r.output.contains("unknown table [gocardles]; did you mean [gocardless]?"), "\(r)")
                #expect(!r.output.contains("succeeded"), "\(r)")
            }
            // Nothing was synced: no run was recorded.
            let conn = try await CLIDatabases.inspect(db)
            defer { conn.close() }
            #expect(try await conn.withSession { try $0.query("SELECT count(*) FROM ingest.runs")[0].int64(0) } == 0)
            let unknownKey = try await Self.finsync(["config", "check"], db: db, toml: "[schedule]\nevery = \"day\"\n")
            #expect(unknownKey.status != 0 && unknownKey.output.contains("schedule.every: unknown key"), "\(unknownKey)")
        }
    }

    // MARK: 13. numeric options are validated (no crash)

    /// A command line with an out-of-range number, and the option the refusal must name.
    struct NumericCase: Sendable, CustomTestStringConvertible {
        var option: String
        var arguments: [String]
        init(_ option: String, _ arguments: [String]) { self.option = option; self.arguments = arguments }
        var testDescription: String { arguments.joined(separator: " ") }
    }

    static let numericCases: [NumericCase] = [
        .init("--batch-size", ["rebuild", "--batch-size", "0"]), .init("--batch-size", ["replay", "--at", "1", "--batch-size", "0"]),
        .init("--batch-size", ["project", "--batch-size", "0"]), .init("--batch-size", ["bench", "rebuild", "--batch-size", "0"]),
        .init("--batch-size", ["bench", "replay", "--batch-size", "0"]), .init("--parallel", ["project", "--parallel", "0"]),
        .init("--parallel", ["rebuild", "--parallel", "0"]), .init("--parallel", ["replay", "--at", "1", "--parallel", "0"]),
        .init("--poll", ["project", "--follow", "--poll", "0"]), .init("--count", ["events", "tail", "--count", "0"]),
        .init("POSITION", ["events", "show", "0"]), .init("--limit", ["transactions", "-n", "0"]), .init("--count", ["runs", "--count", "0"]),
        .init("--limit", ["explain", "transactions", "x", "--limit", "0"]), .init("--limit", ["replay", "diff", "--from", "0", "--to", "1", "--limit", "0"]),
        .init("--print-next", ["schedule", "--print-next", "0"]), .init("--events", ["bench", "eventlog", "--events", "0"]),
        .init("--batch-size", ["bench", "eventlog", "--batch-size", "0"]), .init("--append-batch", ["bench", "replay", "--append-batch", "0"]),
        .init("--days", ["connect", "gocardless", "--institution", "X", "--days", "0"]), .init("--quota", ["sandbox", "--quota", "0"]),
    ]

    /// Refused before anything connects: the database URL leads nowhere, so a command that
    /// went ahead would fail differently (or, before the fix, crash on `--batch-size 0`).
    @Test(arguments: numericCases)
    func aNumericOptionOutOfRangeIsRefusedByName(_ c: NumericCase) async throws {
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let r = try await FinsyncExecutable.run(c.arguments, environment: ["DATABASE_URL": CLIDatabases.unreachable("numeric")], directory: dir.url)
        #expect(r.exited, "a crash: \(r)")
        #expect(r.status == 64, "a usage error: \(r)")
        #expect(r.stderr.contains("\(c.option) must be at least"), "\(r)")
    }

    /// The crash itself, against a real database: `--batch-size 0` used to reach the runner's
    /// force unwrap; now the runner refuses it too (for callers other than the CLI).
    @Test func rebuildWithBatchSizeZeroAgainstARealLogIsRefusedNotCrashed() async throws {
        try await TestDatabase.with { db in
            try await CLIDatabases.appendEvents(3, to: db)
            for command in [["rebuild", "--batch-size", "0"], ["replay", "--at", "3", "--batch-size", "0"]] {
                let r = try await Self.finsync(command, db: db)
                #expect(r.exited && r.status == 64 && r.stderr.contains("--batch-size must be at least 1 (got 0)"), "\(r)")
            }
        }
    }

    // MARK: 14. replay points that are neither a position nor a valid time

    @Test(arguments: ["99999999999999999999", "2026-13-45", "2026-02-30T10:00:00Z", "-5", "yesterday"])
    func aReplayPointThatIsNotOneIsRefusedWithWhatIsAccepted(point: String) async throws {
        try await TestDatabase.with { db in
            try await CLIDatabases.appendEvents(3, to: db)
            let r = try await Self.finsync(["replay", "--at=\(point)", "--into", "cli_bad_point"], db: db)
            #expect(r.exited && r.status == 64, "\(r)")
            #expect(r.stderr.contains(point) && r.stderr.contains("2024-03-03T12:00:00Z") && r.stderr.contains("log position"), "\(r)")
            let conn = try await CLIDatabases.inspect(db)
            defer { conn.close() }
            #expect(try await conn.withSession { try $0.query("SELECT count(*) FROM pg_namespace WHERE nspname = 'cli_bad_point'")[0].int64(0) } == 0)
            let diff = try await Self.finsync(["replay", "diff", "--from", "0", "--to=\(point)"], db: db)
            #expect(diff.status == 64 && diff.stderr.contains("--to"), "\(diff)")
        }
    }

    @Test func validReplayPointsStillWork() async throws {
        try await TestDatabase.with { db in
            try await CLIDatabases.appendEvents(3, to: db)
            for point in ["2", "2999-12-31", "2999-12-31T23:59:59Z", "2999-12-31 23:59:59+01:00"] {
                let r = try await Self.finsync(["replay", "--at", point, "--into", "cli_ok", "--parallel", "1"], db: db)
                #expect(r.status == 0 && r.stdout.contains("into schema cli_ok"), "\(point): \(r)")
                _ = try await Self.finsync(["replay", "drop", "cli_ok"], db: db)
            }
        }
    }

    // MARK: 15. messages that name the file, value or account

    @Test func migrateWithAMissingSchemasFolderNamesIt() async throws {
        try await TestDatabase.with { db in
            let r = try await Self.finsync(["migrate"], db: db, environment: ["FINSYNC_SCHEMAS": "/nonexistent/finsync-schemas"])
            #expect(r.exited && r.status != 0, "\(r)")
            #expect(r.output.contains("/nonexistent/finsync-schemas") && r.output.contains("does not exist"), "\(r)")
            #expect(!r.output.contains("NSCocoaErrorDomain") && !r.output.contains("Code="), "\(r)")
        }
    }

    @Test func configGivenADirectorySaysSo() async throws {
        try await TestDatabase.with { db in
            let dir = try ScratchDirectory()
            defer { dir.remove() }
            for command in [["status"], ["config", "check"], ["sync"]] {
                let r = try await Self.finsync(command + ["--config", dir.url.path], db: db)
                #expect(r.exited && r.status != 0, "\(r)")
                #expect(r.output.contains("\(dir.url.path) is a directory"), "\(r)")
                #expect(!r.output.contains("NSCocoaErrorDomain"), "\(r)")
            }
            let missing = try await Self.finsync(["status", "--config", dir.url.path + "/nope.toml"], db: db)
            #expect(missing.status != 0 && missing.output.contains("nope.toml does not exist"), "\(missing)")
        }
    }

    @Test func eventsTailShowsTheNewestEventsAndNeverCallsAFullLogEmpty() async throws {
        try await TestDatabase.with { db in
            try await CLIDatabases.appendEvents(3, to: db)
            let zero = try await Self.finsync(["events", "tail", "--count", "0"], db: db)
            #expect(zero.status == 64 && !zero.output.contains("empty"), "\(zero)")
            let two = try await Self.finsync(["events", "tail", "--count", "2"], db: db)
            #expect(two.status == 0, "\(two)")
            #expect(two.stdout.split(separator: "\n").count == 2 && two.stdout.contains("cli/test@3") && !two.stdout.contains("cli/test@1"), "\(two)")
        }
    }

    @Test func transactionsTakesNAsTheShortFormOfLimit() async throws {
        try await TestDatabase.with { db in
            let sync = try await Self.finsync(["sync", "--sandbox", "--json"], db: db)
            #expect(sync.exited && sync.stdout.contains("\"events_appended\" : 183"), "\(sync)")
            let r = try await Self.finsync(["transactions", "-n", "2"], db: db)
            #expect(r.status == 0, "\(r)")
            #expect(r.stdout.split(separator: "\n").count == 3, "a heading and two rows: \(r)")
        }
    }
}
