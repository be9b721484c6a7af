import Foundation
import Ingest
import Postgres
import Testing

@Suite("finsync.toml configuration")
struct ConfigurationTests {
    @Test func aValidFileWithSecretsFromEnvironmentAndFile() throws {
        let secretFile = FileManager.default.temporaryDirectory.appendingPathComponent("gc-key-\(UUID().uuidString)")
        try "  the-key-value\n".write(to: secretFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: secretFile) }
        let toml = """
            database_url = "postgresql://finsync@127.0.0.1:5432/finsync"
            [schedule]
            cron = "30 5 * * MON-FRI"
            timezone = "Europe/London"
            [gocardless]
            base_url = "http://127.0.0.1:8080/api/v2"
            secret_id_env = "GC_ID"
            secret_key_file = "\(secretFile.path)"
            overlap_days = 10
            [[trading212]]
            name = "isa"
            api_key_env = "T212_ISA"
            """
        let c = try FinsyncConfiguration.parse(toml, environment: ["GC_ID": "the-id-value", "T212_ISA": "the-t212-key"])
        #expect(c.validate().isEmpty)
        #expect(c.schedule.cron == "30 5 * * MON-FRI")
        #expect(c.timeZone.identifier == "Europe/London")
        #expect(c.gocardless?.overlapDays == 10)
        #expect(c.databaseURL == "postgresql://finsync@127.0.0.1:5432/finsync")
        let creds = try c.gocardlessCredentials()
        #expect(creds.secretID == "the-id-value")
        #expect(creds.secretKey == "the-key-value")
        #expect(!"\(creds)".contains("the-key-value"))
    }

    @Test func theDatabaseIsResolvedFlagThenEnvironmentThenFileThenLibpq() throws {
        let file = try FinsyncConfiguration.parse("database_url = \"postgresql://file/db\"\nowner_database_url = \"postgresql://owner-file/db\"", environment: [:])
        let env = ["DATABASE_URL": "postgresql://env/db", "FINSYNC_OWNER_DATABASE_URL": "postgresql://owner-env/db"]
        let all = FinsyncSettings(file: file, databaseURL: "postgresql://flag/db", environment: env)
        #expect(all.database.configuration.connectionString == "postgresql://flag/db" && all.database.source == .flag)
        #expect(all.ownerDatabase.configuration.connectionString == "postgresql://owner-env/db")
        let noFlag = FinsyncSettings(file: file, databaseURL: nil, environment: env)
        #expect(noFlag.database.configuration.connectionString == "postgresql://env/db" && noFlag.database.source == .environment("DATABASE_URL"))
        let fileOnly = FinsyncSettings(file: file, databaseURL: "", environment: ["DATABASE_URL": ""])
        #expect(fileOnly.database.configuration.connectionString == "postgresql://file/db")
        #expect(fileOnly.ownerDatabase.configuration.connectionString == "postgresql://owner-file/db")
        let nothing = FinsyncSettings(file: FinsyncConfiguration(environment: [:]), databaseURL: nil, environment: [:])
        #expect(nothing.database.configuration.connectionString == "" && nothing.database.source == .libpqDefaults)
        #expect(nothing.ownerDatabase == FinsyncSettings.Database(configuration: PostgresConfiguration(""), source: .runtimeDatabase))
        #expect(nothing.problems.isEmpty)
        let bad = FinsyncSettings(file: file, databaseURL: "not a url", environment: [:])
        #expect(bad.problems.map(\.key) == ["--database-url"])
    }

    @Test func unknownTablesAndKeysAreProblemsNamingWhatWasMeant() throws {
        let c = try FinsyncConfiguration.parse("[gocardles]\nbase_url = \"x\"\n[vanguard]\nusername_env = \"VG\"\n[mystery]\na = 1", environment: [:])
        let problems = Dictionary(uniqueKeysWithValues: c.validate().map { ($0.key, $0.message) })
        #expect(problems["gocardles"] == "unknown table [gocardles]; did you mean [gocardless]?")
        #expect(problems["vanguard"]?.contains("finsync connect vanguard --session FILE") == true)
        #expect(problems["mystery"]?.contains("expected one of database_url, owner_database_url, schedule, gocardless, trading212") == true)
    }

    @Test func databaseURLDefaultsAreNotAProblem() throws {
        let defaults = try FinsyncConfiguration.parse("", environment: ["DATABASE_URL": "postgresql://env/db"])
        #expect(defaults.schedule.cron == "0 4 * * *")
        #expect(defaults.gocardless == nil)
        #expect(defaults.validate().isEmpty)
    }

    @Test func everyProblemIsNamedByItsKey() throws {
        let toml = """
            mystery = 3
            [schedule]
            cron = "0 25 * * *"
            timezone = "Mars/Olympus_Mons"
            every = "day"
            [gocardless]
            base_url = "ftp://example.com"
            secret_id = "s3cr3t-in-the-file"
            secret_id_env = "GC_ID"
            secret_id_file = "/etc/gc-id"
            secret_key_env = "GC_KEY_UNSET"
            overlap_days = "seven"
            details_refresh_days = 0
            """
        let c = try FinsyncConfiguration.parse(toml, environment: [:])
        let problems = c.validate()
        let keys = Set(problems.map(\.key))
        for key in ["mystery", "schedule.cron", "schedule.timezone", "schedule.every", "gocardless.base_url", "gocardless.secret_id",
                    "gocardless.secret_id_env", "gocardless.secret_key_env", "gocardless.overlap_days", "gocardless.details_refresh_days"] {
            #expect(keys.contains(key), "expected a problem for \(key); got \(problems)")
        }
        // The secret's value is never repeated back.
        #expect(!problems.contains { $0.message.contains("s3cr3t-in-the-file") })
        #expect(problems.first { $0.key == "gocardless.secret_key_env" }?.message.contains("GC_KEY_UNSET") == true)
        #expect(problems.first { $0.key == "schedule.cron" }?.message.contains("hour") == true)
    }

    @Test func plainHTTPIsOnlyForLoopbackAndSyntaxErrorsSayWhere() throws {
        let c = try FinsyncConfiguration.parse("""
            [gocardless]
            base_url = "http://bank.example.com/api/v2"
            secret_id_env = "A"
            secret_key_env = "B"
            """, environment: ["A": "x", "B": "y", "DATABASE_URL": "postgresql://x/y"])
        #expect(c.validate().map(\.key) == ["gocardless.base_url"])
        let broken = try FinsyncConfiguration.parse("[schedule\ncron = ", environment: [:])
        #expect(broken.validate().contains { $0.key == "(file)" && $0.message.contains("line") })
    }

    @Test func locateUsesFlagThenEnvironment() {
        #expect(FinsyncConfiguration.locate(explicit: "/a.toml", environment: ["FINSYNC_CONFIG": "/b.toml"]) == "/a.toml")
        #expect(FinsyncConfiguration.locate(explicit: nil, environment: ["FINSYNC_CONFIG": "/b.toml"]) == "/b.toml")
    }
}
