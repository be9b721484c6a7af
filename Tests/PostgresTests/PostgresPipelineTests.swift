import FinsyncTestSupport
import Postgres
import Testing

@Suite struct PostgresPipelineTests {
    /// A pipeline on a connection whose server went away ends with an error; it used to
    /// take libpq's endless NULL results for "the next statement" and spin forever.
    @Test func aDroppedConnectionFailsThePipeline() async throws {
        try await TestDatabase.with { db in
            let c = try await db.connect()
            defer { c.close() }
            let killer = try await db.connect()
            defer { killer.close() }
            #expect(try await c.withSession { try $0.pipeline([("SELECT 1", []), ("SELECT 2", [])]).count } == 2)
            let pid = try await c.withSession { try $0.query("SELECT pg_backend_pid()")[0].decode(Int64.self, 0) }
            // Waits (up to 10 s) until the backend has gone.
            let gone = try await killer.withSession { try $0.query("SELECT pg_terminate_backend($1::int, 10000)", [PostgresParameter(pid)])[0].bool(0) }
            #expect(gone == true)
            await #expect(throws: PostgresError.self) {
                try await c.withSession { s in _ = try s.pipeline([("SELECT 1", []), ("SELECT 2", [])]) }
            }
            #expect(await c.isBroken)
        }
    }
}
