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
        let projections = targets.map(\.projection)
        let reach = snapshots.takesSnapshots ? try await runner.connection.withSession { s in try SnapshotStore.reach(of: projections, from: upTo, session: s) } : upTo
        let snapshotEvery = snapshots.interval(reaching: reach)
        let progress = onProgress
        // Snapshots are copied in the background, on connections of their own, while the
        // fold goes on (each copy reads a REPEATABLE READ view fixed before the fold resumes);
        // at most one round is in flight, and all are finished before this returns.
        var snapshotConnections: [PostgresConnection] = []
        defer { snapshotConnections.forEach { $0.close() } }
        var round: Task<Void, Error>? = nil
        do {
            while let low = positions.min(), low < upTo {
                guard shouldContinue() else {
                    throw ReplayError(code: .cancelled, message: "stopped at position \(low) of \(upTo); the live tables are untouched and a re-run resumes from here")
                }
                var stop = min(upTo, low + chunk)
                if snapshotEvery > 0 { stop = min(stop, (low / snapshotEvery + 1) * snapshotEvery) }
                let results = try await runner.catchUp(targets, upTo: stop, batchSize: batchSize) { p in
                    let elapsed = began.duration(to: clock.now)
                    progress?(FoldProgress(position: p.position, target: upTo, eventsFolded: p.position - start,
                                           elapsedSeconds: elapsed / .seconds(1)))
                }
                for r in results { try r.requireCaughtUp() }
                positions = results.map(\.position)
                if (positions.min() ?? upTo) <= low {
                    throw ReplayError(code: .invalidPoint, message: "the fold made no progress past position \(low): the log ends before \(upTo)")
                }
                if snapshotEvery > 0, stop > 0, stop % snapshotEvery == 0 {
                    let due = zip(targets, positions).filter { $0.1 == stop }.map(\.0)
                    try await round?.value
                    round = nil
                    if snapshotConnections.count < due.count {
                        snapshotConnections += try await PostgresConnection.connect(runner.connection.configuration, count: due.count - snapshotConnections.count)
                    }
                    round = await startSnapshots(of: due, at: stop, reaching: reach, on: snapshotConnections)
                }
            }
            try await round?.value
        } catch {
            _ = try? await round?.value  // let a running copy finish before its connection closes
            throw error
        }
        let elapsed = began.duration(to: clock.now)
        onProgress?(FoldProgress(position: upTo, target: upTo, eventsFolded: upTo - start,
                                 elapsedSeconds: elapsed / .seconds(1)))
        return upTo - start
    }

    /// Starts snapshotting each target at `position`, one connection each, and returns once
    /// every copy has fixed its view of the tables (so the fold may go on), or the round has
    /// ended (a copy failed before fixing it). The returned task finishes the copies and
    /// drops the projections' snapshots the policy no longer keeps.
    func startSnapshots(of targets: [ProjectionTarget], at position: Int64, reaching reach: Int64, on connections: [PostgresConnection]) async -> Task<Void, Error> {
        let policy = snapshots
        let (established, signal) = AsyncStream<Void>.makeStream()
        let round = Task {
            defer { signal.finish() }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (t, conn) in zip(targets, connections) {
                    group.addTask {
                        try await conn.withSession { s in
                            try SnapshotStore.take(t.projection, from: t.schema, at: position, keeping: policy, reaching: reach, session: s, established: { signal.yield() })
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
        var fixed = 0
        for await _ in established {
            fixed += 1
            if fixed == targets.count { break }
        }
        return round
    }
}
