import CanonicalJSON
import EventLog
import Foundation
import Postgres
import Projections

/// One event in a row's history, for `finsync explain`.
public struct ExplainedEvent: Sendable {
    public var position: Int64
    public var type: String
    public var stream: String
    public var streamVersion: Int64
    /// The ingestion run (`correlation_id`).
    public var run: UUID?
    public var recordedAt: Date
    /// The decoded payload, canonical JSON, cut to a readable length.
    public var excerpt: String
}

/// The answer to `finsync explain TABLE KEY…`.
public struct Explanation: Sendable {
    public var projection: String
    public var schema: String
    public var table: String
    /// The row as it stands (column → text), NULL columns absent.
    public var row: [String: String]
    public var columns: [String]
    /// Oldest first.
    public var events: [ExplainedEvent]
}

/// Finds the events that produced or changed a row, through the owning projection's
/// ``ProjectionLineage``: candidates are read from the log by stream (or by type),
/// decoded, and narrowed by the lineage's own selection.
public struct Explainer: Sendable {
    public let connection: PostgresConnection
    public let dictionaries: DictionaryStore
    /// Longest excerpt, in characters.
    public var excerptLength = 240

    public init(connection: PostgresConnection, dictionaries: DictionaryStore = DictionaryStore()) {
        self.connection = connection
        self.dictionaries = dictionaries
    }

    /// Explains the row of `table` whose primary key is `key` (values in key order), in
    /// `schema` (the owner's live schema by default; a replay's scratch schema works too).
    /// `table` may be qualified (`analytics.daily_balances`).
    public func explain(table: String, key: [String], schema: String? = nil) async throws -> Explanation {
        var name = table, schemaName = schema
        if let dot = table.firstIndex(of: ".") { schemaName = schemaName ?? String(table[..<dot]); name = String(table[table.index(after: dot)...]) }
        guard let owner = ProjectionCatalog.all.first(where: { $0.tables.contains(name) }) else {
            throw ReplayError(code: .unknownTable, message: "no projection owns this table; tables: \(ProjectionCatalog.all.flatMap(\.tables).joined(separator: ", "))", table: name)
        }
        guard let lineage = owner as? any ProjectionLineage else {
            throw ReplayError(code: .noLineage, message: "this projection does not describe its lineage", projection: owner.name, table: name)
        }
        let inSchema = schemaName ?? owner.liveSchema
        let dictionaries = self.dictionaries, limit = excerptLength
        let tableName = name
        let found = try await connection.withSession { s -> (row: [String: String], columns: [String], source: RowLineage, upTo: Int64) in
            let pk = try SchemaCatalog.primaryKey(inSchema, tableName, session: s)
            guard !pk.isEmpty else { throw ReplayError(code: .unknownTable, message: "the table does not exist here or has no primary key", schema: inSchema, table: tableName) }
            guard pk.count == key.count else {
                throw ReplayError(code: .rowNotFound, message: "the key has \(pk.count) column(s) (\(pk.joined(separator: ", "))); \(key.count) value(s) given", schema: inSchema, table: tableName)
            }
            let columns = try SchemaCatalog.columns(inSchema, tableName, session: s)
            let cond = pk.enumerated().map { "\(PostgresSession.quoteIdentifier($0.element))::text = $\($0.offset + 1)" }.joined(separator: " AND ")
            let sel = columns.map { "\(PostgresSession.quoteIdentifier($0))::text" }.joined(separator: ", ")
            let r = try s.query("SELECT \(sel) FROM \(SchemaCatalog.qualified(inSchema, tableName)) WHERE \(cond)", key.map { .text($0) })
            guard r.count == 1 else {
                throw ReplayError(code: .rowNotFound, message: "no row with \(zip(pk, key).map { "\($0)=\($1)" }.joined(separator: ", "))", schema: inSchema, table: tableName)
            }
            var row: [String: String] = [:]
            for (i, c) in columns.enumerated() { if let v = r[0].string(i) { row[c] = v } }
            guard let source = try lineage.lineage(table: tableName, row: row, in: ProjectionContext(session: s, schema: inSchema)) else {
                throw ReplayError(code: .noLineage, message: "no lineage for this table", projection: owner.name, table: tableName)
            }
            // Only events the row's state has seen: up to its schema's checkpoint.
            let cp = try s.query("SELECT position FROM projections.checkpoints WHERE projection = $1 AND target_schema = $2", [.text(owner.name), .text(inSchema)])
            let upTo = cp.count == 1 ? (try cp[0].decode(Int64.self, 0)) : try EventLog.headPosition(session: s)
            return (row, columns, source, upTo)
        }
        let candidates = try await Self.candidates(found.source, upTo: found.upTo, log: EventLog(connection: connection, dictionaries: dictionaries))
        let events = found.source.select(candidates).map { e in
            let text = e.json.canonicalString
            return ExplainedEvent(position: e.position, type: e.type, stream: e.event.streamID, streamVersion: e.event.streamVersion, run: e.event.correlationID,
                                  recordedAt: e.event.recordedAt, excerpt: text.count > limit ? String(text.prefix(limit)) + "…" : text)
        }
        return Explanation(projection: owner.name, schema: inSchema, table: tableName, row: found.row, columns: found.columns, events: events)
    }

    /// The lineage's candidate events up to `upTo`, decoded, in position order: read by
    /// stream (the log's stream index) when the lineage names streams, else by type.
    static func candidates(_ source: RowLineage, upTo: Int64, log: EventLog) async throws -> [ProjectedEvent] {
        guard !source.eventTypes.isEmpty, source.streams.map({ !$0.isEmpty }) ?? true else { return [] }
        var found: [RecordedEvent] = []
        if let streams = source.streams {
            for stream in Set(streams).sorted() {
                var version: Int64 = 1
                while true {
                    let page = try await log.readStream(stream, fromVersion: version, limit: 10_000)
                    found += page.filter { $0.position <= upTo && source.eventTypes.contains($0.type.name) }
                    guard page.count == 10_000, let last = page.last else { break }
                    version = last.streamVersion + 1
                }
            }
            found.sort { $0.position < $1.position }
        } else {
            for try await batch in log.events(after: 0, upTo: upTo, batchSize: EventLog.defaultBatchSize, types: source.eventTypes) { found += batch }
        }
        return try found.map { e in
            do { return try ProjectedEvent(decoding: e) } catch {
                throw ReplayError(code: .foldFailed, message: "event \(e.position) (\(e.type.name)) cannot be decoded: \(error)")
            }
        }
    }
}
