import EventLog
import Foundation
import Postgres
import Projections

/// Folds targets up to a position in chunks through a ``ProjectionRunner`` (so on its
/// worker connections too), so that it can stop cleanly between chunks, report progress,
/// and take snapshots at exact multiples of the snapshot interval (pruning them to the
/// policy's limit as it goes). Every batch commits with
/// its checkpoint, so a fold stopped at any point (error, cancellation, kill) resumes from
/// its checkpoints.
struct FoldDriver: Sendable {
    var batchSize: Int
    /// When to take snapshots and how many to keep.
    var snapshots: SnapshotPolicy
    var runner: ProjectionRunner
    var shouldContinue: @Sendable () -> Bool
    var onProgress: (@Sendable (FoldProgress) -> Void)?

    /// The runner's connections: the main one first.
    var pool: [PostgresConnection] { [runner.connection] + runner.workers }

    /// Folds `targets` up to `upTo`; returns the number of log positions scanned.
    @discardableResult
    func fold(_ targets: [ProjectionTarget], upTo: Int64) async throws -> Int64 {
        var positions = try await runner.connection.withSession { s in try targets.map { try ProjectionRunner.checkpoint($0, session: s).position } }
        let start = positions.min() ?? upTo
        let clock = ContinuousClock()
        let began = clock.now
        let chunk = Int64(max(batchSize, 1)) * 10
        // The interval in force: the policy's, doubled as often as the log (or the newest
        // snapshot) needs to stay within the limit.
        let reach = try await snapshots.takesSnapshots ? max(upTo, newestSnapshot(of: targets)) : upTo
        let snapshotEvery = snapshots.interval(reaching: reach)
        let progress = onProgress
        while let low = positions.min(), low < upTo {
            guard shouldContinue() else {
                throw ReplayError(code: .cancelled, message: "stopped at position \(low) of \(upTo); the live tables are untouched and a re-run resumes from here")
            }
            var stop = min(upTo, low + chunk)
            if snapshotEvery > 0 { stop = min(stop, (low / snapshotEvery + 1) * snapshotEvery) }
            let results = try await runner.catchUp(targets, upTo: stop, batchSize: batchSize) { p in
                let elapsed = began.duration(to: clock.now)
                progress?(FoldProgress(position: p.position, target: upTo, eventsFolded: p.position - start,
                                       elapsedSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
            }
            for r in results {
                switch r.outcome {
                case .caughtUp: break
                case .failed:
                    throw ReplayError(code: .foldFailed, message: r.error.map { "\($0)" } ?? "stopped at position \(r.position)", projection: r.projection, schema: r.schema)
                case .busy:
                    throw ReplayError(code: .busy, message: "another runner holds this target; try again when it has finished", projection: r.projection, schema: r.schema)
                case .needsRebuild(let v):
                    throw ReplayError(code: .foldFailed, message: "the tables in this schema were built by version \(v) of the projection; drop them first", projection: r.projection, schema: r.schema)
                }
            }
            positions = results.map(\.position)
            if (positions.min() ?? upTo) <= low {
                throw ReplayError(code: .invalidPoint, message: "the fold made no progress past position \(low): the log ends before \(upTo)")
            }
            if snapshotEvery > 0, stop > 0, stop % snapshotEvery == 0 {
                let due = zip(targets, positions).filter { $0.1 == stop }.map(\.0)
                try await takeSnapshots(of: due, at: stop, reaching: reach)
            }
        }
        let elapsed = began.duration(to: clock.now)
        onProgress?(FoldProgress(position: upTo, target: upTo, eventsFolded: upTo - start,
                                 elapsedSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
        return upTo - start
    }

    /// Snapshots each target, one connection each (they are independent copies), then drops
    /// that projection's snapshots the policy no longer keeps.
    func takeSnapshots(of targets: [ProjectionTarget], at position: Int64, reaching reach: Int64) async throws {
        let pool = self.pool
        let policy = snapshots
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (i, t) in targets.enumerated() {
                let conn = pool[i % pool.count]
                group.addTask {
                    try await conn.withSession { s in
                        _ = try SnapshotStore.take(t.projection, from: t.schema, at: position, session: s)
                        try SnapshotStore.prune(t.projection, policy: policy, reaching: reach, session: s)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// The newest snapshot position of any target's projection (current versions), 0 if none.
    func newestSnapshot(of targets: [ProjectionTarget]) async throws -> Int64 {
        try await runner.connection.withSession { s in
            try targets.map { try SnapshotStore.newest($0.projection, session: s) ?? 0 }.max() ?? 0
        }
    }
}
