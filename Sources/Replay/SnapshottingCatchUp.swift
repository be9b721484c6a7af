import EventLog
import Postgres
import Projections

/// Catches targets up as ``ProjectionRunner/catchUp(_:upTo:batchSize:onProgress:)`` does and,
/// on the way, snapshots each one as it passes a multiple of the snapshot interval.
///
/// The live runner (`finsync project`, and every sync) uses it, so a replay near the head
/// starts from a recent snapshot even when no rebuild has run for years. Results are the
/// runner's: a target that fails, is busy or needs a rebuild is reported as such and left
/// there. A snapshot that cannot be taken (another runner moved the checkpoint first, or is
/// taking the same one) is skipped: snapshots are an optimisation, never a reason for a
/// catch-up to fail.
public struct SnapshottingCatchUp: Sendable {
    public let runner: ProjectionRunner
    public let snapshots: SnapshotPolicy

    public init(runner: ProjectionRunner, snapshots: SnapshotPolicy = SnapshotPolicy()) {
        self.runner = runner
        self.snapshots = snapshots
    }

    public func catchUp(_ targets: [ProjectionTarget], batchSize: Int = EventLog.defaultBatchSize) async throws -> [CatchUpResult] {
        guard snapshots.takesSnapshots, !targets.isEmpty else { return try await runner.catchUp(targets, batchSize: batchSize) }
        let (head, reach, low) = try await runner.connection.withSession { s in
            let head = try EventLog.headPosition(session: s)
            return (head, try SnapshotStore.reach(of: targets.map(\.projection), from: head, session: s),
                    try targets.map { try ProjectionRunner.checkpoint($0, session: s).position }.min() ?? 0)
        }
        let interval = snapshots.interval(reaching: reach)
        var results: [CatchUpResult?] = Array(repeating: nil, count: targets.count)
        var active = Array(targets.indices)
        var next = (low / interval + 1) * interval
        while !active.isEmpty {
            let stop: Int64? = next <= head ? next : nil
            let part = try await runner.catchUp(active.map { targets[$0] }, upTo: stop, batchSize: batchSize)
            for (i, r) in zip(active, part) {
                var merged = r
                merged.eventsApplied += results[i]?.eventsApplied ?? 0
                merged.parked = (results[i]?.parked ?? []) + r.parked
                results[i] = merged
            }
            guard let stop else { break }
            let due = zip(active, part).filter { $0.1.outcome == .caughtUp && $0.1.position == stop }.map { targets[$0.0] }
            try await runner.connection.withSession { s in
                for t in due {
                    // Any failure only costs this snapshot (e.g. another runner moved the
                    // checkpoint first); the catch-up itself has already committed.
                    try? SnapshotStore.take(t.projection, from: t.schema, at: stop, keeping: snapshots, reaching: reach, session: s)
                }
            }
            active = zip(active, part).filter { $0.1.outcome == .caughtUp }.map(\.0)
            next = stop + interval
        }
        return results.compactMap { $0 }  // the first round covers every target
    }
}
