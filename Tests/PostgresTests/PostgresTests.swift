import FinsyncTestSupport
import Foundation
import Postgres
import Testing

@Suite struct PostgresTests {
    @Test func parameterisedQueriesTextAndBinary() async throws {
        try await TestDatabase.with { db in
            let c = try await db.connect()
            defer { c.close() }
            let (text, binary) = try await c.withSession { s -> ([String?], [Int64?]) in
                let r = try s.query("SELECT $1::text, $2::bigint, $3::numeric, $4::bytea", [.text("héllo"), 42, .text("-35.56"), .bytes([0, 1, 255])])
                let b = try s.query("SELECT $1::bigint, $2::int, $3::bytea", [PostgresParameter(Int64.max), 7, .bytes([9, 8])], binaryResult: true)
                #expect(r[0].bytes(3) == [0, 1, 255])
                #expect(b[0].bytes(2) == [9, 8])
                #expect(r[0].decimal(2) == Decimal(string: "-35.56"))
                return ([r[0].string(0), r[0].string(1)], [b[0].int64(0), b[0].int64(1)])
            }
            #expect(text == ["héllo", "42"])
            #expect(binary == [Int64.max, 7])
        }
    }

    @Test func errorsCarrySQLStateDetailAndStatement() async throws {
        try await TestDatabase.with { db in
            let c = try await db.connect()
            defer { c.close() }
            await #expect(throws: PostgresError.self) {
                try await c.withSession { s in _ = try s.execute("SELECT * FROM no_such_table") }
            }
            do {
                try await c.withSession { s in
                    _ = try s.execute("CREATE TABLE u (k int PRIMARY KEY)")
                    _ = try s.query("INSERT INTO u VALUES ($1), ($1)", [1])
                }
                Issue.record("expected a unique violation")
            } catch let e as PostgresError {
                #expect(e.sqlState == "23505")
                #expect(e.isUniqueViolation)
                #expect(e.detail?.contains("(k)=(1)") == true)
                #expect(e.statement == "INSERT INTO u VALUES ($1), ($1)")
                #expect(!e.description.contains("secret"))
            }
        }
    }

    @Test func transactionRollsBackOnError() async throws {
        try await TestDatabase.with { db in
            let c = try await db.connect()
            defer { c.close() }
            let count = try await c.withSession { s -> Int64 in
                _ = try s.execute("CREATE TABLE t (v int)")
                _ = try? s.transaction { t in
                    _ = try t.execute("INSERT INTO t VALUES (1)")
                    _ = try t.execute("INSERT INTO t VALUES ('not a number')")
                }
                return try s.query("SELECT count(*) FROM t")[0].int64(0)!
            }
            #expect(count == 0)
        }
    }

    /// A transaction opened inside another is a savepoint: it never commits the outer one
    /// half-way, and its failure rolls back only its own work.
    @Test func nestedTransactionIsASavepoint() async throws {
        struct Abort: Error {}
        try await TestDatabase.with { db in
            let c = try await db.connect()
            defer { c.close() }
            let rows = try await c.withSession { s -> [Int64] in
                _ = try s.execute("CREATE TABLE n (v int)")
                // The outer transaction fails after an inner one finished: nothing stays.
                _ = try? s.transaction { t in
                    _ = try t.execute("INSERT INTO n VALUES (1)")
                    try t.transaction { i in _ = try i.execute("INSERT INTO n VALUES (2)") }
                    throw Abort()
                }
                // An inner failure undoes only the inner work; the outer commits the rest.
                try s.transaction { t in
                    _ = try t.execute("INSERT INTO n VALUES (3)")
                    _ = try? t.transaction { i in
                        _ = try i.execute("INSERT INTO n VALUES (4)")
                        throw Abort()
                    }
                    try t.transaction { i in _ = try i.execute("INSERT INTO n VALUES (5)") }
                }
                return try s.query("SELECT v FROM n ORDER BY v").rows.map { $0.int64(0)! }
            }
            #expect(rows == [3, 5])
        }
    }

    @Test func binaryCopyAndPreparedAndStreaming() async throws {
        try await TestDatabase.with { db in
            let c = try await db.connect()
            defer { c.close() }
            let (copied, streamedSum, streamedCount, prepared) = try await c.withSession { s -> (Int, Int64, Int, [String]) in
                _ = try s.execute("CREATE TABLE c (id bigint, name text, at timestamptz, blob bytea, u uuid, doc jsonb, d date)")
                var w = CopyBinaryWriter()
                for i in 1...10_000 {
                    w.beginRow(fieldCount: 7)
                    w.append(int64: Int64(i)); w.append(text: "n\(i)"); w.append(timestamp: Date(timeIntervalSince1970: 1_700_000_000))
                    w.append(bytea: [UInt8(i % 256)]); w.append(uuid: UUID(uuidString: "6f1b8a4e-36f4-4a3e-9d4c-1d9c2f1b8a4e")!)
                    w.append(jsonb: Array(#"{"i":\#(i)}"#.utf8)); w.append(dateDays: 19_723)
                }
                let n = try s.copyIn("COPY c FROM STDIN (FORMAT binary)", w)
                var sum: Int64 = 0, count = 0
                try s.forEachRow("SELECT id FROM c ORDER BY id", binaryResult: true) { row in sum += row.int64(0)!; count += 1 }
                var names: [String] = []
                for i in [3, 5] { names.append(try s.query("SELECT name FROM c WHERE id = $1", [PostgresParameter(i)], prepare: true)[0].string(0)!) }
                let check = try s.query("SELECT at = to_timestamp(1700000000), doc->>'i', d::text FROM c WHERE id = 10", binaryResult: false)
                #expect(check[0].string(0) == "t")
                #expect(check[0].string(1) == "10")
                #expect(check[0].string(2) == "2024-01-01")
                return (n, sum, count, names)
            }
            #expect(copied == 10_000)
            #expect(streamedCount == 10_000)
            #expect(streamedSum == 50_005_000)
            #expect(prepared == ["n3", "n5"])
        }
    }

    /// A rebuild swaps tables under the API's prepared statements: a statement whose table was
    /// replaced reads the new table, and one whose result type changed is prepared afresh
    /// instead of failing with "cached plan must not change result type".
    @Test func preparedStatementsSurviveTableSwapsAndResultTypeChanges() async throws {
        try await TestDatabase.with { db in
            let c = try await db.connect()
            defer { c.close() }
            let (before, swapped, widened) = try await c.withSession { s -> ([String?], [String?], [String?]) in
                _ = try s.execute("CREATE TABLE p (id int, v text); INSERT INTO p VALUES (1, 'old')")
                let read = { try s.query("SELECT * FROM p WHERE id = $1", [1], prepare: true).rows.map { $0.string(1) } }
                let before = try read()
                _ = try s.execute("CREATE TABLE p_new (id int, v text); INSERT INTO p_new VALUES (1, 'new'); DROP TABLE p; ALTER TABLE p_new RENAME TO p")
                let swapped = try read()
                _ = try s.execute("ALTER TABLE p ALTER COLUMN v TYPE varchar(10), ADD COLUMN w int")
                return (before, swapped, try read())
            }
            #expect(before == ["old"])
            #expect(swapped == ["new"])
            #expect(widened == ["new"])
        }
    }

    @Test func pipelineRunsStatementsInOrderAndStopsAtFailure() async throws {
        try await TestDatabase.with { db in
            let c = try await db.connect()
            defer { c.close() }
            let values = try await c.withSession { s -> [Int64] in
                try s.pipeline([("SELECT 1::bigint", []), ("SELECT $1::bigint * 2", [21])], binaryResult: true).map { $0[0].int64(0)! }
            }
            #expect(values == [1, 42])
            await #expect(throws: PostgresError.self) {
                try await c.withSession { s in _ = try s.pipeline([("SELECT 1", []), ("SELECT 1/0", []), ("SELECT 3", [])]) }
            }
            // The connection is usable afterwards.
            let after = try await c.withSession { try $0.query("SELECT 5")[0].string(0) }
            #expect(after == "5")
        }
    }

    @Test func listenNotifyDeliversPayloads() async throws {
        try await TestDatabase.with { db in
            let listener = try await db.connect()
            let sender = try await db.connect()
            defer { listener.close(); sender.close() }
            try await listener.withSession { try $0.listen("finsync_test") }
            try await sender.withSession { try $0.notify("finsync_test", payload: "42") }
            let got = try await listener.withSession { try $0.waitForNotifications(timeout: .seconds(10)) }
            #expect(got.map(\.payload) == ["42"])
            #expect(got.first?.channel == "finsync_test")
        }
    }

    @Test func migratorAppliesOnceAndRefusesEditedFiles() async throws {
        try await TestDatabase.with { db in
            let c = try await db.connectAsOwner()
            defer { c.close() }
            let v1 = PostgresMigrator.Migration(version: 900, name: "0900_x.sql", sql: "CREATE TABLE mig_x (a int)", checksum: PostgresMigrator.checksum("CREATE TABLE mig_x (a int)"))
            let base = try PostgresMigrator(directory: TestDatabase.schemasDirectory).migrations
            #expect(try await c.withSession { try PostgresMigrator(migrations: base + [v1]).pending($0) }.map(\.name) == ["0900_x.sql"])
            let first = try await c.withSession { try PostgresMigrator(migrations: base + [v1]).migrate($0) }
            #expect(try await c.withSession { try PostgresMigrator(migrations: base + [v1]).pending($0) }.isEmpty)
            let second = try await c.withSession { try PostgresMigrator(migrations: base + [v1]).migrate($0) }
            #expect(first == ["0900_x.sql"])
            #expect(second.isEmpty)
            var edited = v1
            edited.sql = "CREATE TABLE mig_x (a bigint)"
            edited.checksum = PostgresMigrator.checksum(edited.sql)
            let editedMigration = edited
            do {
                _ = try await c.withSession { try PostgresMigrator(migrations: base + [editedMigration]).migrate($0) }
                Issue.record("an edited migration must be refused")
            } catch let e as PostgresMigrator.Failure {
                #expect(e.message.contains("0900_x.sql was edited"))
            }
        }
    }

    @Test func timestampsFormatAsPostgresReadsThem() async throws {
        #expect(PostgresTimestamp.iso8601(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000000Z")
        #expect(PostgresTimestamp.iso8601(Date(timeIntervalSince1970: -0.000001)) == "1969-12-31T23:59:59.999999Z")
        #expect(PostgresTimestamp.iso8601(Date(timeIntervalSince1970: 1_709_164_800.5)) == "2024-02-29T00:00:00.500000Z")
        // The server agrees with the text for dates across leap years and centuries.
        let seconds: [Double] = [-2_208_988_800, 951_782_399.123456, 1_735_689_599.999999, 4_102_444_800, 253_402_300_799]
        try await TestDatabase.with { db in
            let c = try await db.connect()
            defer { c.close() }
            for t in seconds {
                let text = PostgresTimestamp.iso8601(Date(timeIntervalSince1970: t))
                let epoch = try await c.withSession { s in try s.query("SELECT extract(epoch FROM $1::timestamptz)::text", [.text(text)])[0].string(0) }
                #expect(Decimal(string: epoch ?? "") == Decimal(string: String(format: "%.6f", t)), "\(text)")
            }
        }
    }

    /// finsync turns libpq's GSSAPI probe off by default, but the connection string still
    /// decides: asking for GSSAPI encryption is refused by a server that has none.
    @Test func theConnectionStringOverridesFinsyncsDefaults() async throws {
        try await TestDatabase.with { db in
            let url = db.configuration.connectionString
            let required = PostgresConfiguration(url + (url.contains("?") ? "&" : "?") + "gssencmode=require")
            await #expect(throws: PostgresError.self) { try await PostgresConnection.connect(required).close() }
            try await PostgresConnection.connect(db.configuration).close()
        }
    }

    @Test func redactsPasswords() {
        #expect(PostgresConfiguration("postgresql://bob:hunter2@db:5432/x").redacted == "postgresql://bob:***@db:5432/x")
        #expect(PostgresConfiguration("host=db password=hunter2 user=bob").redacted == "host=db password=*** user=bob")
    }
}

/// Timestamps a person types are read strictly: out-of-range fields and trailing text are refused.
@Suite struct StrictTimestampTests {
    @Test func validFormsParseLikeTheServersOwn() {
        for text in ["2024-03-03T12:00:00Z", "2024-02-29 23:59:59.5+01:00", "2024-03-03T12:00:00-0530", "2024-03-03T12:00:00+01", "2024-03-03"] {
            #expect(PostgresTimestamp.parseStrict(text) == PostgresTimestamp.parse(text), "\(text)")
            #expect(PostgresTimestamp.parseStrict(text) != nil, "\(text)")
        }
    }

    @Test func outOfRangeOrMalformedIsRefused() {
        for text in ["2026-13-45", "2026-02-29", "2023-04-31T00:00:00Z", "2024-03-03T24:00:00Z", "2024-03-03T12:60:00Z",
                     "99999999999999999999", "2024-03-03T12:00:00Zjunk", "2024-03-03T12:00", "yesterday", "", "2024-03-03T12:00:00."] {
            #expect(PostgresTimestamp.parseStrict(text) == nil, "\(text)")
        }
    }
}
