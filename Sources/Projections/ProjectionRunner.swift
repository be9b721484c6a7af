import CanonicalJSON
import EventLog
import Foundation
import Postgres

/// A projection and the schema it writes to for this run.
public struct ProjectionTarget: Sendable {
    public var projection: any Projection
    public var schema: String

    public init(_ projection: any Projection, schema: String? = nil) {
        self.projection = projection
        self.schema = schema ?? projection.liveSchema
    }
}

/// What one catch-up did for one target.
public struct CatchUpResult: Sendable {
    public enum Outcome: Sendable, Equatable {
        /// Caught up to the requested position.
        case caughtUp
        /// Stopped at an event it cannot apply (see `error`).
        case failed
        /// Its tables were built by another version of the projection: rebuild it.
        case needsRebuild(storedVersion: Int)
        /// Another runner holds it right now.
        case busy
    }
    public var projection: String
    public var schema: String
    public var outcome: Outcome
    public var position: Int64
    public var eventsApplied: Int
    public var error: ProjectionError? = nil
    /// The events this catch-up parked for the target (see ``ParkedEvent``), oldest first.
    public var parked: [ParkedEvent] = []

    public init(projection: String, schema: String, outcome: Outcome, position: Int64, eventsApplied: Int, error: ProjectionError? = nil, parked: [ParkedEvent] = []) {
        self.projection = projection
        self.schema = schema
        self.outcome = outcome
        self.position = position
        self.eventsApplied = eventsApplied
        self.error = error
        self.parked = parked
    }
}

/// Progress of a catch-up, for progress displays.
public struct CatchUpProgress: Sendable {
    public var position: Int64
    public var head: Int64
    public var eventsRead: Int
}

/// Folds the log into projections, committing each projection's writes and its new
/// checkpoint in one transaction: a crash at any point leaves every table consistent
/// with its checkpoint, and re-running never applies an event twice.
///
/// Events are read once per batch, decoded and parsed once, and handed to every
/// projection that consumes them. An event a projection cannot apply (a value it cannot
/// normalise, a payload that cannot be decoded) is parked for that projection and the fold
/// goes on past it (``ParkedEvent``); only a failure that is not the events' own (a lost
/// connection, a full disk) stops a projection at its checkpoint, with the error recorded
/// against it, while the others go on.
public struct ProjectionRunner: Sendable {
    public let connection: PostgresConnection
    public let dictionaries: DictionaryStore
    /// Extra connections. With them, each batch is still read and parsed once, then the
    /// projections apply their shares concurrently, one connection each (folding is half
    /// finsync's CPU, half the server's: this keeps both busy).
    public let workers: [PostgresConnection]

    public init(connection: PostgresConnection, dictionaries: DictionaryStore = DictionaryStore(), workers: [PostgresConnection] = []) {
        self.connection = connection
        self.dictionaries = dictionaries
        self.workers = workers
    }

    public func catchUp(_ targets: [ProjectionTarget], upTo: Int64? = nil, batchSize: Int = EventLog.defaultBatchSize,
                        onProgress: (@Sendable (CatchUpProgress) -> Void)? = nil) async throws -> [CatchUpResult] {
        let dictionaries = self.dictionaries
        if !workers.isEmpty && targets.count > 1 {
            return try await catchUpConcurrently(targets, upTo: upTo, batchSize: batchSize, onProgress: onProgress)
        }
        return try await connection.withSession { s in
            try ProjectionRunner.catchUp(targets, upTo: upTo, batchSize: batchSize, session: s, dictionaries: dictionaries, onProgress: onProgress)
        }
    }

    /// Folds the targets batch by batch, each batch applied to every target concurrently
    /// on its own connection. While a batch is applied, the next one is already read and
    /// parsed on the reader's connection (the targets' connections are busy writing), on
    /// the assumption that every target reaches the batch's end; when one does not (an
    /// error, a busy checkpoint) that read is thrown away and the batch read again.
    func catchUpConcurrently(_ targets: [ProjectionTarget], upTo: Int64?, batchSize: Int,
                             onProgress: (@Sendable (CatchUpProgress) -> Void)?) async throws -> [CatchUpResult] {
        let dictionaries = self.dictionaries, connection = self.connection
        // The reader's connection writes only when there are more targets than workers.
        let pool = workers + [connection]
        var state = try await connection.withSession { s in try FoldState(targets, upTo: upTo, session: s) }
        @Sendable func readNext(_ from: FoldState) async throws -> ReadAhead.Outcome {
            try await connection.withSession { s in
                var next = from
                let batch = try next.nextBatch(targets, batchSize: batchSize, session: s, dictionaries: dictionaries)
                return ReadAhead.Outcome(batch: batch, active: next.active)
            }
        }
        // The read of the batch after the one being applied. One that is not used is still
        // awaited, so none outlives this call on the connection.
        var readAhead: ReadAhead? = nil
        do {
            while true {
                let read: ReadAhead.Outcome
                if let ahead = readAhead, ahead.holds(for: state) {
                    read = try await ahead.task.value
                } else {
                    if let ahead = readAhead { _ = try? await ahead.task.value }
                    read = try await readNext(state)
                }
                readAhead = nil
                state.active = read.active
                guard let batch = read.batch else { break }
                let assumed = state.assumingAllReach(batch)
                readAhead = ReadAhead(assumed: assumed, task: Task { try await readNext(assumed) })
                let applied = try await withThrowingTaskGroup(of: (Int, CatchUpResult).self) { group in
                    for (slot, i) in state.active.enumerated() {
                        let conn = pool[slot % pool.count], target = targets[i], result = state.results[i], head = state.head
                        group.addTask {
                            (i, try await conn.withSession { s in try ProjectionRunner.applyTarget(target, batch: batch, result: result, head: head, session: s) })
                        }
                    }
                    var out: [(Int, CatchUpResult)] = []
                    for try await x in group { out.append(x) }
                    return out
                }
                // Recorded whether or not anyone watches (an optional call skips its arguments).
                let progress = state.record(applied, of: batch)
                onProgress?(progress)
            }
        } catch {
            _ = try? await readAhead?.task.value
            throw error
        }
        return state.results
    }

    /// Creates the target's schema, tables and checkpoint row when missing.
    ///
    /// A target that has its checkpoint row and all its tables is left alone, without
    /// running any DDL: `CREATE INDEX IF NOT EXISTS` takes a SHARE lock on its table even
    /// when the index exists, so re-running the DDL at every catch-up queued behind any open
    /// write to the table and could deadlock with a second runner. A projection's DDL is
    /// part of its version: a new version is rebuilt into freshly created tables.
    public static func prepare(_ target: ProjectionTarget, session s: PostgresSession) throws {
        if try isPrepared(target, session: s) { return }
        try s.transaction { t in
            _ = try t.execute("CREATE SCHEMA IF NOT EXISTS \(PostgresSession.quoteIdentifier(target.schema))")
            try target.projection.createTables(in: ProjectionContext(session: t, schema: target.schema))
            _ = try t.query("INSERT INTO projections.checkpoints (projection, target_schema, version) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
                            [.text(target.projection.name), .text(target.schema), PostgresParameter(target.projection.version)])
        }
    }

    /// Whether the target has its checkpoint row and every one of its tables (read from the
    /// catalogue without taking any lock).
    static func isPrepared(_ target: ProjectionTarget, session s: PostgresSession) throws -> Bool {
        try s.query("""
            SELECT EXISTS (SELECT 1 FROM projections.checkpoints WHERE projection = $1 AND target_schema = $2)
               AND NOT EXISTS (SELECT 1 FROM unnest($3::text[]) t WHERE to_regclass(format('%I.%I', $2::text, t)) IS NULL)
            """, [.text(target.projection.name), .text(target.schema), .textArray(target.projection.tables)], prepare: true)[0].bool(0) ?? false
    }

    /// Where a target's checkpoint stands, and which code version built its tables.
    public struct Checkpoint: Sendable, Hashable {
        public var position: Int64
        public var version: Int
    }

    /// The target's checkpoint (position 0 with the code's version when it has none yet).
    public static func checkpoint(_ target: ProjectionTarget, session s: PostgresSession) throws -> Checkpoint {
        let r = try s.query("SELECT position, version FROM projections.checkpoints WHERE projection = $1 AND target_schema = $2",
                            [.text(target.projection.name), .text(target.schema)])
        guard r.count == 1 else { return Checkpoint(position: 0, version: target.projection.version) }
        guard let position = r[0].int64(0), let version = r[0].int64(1) else {
            throw ProjectionError(code: .malformedPayload, message: "projections.checkpoints has a NULL position or version", projection: target.projection.name)
        }
        return Checkpoint(position: position, version: Int(version))
    }

    /// Synchronous catch-up on an open session (used by rebuilds and replays too).
    public static func catchUp(_ targets: [ProjectionTarget], upTo: Int64? = nil, batchSize: Int = EventLog.defaultBatchSize, session s: PostgresSession,
                               dictionaries: DictionaryStore, onProgress: (@Sendable (CatchUpProgress) -> Void)? = nil) throws -> [CatchUpResult] {
        var state = try FoldState(targets, upTo: upTo, session: s)
        while let batch = try state.nextBatch(targets, batchSize: batchSize, session: s, dictionaries: dictionaries) {
            let applied = try state.active.map { i in (i, try applyTarget(targets[i], batch: batch, result: state.results[i], head: state.head, session: s)) }
            let progress = state.record(applied, of: batch)
            onProgress?(progress)
        }
        return state.results
    }

    /// One batch of the log, decoded and parsed once for every projection.
    public struct Batch: Sendable {
        public var events: [ProjectedEvent]
        /// The last position this batch covers (the head, when it is the last batch).
        public var scannedTo: Int64
        /// The events of the batch that could not be decoded (each projection reading their
        /// type parks them).
        public var undecodable: [Undecodable]
        public var count: Int
    }

    /// An event of a batch whose payload could not be decompressed or parsed.
    public struct Undecodable: Sendable {
        public var position: Int64
        public var type: String
        public var message: String
    }

    /// Applies one target's share of `batch` (in its own transaction on `s`, or a savepoint
    /// of the caller's) and returns its updated result.
    ///
    /// Events the target cannot apply are parked and the rest applied: an undecodable
    /// payload or one with a ``ProjectedEvent/defect`` is parked before any SQL runs; an
    /// event the projection refuses (a ``ProjectionError`` naming it) is parked and the batch
    /// applied again without it; a value PostgreSQL refuses (a data exception or a broken
    /// constraint, which validation in Swift should already have caught) is traced to its
    /// event by folding ever shorter prefixes of the batch. Each parked event is excluded
    /// exactly as if the batch had ended before it and the next begun after it, and the fold
    /// does not depend on batch boundaries, so the result is the same for any batch size.
    /// Any other failure (the connection, a lock, the disk) applies nothing of the batch and
    /// stops the target where it was, with the error recorded against its checkpoint.
    static func applyTarget(_ t: ProjectionTarget, batch: Batch, result: CatchUpResult, head: Int64, session s: PostgresSession) throws -> CatchUpResult {
        var r = result
        let from = r.position
        let wanted = t.projection.eventTypes
        var parked: [ParkedEvent] = []
        for bad in batch.undecodable where bad.position > from && wanted.contains(bad.type) {
            parked.append(ParkedEvent(ProjectionError(code: .undecodable, message: bad.message), target: t, position: bad.position, eventType: bad.type))
        }
        var events: [ProjectedEvent] = []
        events.reserveCapacity(batch.events.count)
        for e in batch.events where e.position > from && wanted.contains(e.type) {
            let read = t.projection.versions(of: e.type)
            if !read.contains(e.event.type.version) {
                parked.append(ParkedEvent(.unknownSchemaVersion(e.event, reads: read), target: t, position: e.position, eventType: e.type))
            } else if let defect = e.defect {
                parked.append(ParkedEvent(ProjectionError(code: .malformedPayload, message: defect), target: t, position: e.position, eventType: e.type))
            } else {
                events.append(e)
            }
        }
        while true {
            do {
                guard try applyBatch(events, parking: parked, to: t, from: from, to: batch.scannedTo, session: s) else {
                    r.outcome = .busy
                    r.position = head
                    return r
                }
                r.position = batch.scannedTo
                r.eventsApplied += events.count
                r.parked += parked.sorted { $0.position < $1.position }
                return r
            } catch {
                if let (index, refusal) = try culprit(of: error, in: events, target: t, session: s) {
                    parked.append(ParkedEvent(refusal, target: t, position: events[index].position, eventType: events[index].type))
                    events.remove(at: index)
                    continue
                }
                var failure = (error as? ProjectionError) ?? ProjectionError(code: .applyFailed, message: "\(error)")
                failure.projection = t.projection.name
                try recordError(failure, target: t, session: s)
                r.outcome = .failed
                r.error = failure
                return r
            }
        }
    }

    /// Which event of `events` made applying them fail with `error`, and why — or nil when
    /// the failure is not the events' own (see ``isCausedByData(_:)``) or cannot be
    /// reproduced by applying them again.
    static func culprit(of error: any Error, in events: [ProjectedEvent], target: ProjectionTarget,
                        session s: PostgresSession) throws -> (index: Int, error: ProjectionError)? {
        guard isCausedByData(error), !events.isEmpty else { return nil }
        if let e = error as? ProjectionError, let p = e.position, let index = events.firstIndex(where: { $0.position == p }) {
            return (index, e)
        }
        // Fold prefixes (rolled back each time) to find the shortest that fails.
        struct Probed: Error {}
        func refusal(applyingFirst k: Int) throws -> ProjectionError? {
            do {
                try s.transaction { t in
                    try target.projection.apply(Array(events[..<k]), in: ProjectionContext(session: t, schema: target.schema))
                    throw Probed()
                }
                return nil
            } catch is Probed {
                return nil
            } catch let e as ProjectionError {
                return e
            } catch let e as PostgresError where isCausedByData(e) {
                return ProjectionError(code: .malformedPayload, message: "PostgreSQL refused a value [\(e.sqlState ?? "")]: \(e.message)\(e.detail.map { " — \($0)" } ?? "")")
            }
        }
        guard var failure = try refusal(applyingFirst: events.count) else { return nil }
        var low = 1, high = events.count
        while low < high {
            let mid = (low + high) / 2
            if let f = try refusal(applyingFirst: mid) { failure = f; high = mid } else { low = mid + 1 }
        }
        if let p = failure.position, let index = events.firstIndex(where: { $0.position == p }) { return (index, failure) }
        return (low - 1, failure)
    }

    /// Whether `error` comes from what an event holds rather than from the database or the
    /// connection: a projection's own refusal, or PostgreSQL's data exceptions (class 22)
    /// and integrity violations (class 23). Only these park an event; anything else (a lost
    /// connection, a lock or serialisation failure, a full disk) must never skip one.
    static func isCausedByData(_ error: any Error) -> Bool {
        if error is ProjectionError { return true }
        if let pg = error as? PostgresError, let state = pg.sqlState { return state.hasPrefix("22") || state.hasPrefix("23") }
        return false
    }

    /// Applies `events`, records `parked`, and moves the checkpoint from `from` to `to`, in
    /// one transaction (a savepoint inside a caller's). Returns false, having written
    /// nothing, when another runner holds the target or has moved its checkpoint since it
    /// was read (e.g. a rebuild swapped in newer tables): that is not an error of the
    /// projection, and the next pass goes on from the new checkpoint.
    static func applyBatch(_ events: [ProjectedEvent], parking parked: [ParkedEvent] = [], to target: ProjectionTarget, from: Int64, to: Int64,
                           session s: PostgresSession) throws -> Bool {
        struct CheckpointMoved: Error {}
        let outermost = !s.isInTransaction
        do {
            return try s.transaction { t in
                // Projections are derived data and their checkpoint commits with their rows:
                // a crash can lose the latest batches but never leave them inconsistent, and
                // they are folded again from the checkpoint. So they need not wait for fsync.
                // (Not inside a caller's transaction, e.g. a rebuild's swap, whose commit must.)
                if outermost { _ = try t.execute("SET LOCAL synchronous_commit = off") }
                let lock = try t.query("SELECT pg_try_advisory_xact_lock(\(lockKeySQL))", [.text(target.projection.name), .text(target.schema)])
                guard lock[0].bool(0) == true else { return false }
                if !events.isEmpty {
                    try target.projection.apply(events, in: ProjectionContext(session: t, schema: target.schema))
                }
                try ParkedEvent.record(parked, session: t)
                let moved = try t.query("""
                    UPDATE projections.checkpoints SET position = $3, updated_at = now(), last_error = NULL, error_position = NULL, error_event_type = NULL
                    WHERE projection = $1 AND target_schema = $2 AND position = $4
                    """, [.text(target.projection.name), .text(target.schema), PostgresParameter(to), PostgresParameter(from)], prepare: true)
                guard moved.affectedRows == 1 else { throw CheckpointMoved() }  // rolls the batch back
                return true
            }
        } catch is CheckpointMoved {
            return false
        }
    }

    /// The SQL of a target's advisory lock key, from `$1` (projection) and `$2` (schema):
    /// runners try-lock it around each batch; a rebuild's swap takes it to keep them out.
    public static let lockKeySQL = "hashtext('finsync.projection:' || $1 || '@' || $2)"

    static func recordError(_ e: ProjectionError, target: ProjectionTarget, session s: PostgresSession) throws {
        _ = try s.query("UPDATE projections.checkpoints SET last_error = $3, error_position = $4, error_event_type = $5, updated_at = now() WHERE projection = $1 AND target_schema = $2",
                        [.text(target.projection.name), .text(target.schema), .text(e.description), PostgresParameter(e.position), PostgresParameter(e.eventType)])
    }
}
