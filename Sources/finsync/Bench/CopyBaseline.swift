import Foundation
import Postgres
import Replay

/// The baseline of the projection benchmarks: the time to COPY a rebuild's resulting rows
/// straight into empty tables of the same shape, measured in the same run.
enum CopyBaseline {
    /// Streams every projection table's rows out (untimed) and COPYs them in chunks into
    /// empty `LIKE … INCLUDING ALL` copies on a second connection (timed).
    static func measure(_ tables: [(schema: String, table: String)], config: PostgresConfiguration) async throws -> (seconds: Double, rows: Int) {
        let reader = try await PostgresConnection.connect(config)
        let writer = try await PostgresConnection.connect(config)
        defer { reader.close(); writer.close() }
        return try await reader.withSession { s in
            try writer.withSessionBlocking { w in _ = try w.execute("DROP SCHEMA IF EXISTS bench_copy CASCADE; CREATE SCHEMA bench_copy") }
            var seconds = 0.0, rows = 0
            let clock = ContinuousClock()
            for (schema, table) in tables {
                let columns = try SchemaCatalog.columns(schema, table, session: s)
                let target = SchemaCatalog.qualified("bench_copy", table)
                try writer.withSessionBlocking { w in _ = try w.execute("CREATE TABLE \(target) (LIKE \(SchemaCatalog.qualified(schema, table)) INCLUDING ALL)") }
                let copy = "COPY \(target) (\(columns.map(PostgresSession.quoteIdentifier).joined(separator: ", "))) FROM STDIN"
                var chunk = CopyTextWriter(reservingCapacity: 1 << 22)
                func flush() throws {
                    guard !chunk.isEmpty else { return }
                    let data = chunk
                    let start = clock.now
                    try writer.withSessionBlocking { w in _ = try w.copyIn(copy, text: data) }
                    let d = start.duration(to: clock.now)
                    seconds += d / .seconds(1)
                    chunk = CopyTextWriter(reservingCapacity: 1 << 22)
                }
                try s.forEachRow("SELECT \(columns.map { PostgresSession.quoteIdentifier($0) + "::text" }.joined(separator: ", ")) FROM \(SchemaCatalog.qualified(schema, table))") { r in
                    for i in columns.indices { chunk.add(r.string(i)) }
                    chunk.endRow()
                    rows += 1
                    if chunk.rowCount >= 50_000 { try flush() }
                }
                try flush()
            }
            return (seconds, rows)
        }
    }
}
