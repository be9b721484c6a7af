import EventLog
import Postgres

/// Where one catch-up stands: every target's result so far, which targets still fold, the
/// position they fold up to and how many events have been read. The runner's sequential and
/// concurrent loops both step through it, so they fold the same way.
struct FoldState: Sendable {
    /// One per target, in the targets' order.
    var results: [CatchUpResult]
    /// Indices (into the targets and ``results``) of the targets still folding.
    var active: [Int]
    /// Where this catch-up stops: the requested position or the log's head, whichever is lower.
    let head: Int64
    var eventsRead = 0

    /// Prepares every target and reads its checkpoint; a target whose tables another version
    /// of its projection built is reported as needing a rebuild and does not fold.
    init(_ targets: [ProjectionTarget], upTo: Int64?, session s: PostgresSession) throws {
        var results: [CatchUpResult] = []
        var active: [Int] = []
        for (i, t) in targets.enumerated() {
            try ProjectionRunner.prepare(t, session: s)
            let c = try ProjectionRunner.checkpoint(t, session: s)
            results.append(CatchUpResult(projection: t.projection.name, schema: t.schema, outcome: .caughtUp, position: c.position, eventsApplied: 0))
            if c.version != t.projection.version {
                results[i].outcome = .needsRebuild(storedVersion: c.version)
            } else {
                active.append(i)
            }
        }
        self.results = results
        self.active = active
        head = min(upTo ?? Int64.max, try EventLog.headPosition(session: s))
    }

    /// The next batch for the active targets (those already at ``head`` stop folding), read
    /// and decoded once for all of them; nil when every one is at ``head``.
    mutating func nextBatch(_ targets: [ProjectionTarget], batchSize: Int, session s: PostgresSession,
                            dictionaries: DictionaryStore) throws -> ProjectionRunner.Batch? {
        guard batchSize >= 1 else { throw ProjectionError(code: .invalidOption, message: "the batch size must be at least 1 (got \(batchSize))") }
        active = active.filter { results[$0].position < head }
        guard let from = active.map({ results[$0].position }).min() else { return nil }
        let types = active.reduce(into: Set<String>()) { $0.formUnion(targets[$1].projection.eventTypes) }
        let rows = try EventLog.readBatch(after: from, upTo: head, limit: batchSize, types: types, session: s, dictionaries: dictionaries)
        let last = rows.last?.position ?? head
        var batch = ProjectionRunner.Batch(events: [], scannedTo: rows.count < batchSize ? head : last, undecodable: [], count: rows.count)
        batch.events.reserveCapacity(rows.count)
        for e in rows {
            do { batch.events.append(try ProjectedEvent(decoding: e)) } catch {
                batch.undecodable.append(ProjectionRunner.Undecodable(position: e.position, type: e.type.name, message: "\(error)"))
            }
        }
        return batch
    }

    /// Records what applying `batch` did to each active target (target index, new result);
    /// a target that did not catch up (failed, busy) stops folding. Returns the progress.
    mutating func record(_ applied: [(Int, CatchUpResult)], of batch: ProjectionRunner.Batch) -> CatchUpProgress {
        for (i, r) in applied { results[i] = r }
        active = active.filter { results[$0].outcome == .caughtUp }
        eventsRead += batch.count
        return CatchUpProgress(position: batch.scannedTo, head: head, eventsRead: eventsRead)
    }

    /// This state as it will be once every active target has applied `batch`: what a read
    /// ahead of the batch being applied assumes.
    func assumingAllReach(_ batch: ProjectionRunner.Batch) -> FoldState {
        var next = self
        for i in active { next.results[i].position = max(next.results[i].position, batch.scannedTo) }
        return next
    }
}

/// The concurrent runner's read of the next batch, started while the current one is applied,
/// with the state it assumed.
struct ReadAhead: Sendable {
    /// The batch read (nil: every target was at the head) and the targets still folding.
    struct Outcome: Sendable {
        var batch: ProjectionRunner.Batch?
        var active: [Int]
    }

    let assumed: FoldState
    let task: Task<Outcome, Error>

    /// Whether the read's assumption held: the same targets still fold, each where it assumed.
    func holds(for state: FoldState) -> Bool {
        assumed.active == state.active && state.active.allSatisfy { state.results[$0].position == assumed.results[$0].position }
    }
}
