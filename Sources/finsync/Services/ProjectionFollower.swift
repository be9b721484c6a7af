import Foundation
import Postgres
import Projections
import Replay
import ServiceLifecycle
import Synchronization

/// `finsync project --follow` and the follower of `finsync serve`: keeps every live
/// projection caught up, woken by NOTIFY (polling as a fallback), taking snapshots by the
/// policy, reconnecting after a lost connection.
struct ProjectionFollower: Sendable {
    let runner: ProjectionRunner
    let pollInterval: Duration
    let batchSize: Int
    let snapshots: SnapshotPolicy
    let onCatchUp: @Sendable ([CatchUpResult]) -> Void

    init(runner: ProjectionRunner, pollInterval: Duration, batchSize: Int, snapshots: SnapshotPolicy,
         onCatchUp: @escaping @Sendable ([CatchUpResult]) -> Void = { _ in }) {
        self.runner = runner
        self.pollInterval = pollInterval
        self.batchSize = batchSize
        self.snapshots = snapshots
        self.onCatchUp = onCatchUp
    }

    /// Follows until `shouldStop` (checked between catch-ups and waits).
    func run(shouldStop: @escaping @Sendable () -> Bool) async throws {
        let targets = ProjectionCatalog.liveTargets
        let batchSize = self.batchSize
        let catchUp = FoldDriver(runner: runner, batchSize: batchSize, snapshots: snapshots)
        let backoff = ReconnectBackoff()
        try await runner.follow(targets, pollInterval: pollInterval, batchSize: batchSize, backoff: backoff, shouldStop: shouldStop,
                                catchUp: { try await catchUp.fold(targets).results },
                                onCatchUp: onCatchUp,
                                onConnectionLost: { error, attempt in
                                    let wait = backoff.delay(attempt: attempt)
                                    FileHandle.standardError.write(Data("project: lost the database (\(error)); reconnecting in \(wait) (attempt \(attempt))\n".utf8))
                                })
    }
}

/// The follower as a swift-service-lifecycle `Service`: on graceful shutdown it stops after
/// the batch in hand (within one poll interval when waiting).
struct ProjectionFollowService: Service {
    let follower: ProjectionFollower

    func run() async throws {
        let stop = StopFlag()
        try await withGracefulShutdownHandler {
            try await follower.run(shouldStop: { stop.isSet })
        } onGracefulShutdown: {
            stop.set()
        }
    }
}

/// Set once, read from any thread.
final class StopFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isSet: Bool { flag.load(ordering: .relaxed) }
    func set() { flag.store(true, ordering: .relaxed) }
}
