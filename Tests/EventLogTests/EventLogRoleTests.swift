import CanonicalJSON
@testable import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import Testing

/// The runtime role — what every command but `finsync migrate` runs as — reads the log and
/// appends at its head, and can do nothing else to it (schemas/0006_runtime_role.sql).
/// `TestDatabase.connect()` connects as that role; `connectAsOwner()` as the owner.
@Suite struct EventLogRoleTests {
    static let observed = EventType("test.observed")

    static func event(_ n: Int) -> NewEvent {
        NewEvent(type: observed, json: ["n": .number(String(n))])
    }

    /// The SQLSTATE `sql` fails with on `c`, or nil when it succeeds.
    static func failure(of sql: String, _ params: [PostgresParameter] = [], on c: PostgresConnection) async -> String? {
        do {
            try await c.withSession { _ = try $0.query(sql, params) }
            return nil
        } catch let e as PostgresError {
            return e.sqlState ?? "(no SQLSTATE: \(e))"
        } catch {
            return "(not a PostgreSQL error: \(error))"
        }
    }

    /// `c` must not be the log's owner (nor a member of it): otherwise these tests would
    /// prove nothing about the runtime role.
    static func expectRuntimeRole(_ c: PostgresConnection) async throws {
        let (ownsLog, mayUpdateHead) = try await c.withSession { s in
            let r = try s.query("""
                SELECT pg_has_role(current_user, (SELECT relowner FROM pg_class WHERE oid = 'eventlog.events'::regclass), 'USAGE'),
                       has_table_privilege('eventlog.head', 'UPDATE')
                """)
            return (r[0].bool(0), r[0].bool(1))
        }
        #expect(ownsLog == false, "tests must connect as the runtime role (FINSYNC_TEST_DATABASE_URL), not as the log's owner")
        #expect(mayUpdateHead == false)
    }

    /// Runs `body` with a fresh database and a log on a runtime-role connection.
    static func withRuntimeLog(_ body: (TestDatabase, EventLog) async throws -> Void) async throws {
        try await TestDatabase.with { db in
            let c = try await db.connect()
            defer { c.close() }
            try await expectRuntimeRole(c)
            try await body(db, EventLog(connection: c))
        }
    }

    /// Inserts one forged event per element of `positions`/`versions`/`streams`, in that
    /// order, in one statement, bypassing EventLog.append.
    static let forge = """
        INSERT INTO eventlog.events (position, stream_id, stream_version, event_id, content_key, event_type, schema_version, recorded_at, metadata, codec, raw_size, payload)
        SELECT p, s, v, gen_random_uuid(), decode(md5(gen_random_uuid()::text), 'hex'), 'test.forged', 1, $4::timestamptz, '{}', 0, 2, '\\x7b7d'::bytea
        FROM unnest($1::bigint[], $2::bigint[], $3::text[]) AS x (p, v, s)
        """

    @Test func runtimeRoleCannotRewriteOrDropHistory() async throws {
        try await Self.withRuntimeLog { _, log in
            let c = log.connection
            _ = try await log.append((1...3).map(Self.event), to: "s")
            let before = try await log.readBatch(after: 0).map { [$0.position, $0.streamVersion] }
            for sql in [
                "UPDATE eventlog.events SET event_type = 'x'",
                "UPDATE eventlog.events SET position = position + 10 WHERE position = 3",
                "DELETE FROM eventlog.events",
                "DELETE FROM eventlog.events WHERE position = 3",
                "TRUNCATE eventlog.events",
                "ALTER TABLE eventlog.events DISABLE TRIGGER ALL",
                "ALTER TABLE eventlog.events DISABLE TRIGGER events_no_update_delete",
                "ALTER TABLE eventlog.events DISABLE TRIGGER events_advance_head",
                "DROP TRIGGER events_advance_head ON eventlog.events",
                "DROP TABLE eventlog.events",
                "DROP SCHEMA eventlog CASCADE",
                "ALTER TABLE eventlog.events RENAME TO events_before",
                "UPDATE eventlog.head SET last_position = 10",
                "UPDATE eventlog.head SET last_recorded_at = 'infinity'",
                "SELECT last_position FROM eventlog.head FOR UPDATE",
                "UPDATE eventlog.compression_dictionaries SET event_type = 'x'",
                "DELETE FROM eventlog.compression_dictionaries",
                "TRUNCATE eventlog.compression_dictionaries",
                "CREATE OR REPLACE FUNCTION eventlog.advance_head() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
                "SET session_replication_role = replica",
            ] {
                #expect(await Self.failure(of: sql, on: c) == "42501", "the runtime role must be refused: \(sql)")
            }
            #expect(try await log.readBatch(after: 0).map { [$0.position, $0.streamVersion] } == before)
            #expect(try await log.headPosition() == 3)
        }
    }

    @Test func noRoleChoosesAPosition() async throws {
        try await Self.withRuntimeLog { db, log in
            let c = log.connection
            let owner = try await db.connectAsOwner()
            defer { owner.close() }
            _ = try await log.append((1...3).map(Self.event), to: "s")   // head 3, stream s at version 3

            // (positions, versions, stream, recorded_at) → the SQLSTATE expected.
            let forgeries: [(String, String, String, String, String)] = [
                ("{10}", "{4}", "{s}", "now", "FS002"),            // a position ahead of the head
                ("{5}", "{4}", "{s}", "now", "FS002"),             // leaving a gap of one
                ("{4,6}", "{4,5}", "{s,s}", "now", "FS002"),       // a gap inside the statement
                ("{5,4}", "{5,4}", "{s,s}", "now", "FS002"),       // rows not in position order
                ("{2}", "{4}", "{s}", "now", "23505"),             // a position already taken
                ("{4}", "{3}", "{s}", "now", "23505"),             // a stream version already taken
                ("{4}", "{6}", "{s}", "now", "FS002"),             // a gap in the stream's versions
                ("{4,5}", "{5,4}", "{s,s}", "now", "FS002"),       // versions against position order
                ("{4}", "{2}", "{new}", "now", "FS002"),           // a new stream not starting at 1
                ("{4,5}", "{4,2}", "{s,new}", "now", "FS002"),     // the same, among several streams
                ("{4,5,6}", "{1,4,3}", "{new,s,new}", "now", "FS002"), // a gap within one of several streams
                ("{4}", "{4}", "{s}", "2000-01-01", "FS002"),      // recorded before the head
                ("{4}", "{4}", "{s}", "2999-01-01", "FS002"),      // recorded in the future
            ]
            for (positions, versions, stream, recorded, expected) in forgeries {
                let params: [PostgresParameter] = [.text(positions), .text(versions), .text(stream), .text(recorded)]
                #expect(await Self.failure(of: Self.forge, params, on: c) == expected, "runtime role: positions \(positions), versions \(versions) of \(stream) at \(recorded)")
                // The check is a trigger, not a privilege: the owner is held to it too.
                #expect(await Self.failure(of: Self.forge, params, on: owner) == expected, "owner: positions \(positions), versions \(versions) of \(stream) at \(recorded)")
            }

            // COPY, the append path's own statement, is checked the same way.
            var copy = CopyBinaryWriter()
            copy.beginRow(fieldCount: 16)
            copy.append(int64: 7); copy.append(text: "s"); copy.append(int64: 4); copy.append(uuid: UUID())
            copy.append(bytea: ContentKey(stream: "s", type: Self.observed, canonicalPayload: Array("{}".utf8)).bytes)
            copy.append(text: Self.observed.name); copy.append(int16: 1); copy.appendNull(); copy.appendNull(); copy.appendNull()
            copy.append(timestamp: Date()); copy.append(jsonb: Array("{}".utf8)); copy.append(int16: 0); copy.appendNull()
            copy.append(int32: 2); copy.append(bytea: Array("{}".utf8))
            let writer = copy
            do {
                _ = try await c.withSession { try $0.copyIn(EventLog.copySQL, writer) }
                Issue.record("a COPY at position 7 after head 3 must fail")
            } catch let e as PostgresError {
                #expect(e.sqlState == "FS002")
                #expect(e.message.contains("positions 4 to 4"))
            }

            #expect(try await log.headPosition() == 3)
            #expect(try await log.readBatch(after: 0).count == 3)
            // ...and the sanctioned path still hands out the next position.
            #expect(try await log.append([Self.event(4)], to: "s").appended.map(\.position) == [4])
            #expect(try await log.headPosition() == 4)
        }
    }

    @Test func runtimeRoleAppendsAtTheHead() async throws {
        try await Self.withRuntimeLog { _, log in
            let c = log.connection
            // Single and batch appends, with expected versions.
            #expect(try await log.append([Self.event(1)], to: "a", expectedVersion: .noStream).appended.map(\.position) == [1])
            let batch = (2...6).map(Self.event)
            #expect(try await log.append(batch, to: "a", expectedVersion: .exact(1)).appended.map(\.position) == [2, 3, 4, 5, 6])
            do {
                _ = try await log.append([Self.event(7)], to: "a", expectedVersion: .exact(1))
                Issue.record("a stale expected version must be refused")
            } catch let e as EventLogError {
                #expect(e.code == .wrongExpectedVersion)
            }
            // Idempotent retries: stored, repeated within the batch, same id with new content.
            let retry = try await log.append(batch + [Self.event(7), Self.event(7)], to: "a", expectedVersion: .exact(6))
            #expect(retry.appended.map(\.position) == [7])
            #expect(retry.duplicates.count == 6)
            var sameID = Self.event(99)
            sameID.eventID = batch[0].eventID
            #expect(try await log.append([sameID], to: "a").appended.isEmpty)
            // Snapshots: A, A, B, A stores A, B, A.
            var stored: [Int64] = []
            for state in ["A", "A", "B", "A"] {
                stored += try await log.appendSnapshot(NewEvent(type: Self.observed, json: ["state": .string(state)]), to: "snap").appended.map(\.position)
            }
            #expect(stored == [8, 9, 10])
            // Several appends in one transaction, next to the caller's own writes.
            let positions = try await c.withSession { s in
                try s.transaction { t in
                    let x = try EventLog.append([Self.event(11)], to: "b", expectedVersion: .noStream, session: t, dictionaries: log.dictionaries)
                    let y = try EventLog.append([Self.event(12)], to: "b", expectedVersion: .exact(1), session: t, dictionaries: log.dictionaries)
                    return (x.appended + y.appended).map(\.position)
                }
            }
            #expect(positions == [11, 12])
            #expect(try await log.headPosition() == 12)
            #expect(try await log.readBatch(after: 0).map(\.position) == Array(1...12))
        }
    }

    /// A database migrated before 0006 by a single owner role (as every install was), with
    /// events appended the old way: 0006 applies, the owner still appends (a single-role
    /// install keeps working), the runtime role appends and reads, and 0006 run again is
    /// harmless.
    @Test func migrationUpgradesADatabaseMigratedByOneRole() async throws {
        try await TestDatabase.with(migrated: false) { db in
            let owner = try await db.connectAsOwner()
            defer { owner.close() }
            let all = try PostgresMigrator(directory: TestDatabase.schemasDirectory)
            let roles = try #require(all.migrations.first { $0.name == "0006_runtime_role.sql" })
            let before = PostgresMigrator(migrations: all.migrations.filter { $0.version < roles.version })
            _ = try await owner.withSession { try before.migrate($0) }
            // Two events appended as the code before 0006 did: lock the head, insert, move it.
            try await owner.withSession { s in
                try s.transaction { t in
                    _ = try t.execute("SELECT last_position FROM eventlog.head FOR UPDATE")
                    _ = try t.query(Self.forge, [.text("{1,2}"), .text("{1,2}"), .text("{old,old}"), .text("now")])
                    _ = try t.execute("UPDATE eventlog.head SET last_position = 2, last_recorded_at = now()")
                }
            } as Void
            #expect(try await owner.withSession { try all.migrate($0) } == all.migrations.filter { $0.version >= roles.version }.map(\.name))
            try await owner.withSession { s in _ = try s.execute(roles.sql) }   // idempotent

            let ownerLog = EventLog(connection: owner)
            #expect(try await ownerLog.append([Self.event(3)], to: "old", expectedVersion: .exact(2)).appended.map(\.position) == [3])
            let c = try await db.connect()
            defer { c.close() }
            try await Self.expectRuntimeRole(c)
            #expect(try await c.withSession { try all.pending($0) }.isEmpty)
            let log = EventLog(connection: c)
            #expect(try await log.append([Self.event(4)], to: "old", expectedVersion: .exact(3)).appended.map(\.position) == [4])
            #expect(try await log.readBatch(after: 0).map(\.position) == [1, 2, 3, 4])
            #expect(await Self.failure(of: "UPDATE eventlog.head SET last_position = 9", on: c) == "42501")
        }
    }
}
