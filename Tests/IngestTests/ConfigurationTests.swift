import Foundation
import Ingest
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
            [vanguard]
            username_env = "VG_USER"
            """
        let c = try FinsyncConfiguration.parse(toml, environment: ["GC_ID": "the-id-value", "T212_ISA": "the-t212-key"])
        #expect(c.validate().isEmpty)
        #expect(c.schedule.cron == "30 5 * * MON-FRI")
        #expect(c.timeZone.identifier == "Europe/London")
        #expect(c.gocardless?.overlapDays == 10)
        #expect(c.effectiveDatabaseURL == "postgresql://finsync@127.0.0.1:5432/finsync")
        let creds = try c.gocardlessCredentials()
        #expect(creds.secretID == "the-id-value")
        #expect(creds.secretKey == "the-key-value")
        #expect(!"\(creds)".contains("the-key-value"))
    }

    @Test func databaseURLFromTheEnvironmentWins() throws {
        let c = try FinsyncConfiguration.parse(#"database_url = "postgresql://file/db""#, environment: ["DATABASE_URL": "postgresql://env/db"])
        #expect(c.effectiveDatabaseURL == "postgresql://env/db")
        let defaults = try FinsyncConfiguration.parse("", environment: ["DATABASE_URL": "postgresql://env/db"])
        #expect(defaults.schedule.cron == "0 4 * * *")
        #expect(defaults.gocardless == nil)
        #expect(defaults.validate().isEmpty)
    }

    /// `finsync migrate` runs as the owner: `FINSYNC_OWNER_DATABASE_URL`, else
    /// `owner_database_url`, else (nil) the runtime URL.
    @Test func ownerDatabaseURLFromTheEnvironmentThenTheFile() throws {
        let file = #"owner_database_url = "postgresql://owner@file/db""#
        #expect(try FinsyncConfiguration.parse(file, environment: ["FINSYNC_OWNER_DATABASE_URL": "postgresql://owner@env/db"]).effectiveOwnerDatabaseURL == "postgresql://owner@env/db")
        let fromFile = try FinsyncConfiguration.parse(file, environment: ["DATABASE_URL": "postgresql://app@env/db"])
        #expect(fromFile.effectiveOwnerDatabaseURL == "postgresql://owner@file/db")
        #expect(fromFile.effectiveDatabaseURL == "postgresql://app@env/db")
        #expect(fromFile.validate().isEmpty)
        #expect(try FinsyncConfiguration.parse("", environment: ["DATABASE_URL": "postgresql://app@env/db"]).effectiveOwnerDatabaseURL == nil)
        let bad = try FinsyncConfiguration.parse(#"owner_database_url = "owner@somewhere""#, environment: ["DATABASE_URL": "postgresql://app@env/db"])
        #expect(bad.validate().map(\.key) == ["owner_database_url"])
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
                    "gocardless.secret_id_env", "gocardless.secret_key_env", "gocardless.overlap_days", "gocardless.details_refresh_days", "database_url"] {
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
