import CanonicalJSON
import Foundation
import Postgres
import Synchronization

/// The append-only event log in PostgreSQL (`eventlog.events`).
///
/// Guarantees:
/// - **Dense, commit-ordered positions.** Appends serialise on the single `eventlog.head`
///   row, which they lock before reading any state and hold until commit. A position is
///   therefore only handed out once every lower position has committed, and a reader that
///   has seen position P can never later find an event below P: no skipped events.
/// - **Optimistic concurrency per stream** with ``ExpectedVersion``.
/// - **Idempotent appends**: an event whose id or content key is stored appends nothing
///   and is reported as a duplicate.
/// - **Immutability** enforced by PostgreSQL: triggers reject UPDATE, DELETE and TRUNCATE,
///   and the runtime role (`finsync_app`) has only SELECT and INSERT; it cannot alter or
///   drop the log, and a statement trigger checks every insert, once per statement, to take
///   exactly the positions after the head (which it then moves), so no position is chosen.
/// - **Compressed payloads**: LZ4 against per-type preset dictionaries kept in the
///   database, each event still individually addressable.
public struct EventLog: Sendable {
    public let connection: PostgresConnection
    public let dictionaries: DictionaryStore

    /// The channel notified (with the new head position) after each append.
    public static let notificationChannel = "finsync_events"
    /// Events read (and folded) per batch unless a caller says otherwise: the one default
    /// for reads, projection catch-ups, rebuilds, replays and `--batch-size`.
    public static let defaultBatchSize = 5_000

    public init(connection: PostgresConnection, dictionaries: DictionaryStore = DictionaryStore()) {
        self.connection = connection
        self.dictionaries = dictionaries
    }

    // MARK: Append

    /// Appends `events` to `stream` in one transaction.
    ///
    /// - Throws: ``EventLogError`` `.wrongExpectedVersion` when the stream is not at
    ///   `expectedVersion` (nothing is appended). A batch made only of duplicates succeeds
    ///   whatever the expected version, so retrying an append is safe.
    public func append(_ events: [NewEvent], to stream: String, expectedVersion: ExpectedVersion = .any) async throws -> AppendResult {
        let dictionaries = self.dictionaries
        return try await connection.withSession { session in
            try session.transaction { s in
                try EventLog.append(events, to: stream, expectedVersion: expectedVersion, session: s, dictionaries: dictionaries)
            }
        }
    }

    /// Appends inside a transaction the caller has already begun on `session`, so the
    /// events commit (or roll back) together with the caller's own writes.
    public static func append(_ events: [NewEvent], to stream: String, expectedVersion: ExpectedVersion, session: PostgresSession, dictionaries: DictionaryStore) throws -> AppendResult {
        guard !stream.isEmpty else { throw EventLogError(code: .invalidEvent, message: "stream id is empty") }
        if events.isEmpty {
            let v = try session.query("SELECT coalesce(max(stream_version), 0) FROM eventlog.events WHERE stream_id = $1", [.text(stream)])[0].int64(0) ?? 0
            guard expectedVersion.admits(v) else { throw EventLogError.wrongVersion(stream: stream, expected: expectedVersion, actual: v) }
            return AppendResult(appended: [], duplicates: [], streamVersion: v)
        }
        // Compress before taking the log's lock: it is the only CPU-heavy step.
        var byType: [String: [[UInt8]]] = [:]
        for e in events { byType[e.type.name, default: []].append(e.payload) }
        let dicts = try dictionaries.dictionaries(for: byType, session: session)
        let (keys, encoded) = encode(events, stream: stream, dictionaries: dicts)

        // Lock the head (serialising appenders; `eventlog.lock_head()` takes the row lock on
        // behalf of the runtime role, which has no UPDATE on it), then read the clock, the
        // duplicates and the stream's version, all in one round trip.
        let keyArray = PostgresParameter.binaryArray(elementOID: 17, keys.map(\.bytes))
        let r = try session.pipeline([
            ("SELECT last_position, last_recorded_at FROM eventlog.lock_head()", []),
            ("SELECT clock_timestamp()", []),
            ("SELECT event_id, content_key, position FROM eventlog.events WHERE content_key = ANY($1::bytea[])", [keyArray]),
            ("SELECT coalesce(max(stream_version), 0) FROM eventlog.events WHERE stream_id = $1", [.text(stream)]),
            ("SAVEPOINT finsync_append", []),
        ], binaryResult: true)
        let head = r[0][0].int64(0) ?? 0
        let lastRecorded = r[0][0].date(1) ?? .distantPast
        let recordedAt = max(r[1][0].date(0) ?? Date(), lastRecorded)
        var storedByKey: [ContentKey: Int64] = [:]
        var storedByID: [UUID: Int64] = [:]
        for row in r[2] {
            storedByID[try row.decode(UUID.self, 0)] = try row.decode(Int64.self, 2)
            storedByKey[ContentKey(bytes: try row.decode([UInt8].self, 1))] = try row.decode(Int64.self, 2)
        }
        let currentVersion = r[3][0].int64(0) ?? 0

        var fresh: [Int] = []
        var duplicates: [AppendResult.Duplicate] = []
        var batchKeys = Set<ContentKey>(), batchIDs = Set<UUID>()
        for (i, e) in events.enumerated() {
            if let p = storedByKey[keys[i]] ?? storedByID[e.eventID] {
                duplicates.append(.init(eventID: e.eventID, existingPosition: p))
            } else if batchKeys.contains(keys[i]) || batchIDs.contains(e.eventID) {
                duplicates.append(.init(eventID: e.eventID, existingPosition: nil))
            } else {
                batchKeys.insert(keys[i]); batchIDs.insert(e.eventID)
                fresh.append(i)
            }
        }
        if fresh.isEmpty { return AppendResult(appended: [], duplicates: duplicates, streamVersion: currentVersion) }
        guard expectedVersion.admits(currentVersion) else {
            throw EventLogError.wrongVersion(stream: stream, expected: expectedVersion, actual: currentVersion)
        }

        var copy = CopyBinaryWriter(reservingCapacity: fresh.reduce(256) { $0 + encoded[$1].bytes.count + stream.utf8.count + 200 })
        var appended: [AppendResult.Appended] = []
        appended.reserveCapacity(fresh.count)
        var lastMetadata: JSONValue = .null, lastMetadataBytes: [UInt8] = [110, 117, 108, 108]
        for (k, i) in fresh.enumerated() {
            let e = events[i], enc = encoded[i]
            let position = head + Int64(k) + 1, version = currentVersion + Int64(k) + 1
            copy.beginRow(fieldCount: 16)
            copy.append(int64: position)
            copy.append(text: stream)
            copy.append(int64: version)
            copy.append(uuid: e.eventID)
            copy.append(bytea: keys[i].bytes)
            copy.append(text: e.type.name)
            copy.append(int16: Int16(e.type.version))
            copy.append(uuid: e.causationID)
            copy.append(uuid: e.correlationID)
            copy.append(timestamp: e.occurredAt)
            copy.append(timestamp: recordedAt)
            if e.metadata != lastMetadata { lastMetadata = e.metadata; lastMetadataBytes = e.metadata.canonicalBytes }
            copy.append(jsonb: lastMetadataBytes)
            copy.append(int16: enc.encoding.rawValue)
            if let d = enc.dictionaryID { copy.append(int32: d) } else { copy.appendNull() }
            copy.append(int32: Int32(enc.rawSize))
            copy.append(bytea: enc.bytes)
            appended.append(.init(eventID: e.eventID, position: position, streamVersion: version))
        }
        // Event ids are fresh UUIDv7s, so a stored id with new content is rare: rather than
        // probing every id up front, let the unique index catch it and redo the batch
        // without the offending events.
        do {
            try session.copyIn(copySQL, copy)
        } catch let error as PostgresError where error.isUniqueViolation && (error.message.contains("events_event_id_key") || error.detail?.contains("event_id") == true) {
            _ = try session.execute("ROLLBACK TO SAVEPOINT finsync_append")
            let stored = try session.query("SELECT event_id FROM eventlog.events WHERE event_id = ANY($1::uuid[])", [.uuidArray(events.map(\.eventID))], binaryResult: true)
            let ids = Set(stored.rows.compactMap { $0.uuid(0) })
            let keep = events.indices.filter { !ids.contains(events[$0].eventID) }
            var redo = try append(keep.map { events[$0] }, to: stream, expectedVersion: expectedVersion, session: session, dictionaries: dictionaries)
            let byID = try Dictionary(stored.rows.map { (try $0.decode(UUID.self, 0), Int64?.none) }, uniquingKeysWith: { a, _ in a })
            redo.duplicates += events.filter { ids.contains($0.eventID) }.map { AppendResult.Duplicate(eventID: $0.eventID, existingPosition: byID[$0.eventID] ?? nil) }
            return redo
        }
        // The COPY's statement trigger (`eventlog.advance_head`, migration 0006) checked the
        // batch against the head once and moved the head to its last position.
        let newHead = head + Int64(fresh.count)
        _ = try session.pipeline([
            ("RELEASE SAVEPOINT finsync_append", []),
            ("SELECT pg_notify($1, $2)", [.text(notificationChannel), .text(String(newHead))]),
        ])
        return AppendResult(appended: appended, duplicates: duplicates, streamVersion: currentVersion + Int64(fresh.count))
    }

    /// Content keys and compressed payloads: the append's only CPU-heavy work, done
    /// before the log's lock is taken, split across the cores for large batches (the
    /// server is idle meanwhile).
    static func encode(_ events: [NewEvent], stream: String, dictionaries: [String: CompressionDictionary]) -> ([ContentKey], [EncodedPayload]) {
        let n = events.count
        let parts = n >= 256 ? min(ProcessInfo.processInfo.activeProcessorCount, 4) : 1
        if parts <= 1 { return encodeRange(events[...], stream: stream, dictionaries: dictionaries) }
        let chunk = (n + parts - 1) / parts
        let results = Mutex([(Int, [ContentKey], [EncodedPayload])]())
        DispatchQueue.concurrentPerform(iterations: parts) { p in
            let lo = p * chunk, hi = min(n, lo + chunk)
            guard lo < hi else { return }
            let (k, e) = encodeRange(events[lo..<hi], stream: stream, dictionaries: dictionaries)
            results.withLock { $0.append((p, k, e)) }
        }
        var keys: [ContentKey] = [], encoded: [EncodedPayload] = []
        keys.reserveCapacity(n); encoded.reserveCapacity(n)
        for (_, k, e) in results.withLock({ $0 }).sorted(by: { $0.0 < $1.0 }) { keys += k; encoded += e }
        return (keys, encoded)
    }

    static func encodeRange(_ events: ArraySlice<NewEvent>, stream: String, dictionaries: [String: CompressionDictionary]) -> ([ContentKey], [EncodedPayload]) {
        var compressor = PayloadCompressor()
        var keys: [ContentKey] = [], encoded: [EncodedPayload] = []
        keys.reserveCapacity(events.count); encoded.reserveCapacity(events.count)
        for e in events {
            keys.append(e.contentKey ?? ContentKey(stream: stream, type: e.type, canonicalPayload: e.payload))
            encoded.append(compressor.encode(e.payload, dictionary: dictionaries[e.type.name]))
        }
        return (keys, encoded)
    }

    static let copySQL = "COPY eventlog.events (position, stream_id, stream_version, event_id, content_key, event_type, schema_version, causation_id, correlation_id, occurred_at, recorded_at, metadata, codec, dictionary_id, raw_size, payload) FROM STDIN (FORMAT binary)"

    // MARK: Read

    static let columns = "position, stream_id, stream_version, event_id, content_key, event_type, schema_version, causation_id, correlation_id, occurred_at, recorded_at, metadata, codec, dictionary_id, raw_size, payload"

    /// Up to `limit` events after `position` (exclusive), at most up to `upTo` (inclusive),
    /// in position order; optionally only the given event types.
    public func readBatch(after position: Int64, upTo: Int64? = nil, limit: Int = EventLog.defaultBatchSize, types: Set<String>? = nil) async throws -> [RecordedEvent] {
        let dictionaries = self.dictionaries
        return try await connection.withSession { s in
            try EventLog.readBatch(after: position, upTo: upTo, limit: limit, types: types, session: s, dictionaries: dictionaries)
        }
    }

    /// Synchronous form of ``readBatch(after:upTo:limit:types:)`` on an open session.
    public static func readBatch(after position: Int64, upTo: Int64? = nil, limit: Int = EventLog.defaultBatchSize, types: Set<String>? = nil, session: PostgresSession, dictionaries: DictionaryStore) throws -> [RecordedEvent] {
        var sql = "SELECT \(columns) FROM eventlog.events WHERE position > $1 AND position <= $2"
        var params: [PostgresParameter] = [PostgresParameter(position), PostgresParameter(upTo ?? Int64.max)]
        if let types {
            sql += " AND event_type = ANY($4::text[])"
            params.append(contentsOf: [PostgresParameter(limit), .textArray(types.sorted())])
        } else {
            params.append(PostgresParameter(limit))
        }
        sql += " ORDER BY position LIMIT $3"
        let r = try session.query(sql, params, binaryResult: true, prepare: true)
        return try decodeRows(r, session: session, dictionaries: dictionaries)
    }

    /// Events of one stream from `version` (inclusive), in stream order.
    public func readStream(_ streamID: String, fromVersion version: Int64 = 1, limit: Int = 10_000) async throws -> [RecordedEvent] {
        let dictionaries = self.dictionaries
        return try await connection.withSession { s in
            let r = try s.query("SELECT \(EventLog.columns) FROM eventlog.events WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version LIMIT $3",
                                [.text(streamID), PostgresParameter(version), PostgresParameter(limit)], binaryResult: true)
            return try EventLog.decodeRows(r, session: s, dictionaries: dictionaries)
        }
    }

    /// The event at `position`, or nil.
    public func event(at position: Int64) async throws -> RecordedEvent? {
        try await readBatch(after: position - 1, upTo: position, limit: 1).first
    }

    /// All events after `position` (up to `upTo`), fetched in bounded batches.
    public func events(after position: Int64 = 0, upTo: Int64? = nil, batchSize: Int = EventLog.defaultBatchSize, types: Set<String>? = nil) -> EventBatches {
        EventBatches(log: self, after: position, upTo: upTo, batchSize: batchSize, types: types)
    }

    /// The newest committed position (0 for an empty log).
    public func headPosition() async throws -> Int64 {
        try await connection.withSession { try EventLog.headPosition(session: $0) }
    }

    public static func headPosition(session: PostgresSession) throws -> Int64 {
        try session.query("SELECT last_position FROM eventlog.head")[0].int64(0) ?? 0
    }

    /// The last position recorded at or before `date` (0 when none): the log as it stood then.
    /// Recorded-at times never decrease with position, so this is a clean cut of the log.
    public func position(recordedAtOrBefore date: Date) async throws -> Int64 {
        try await connection.withSession { s in
            try s.query("SELECT coalesce(max(position), 0) FROM eventlog.events WHERE recorded_at <= $1", [PostgresParameter(date)])[0].int64(0) ?? 0
        }
    }

    static func decodeRows(_ r: PostgresResult, session: PostgresSession, dictionaries: DictionaryStore) throws -> [RecordedEvent] {
        var ids = Set<Int32>()
        for row in r where !row.isNull(13) { ids.insert(Int32(try row.decode(Int64.self, 13))) }
        let dicts = ids.isEmpty ? [:] : try dictionaries.resolve(ids: ids, session: session)
        var out: [RecordedEvent] = []
        out.reserveCapacity(r.count)
        var lastStream: String? = nil, lastType: String? = nil
        for row in r {
            let position = try row.decode(Int64.self, 0)
            guard let stream = row.string(1, reusing: lastStream), let version = row.int64(2), let id = row.uuid(3), let key = row.bytes(4), key.count == 16,
                  let type = row.string(5, reusing: lastType), let schema = row.int64(6), let recorded = row.date(10), let codec = row.int64(12),
                  let raw = row.int64(14), let payload = row.bytes(15)
            else { throw EventLogError(code: .corruptPayload, message: "envelope has a missing or malformed column", position: position) }
            let dictID = row.isNull(13) ? nil : row.int64(13).map { Int32($0) }
            lastStream = stream; lastType = type
            // jsonb in binary format: a version byte, then the JSON text.
            let metadata = row.bytes(11, droppingFirst: 1) ?? [123, 125]
            out.append(RecordedEvent(position: position, streamID: stream, streamVersion: version, eventID: id, contentKey: ContentKey(bytes: key),
                                     type: EventType(type, version: Int(schema)), causationID: row.uuid(7), correlationID: row.uuid(8),
                                     occurredAt: row.date(9), recordedAt: recorded, metadataJSON: metadata, encoding: Int16(codec),
                                     dictionaryID: dictID, rawSize: Int(raw), storedPayload: payload, dictionary: dictID.flatMap { dicts[$0] }))
        }
        return out
    }
}

/// Batches of events in position order, read lazily with bounded memory.
///
/// While the caller works on one batch, the next is already being fetched on the
/// connection's own thread, so reading and decoding overlap; at most two batches are
/// held at once.
public struct EventBatches: AsyncSequence, Sendable {
    public typealias Element = [RecordedEvent]
    let log: EventLog
    let after: Int64
    let upTo: Int64?
    let batchSize: Int
    let types: Set<String>?

    public struct AsyncIterator: AsyncIteratorProtocol {
        let log: EventLog
        var cursor: Int64
        let upTo: Int64?
        let batchSize: Int
        let types: Set<String>?
        var done = false
        /// The read of the next batch, started while the consumer works on this one.
        let prefetch = Prefetch()

        func fetch(after position: Int64) -> Task<[RecordedEvent], any Error> {
            let (log, upTo, batchSize, types) = (self.log, self.upTo, self.batchSize, self.types)
            return Task {
                try Task.checkCancellation()  // dropped before it began: leave the connection alone
                return try await log.readBatch(after: position, upTo: upTo, limit: batchSize, types: types)
            }
        }

        public mutating func next() async throws -> [RecordedEvent]? {
            guard !done else { return nil }
            let pending = prefetch.task ?? fetch(after: cursor)
            prefetch.task = nil
            let batch = try await pending.value
            if batch.count < batchSize { done = true }
            guard let last = batch.last else { done = true; return nil }
            cursor = last.position
            if !done { prefetch.task = fetch(after: cursor) }
            return batch
        }
    }

    /// Holds the read ahead, and cancels it when the iterator goes away before using it (a
    /// consumer that stops early), so no read outlives the loop that wanted it.
    final class Prefetch {
        var task: Task<[RecordedEvent], any Error>?
        deinit { task?.cancel() }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(log: log, cursor: after, upTo: upTo, batchSize: batchSize, types: types)
    }
}
