import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import Projections
import ProviderSamples
import Replay

/// Shared set-up for replay tests: a realistic generated log appended like ingestion does
/// (per stream, in batches), and table dumps to compare states exactly.
enum ReplayFixture {
    /// A small household: three bank accounts, ten transactions a day, Trading212 on top.
    static let household = HouseholdLog(seed: 7, start: "2023-01-01", bankAccounts: 3, transactionsPerAccountPerDay: 10)

    /// Appends events `range` of the generated log (positions follow append order), in
    /// per-stream batches of up to `batch` events, flushing every stream at the end.
    static func append(_ range: Range<Int>, to log: EventLog, batch: Int = 200) async throws {
        var buffers: [String: [NewEvent]] = [:]
        var order: [String] = []
        let run = UUID()
        for (i, sample) in household.enumerated() {
            if i >= range.upperBound { break }
            guard i >= range.lowerBound else { continue }
            let e = NewEvent(type: EventType(sample.type), json: sample.payload, occurredAt: sample.occurredAt, correlationID: run, metadata: ["run_id": .string(run.uuidString.lowercased())])
            if buffers[sample.stream] == nil { order.append(sample.stream) }
            buffers[sample.stream, default: []].append(e)
            if buffers[sample.stream]!.count == batch {
                _ = try await log.append(buffers.removeValue(forKey: sample.stream)!, to: sample.stream)
            }
        }
        for stream in order { if let b = buffers[stream], !b.isEmpty { _ = try await log.append(b, to: stream) } }
    }

    /// A hand-written log whose positions the test names: each `(stream, type, payload, run)`
    /// appended alone, in list order (so the n-th entry is position n), at one fixed time.
    static func append(known events: [(String, String, JSONValue, UUID)], to log: EventLog) async throws {
        for (stream, type, json, run) in events {
            _ = try await log.append([NewEvent(type: EventType(type), json: json, occurredAt: Date(timeIntervalSince1970: 1_709_280_000), correlationID: run)], to: stream)
        }
    }

    /// Every row of every table of `projections` in `schema`, as sorted row texts.
    static func dump(_ projections: [any Projection], schema: String? = nil, connection: PostgresConnection) async throws -> [String: [String]] {
        try await connection.withSession { s in
            var out: [String: [String]] = [:]
            for p in projections {
                for table in p.tables {
                    let sch = schema ?? p.liveSchema
                    out[table] = try s.query("SELECT t::text FROM \(SchemaCatalog.qualified(sch, table)) t ORDER BY 1").rows.map { $0.string(0)! }
                }
            }
            return out
        }
    }

    /// Appends events `range` of the generated log, catches the live projections up, and
    /// returns the live tables' dump: the state a rebuild must leave unchanged.
    static func liveState(_ range: Range<Int>, connection: PostgresConnection) async throws -> [String: [String]] {
        try await append(range, to: EventLog(connection: connection))
        try await catchUpLive(connection)
        return try await dump(ProjectionCatalog.all, connection: connection)
    }

    /// Catches the live projections up in small batches, as a long-running `project --follow` would.
    static func catchUpLive(_ connection: PostgresConnection, batchSize: Int = 500) async throws {
        let results = try await ProjectionRunner(connection: connection).catchUp(ProjectionCatalog.liveTargets, batchSize: batchSize)
        for r in results where r.outcome != .caughtUp { throw ReplayError(code: .foldFailed, message: "live \(r.projection): \(r.outcome) \(r.error.map { "\($0)" } ?? "")") }
    }

    static func checkpoint(_ projection: String, schema: String, connection: PostgresConnection) async throws -> Int64? {
        try await connection.withSession { s in
            let r = try s.query("SELECT position FROM projections.checkpoints WHERE projection = $1 AND target_schema = $2", [.text(projection), .text(schema)])
            return r.count == 1 ? r[0].int64(0) : nil
        }
    }
}
