import EventLog
import Foundation
import Postgres
import Projections

/// The one fold driver. It catches targets up through a ``ProjectionRunner`` — sequentially
/// on its connection, or concurrently on its worker connections — in chunks, so that it can
/// stop cleanly between chunks, report progress, and take snapshots at the multiples of the
/// snapshot interval (pruning them to the policy's limit as it goes). Every batch commits
/// with its checkpoint, so a fold stopped at any point (error, cancellation, kill) resumes
/// from its checkpoints.
///
/// It serves every fold:
/// - live catch-up (``Mode/live``: `finsync project`, the catch-up after every sync);
/// - a rebuild into its shadow schema and a replay into its scratch schema
///   (``Mode/complete``). A rebuild's last tail is folded inside its swap transaction by the
///   runner's same batch loop on that transaction's session
///   (``ProjectionRunner/catchUp(_:upTo:batchSize:session:dictionaries:onProgress:)``).
public struct FoldDriver: Sendable {
    /// What the driver does with a target that stops short of the end.
    public enum Mode: Sendable, Hashable {
        /// Report it and leave it there (failed, busy, built by another version) while the
        /// others go on; a snapshot that cannot be taken is skipped (snapshots are an
        /// optimisation, never a reason for a catch-up to fail).
        case live
        /// Every target must reach the end (a rebuild, a replay): anything else, a failed
        /// snapshot included, stops the fold with a ``ReplayError``.
        case complete
    }

    /// What a fold did.
    public struct Outcome: Sendable {
        /// One per target, in order, summed over the chunks: where it stands, what it applied
        /// and parked, and how it ended.
        public var results: [CatchUpResult]
        /// Log positions scanned, from the lowest checkpoint to the end.
        public var positionsScanned: Int64
    }

    public var runner: ProjectionRunner
    public var mode: Mode
    public var batchSize: Int
    /// When to take snapshots and how many to keep (``SnapshotPolicy/none``: none).
    public var snapshots: SnapshotPolicy
    /// Polled between chunks; false stops the fold with ``ReplayError/Code/cancelled``.
    public var shouldContinue: @Sendable () -> Bool
    public var onProgress: (@Sendable (FoldProgress) -> Void)?

    public init(runner: ProjectionRunner, mode: Mode = .live, batchSize: Int = EventLog.defaultBatchSize, snapshots: SnapshotPolicy = SnapshotPolicy(),
                shouldContinue: @escaping @Sendable () -> Bool = { true }, onProgress: (@Sendable (FoldProgress) -> Void)? = nil) {
        self.runner = runner
        self.mode = mode
        self.batchSize = batchSize
        self.snapshots = snapshots
        self.shouldContinue = shouldContinue
        self.onProgress = onProgress
    }

    /// Batches per chunk: how often the driver polls ``shouldContinue``.
    static let batchesPerChunk: Int64 = 10

    /// Folds `targets` up to `upTo` (default: the log's head when the fold starts).
    @discardableResult
    public func fold(_ targets: [ProjectionTarget], upTo: Int64? = nil) async throws -> Outcome {
        let policy = snapshots
        let (end, checkpoints, reach) = try await runner.connection.withSession { s -> (Int64, [Int64], Int64) in
            let end = try upTo ?? EventLog.headPosition(session: s)
            let checkpoints = try targets.map { try ProjectionRunner.checkpoint($0, session: s).position }
            // The interval in force: the policy's, doubled as often as the log (or the newest
            // snapshot) needs to stay within the limit.
            let reach = policy.takesSnapshots ? try SnapshotStore.reach(of: targets.map(\.projection), from: end, session: s) : end
            return (end, checkpoints, reach)
        }
        let start = checkpoints.min() ?? end
        let interval = policy.interval(reaching: reach)
        let chunk = Int64(max(batchSize, 1)) * Self.batchesPerChunk
        let clock = ContinuousClock()
        let began = clock.now
        let progress = onProgress
        var state = FoldDriverState(targets: targets, checkpoints: checkpoints)
        // Snapshots are copied in the background, on connections of their own, while the
        // fold goes on (each copy reads a REPEATABLE READ view fixed before the fold resumes);
        // at most one round is in flight, and all are finished before this returns.
        var snapshotConnections: [PostgresConnection] = []
        defer { snapshotConnections.forEach { $0.close() } }
        var round: Task<Void, Error>? = nil
        // The first chunk runs even when every checkpoint is at the end: it is what reports a
        // target built by another version of its projection.
        var first = true
        do {
            while let low = state.lowestActivePosition, low < end || first {
                first = false
                guard shouldContinue() else {
                    throw ReplayError(code: .cancelled, message: "stopped at position \(low) of \(end); the live tables are untouched and a re-run resumes from here")
                }
                var stop = min(end, low + chunk)
                if interval > 0 { stop = min(stop, SnapshotPolicy.boundary(after: low, interval: interval)) }
                let part = try await runner.catchUp(state.activeTargets(targets), upTo: stop, batchSize: batchSize) { p in
                    progress?(FoldProgress(position: p.position, target: end, eventsFolded: p.position - start, elapsedSeconds: began.duration(to: clock.now) / .seconds(1)))
                }
                if mode == .complete { for r in part { try r.requireCaughtUp() } }
                state.record(part)
                if mode == .complete, low < end, (state.lowestActivePosition ?? end) <= low {
                    throw ReplayError(code: .invalidPoint, message: "the fold made no progress past position \(low): the log ends before \(end)")
                }
                guard interval > 0, SnapshotPolicy.isBoundary(stop, interval: interval) else { continue }
                let due = state.active(at: stop, of: targets)
                guard !due.isEmpty else { continue }
                try await finish(round)
                round = nil
                if snapshotConnections.count < due.count {
                    snapshotConnections += try await PostgresConnection.connect(runner.connection.configuration, count: due.count - snapshotConnections.count)
                }
                round = await startSnapshots(of: due, at: stop, reaching: reach, on: snapshotConnections)
            }
            try await finish(round)
        } catch {
            _ = try? await round?.value  // let a running copy finish before its connection closes
            throw error
        }
        onProgress?(FoldProgress(position: end, target: end, eventsFolded: end - start, elapsedSeconds: began.duration(to: clock.now) / .seconds(1)))
        return Outcome(results: state.results, positionsScanned: end - start)
    }

    /// Waits for a round of snapshots; in live mode a failed one is only skipped.
    private func finish(_ round: Task<Void, Error>?) async throws {
        guard let round else { return }
        switch mode {
        case .complete: try await round.value
        case .live: _ = try? await round.value
        }
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

/// Where a driver's fold stands: each target's result summed over the chunks so far, and
/// which targets still fold.
struct FoldDriverState: Sendable {
    /// One per target, in order.
    private(set) var results: [CatchUpResult]
    /// Indices of the targets still folding (caught up so far).
    private(set) var active: [Int]

    init(targets: [ProjectionTarget], checkpoints: [Int64]) {
        results = zip(targets, checkpoints).map { t, position in
            CatchUpResult(projection: t.projection.name, schema: t.schema, outcome: .caughtUp, position: position, eventsApplied: 0)
        }
        active = Array(targets.indices)
    }

    var lowestActivePosition: Int64? { active.map { results[$0].position }.min() }

    func activeTargets(_ targets: [ProjectionTarget]) -> [ProjectionTarget] { active.map { targets[$0] } }

    /// The active targets standing exactly at `position`.
    func active(at position: Int64, of targets: [ProjectionTarget]) -> [ProjectionTarget] {
        active.filter { results[$0].position == position }.map { targets[$0] }
    }

    /// Adds a chunk's results (one per active target, in order); a target that did not catch
    /// up stops folding, its outcome kept.
    mutating func record(_ part: [CatchUpResult]) {
        for (i, r) in zip(active, part) {
            var merged = r
            merged.eventsApplied += results[i].eventsApplied
            merged.parked = results[i].parked + r.parked
            results[i] = merged
        }
        active = active.filter { results[$0].outcome == .caughtUp }
    }
}
