import Foundation
import Ingest
import Logging
import Postgres
import ServiceLifecycle
import Synchronization

/// `POST /v1/sync`: starts a sync run in the background and answers as soon as the run
/// has its id (or was found to collide with a run in progress).
///
/// Runs are exclusive through the runner's advisory lock, across processes too: a run the
/// lock refuses is recorded `skipped`, and the launcher answers 409 naming the run that
/// holds it. A `Service`: on graceful shutdown the run in progress is cancelled between
/// steps (the runner records it failed, "cancelled") and awaited, so nothing is half-applied.
public final class SyncLauncher: Service, Sendable {
    public enum Outcome: Sendable, Hashable {
        case started(UUID)
        /// Another run holds the lock (its id when it could be read).
        case busy(UUID?)
    }

    /// One run (the CLI wires `SyncRunner.run` with the configured providers and the
    /// projection catch-up); it must report `.runStarted` before doing any work.
    public typealias Run = @Sendable (_ progress: @escaping @Sendable (SyncProgress) -> Void) async throws -> RunRecord

    private let runSync: Run
    private let pool: ConnectionPool
    private let logger: Logger
    /// Runs started here and not yet finished (a refused one finishes at once).
    private let tasks = Mutex<[UUID: Task<Void, Never>]>([:])

    public init(pool: ConnectionPool, logger: Logger, run: @escaping Run) {
        self.runSync = run
        self.pool = pool
        self.logger = logger
    }

    /// Starts a run; returns once it has started (or was refused).
    public func launch() async throws -> Outcome {
        let record: RunRecord = try await withCheckedThrowingContinuation { cont in
            let started = ResumeOnce(cont)
            let key = UUID()
            let task = Task {
                defer { self.finished(key) }
                do {
                    let finished = try await self.runSync { progress in
                        if case .runStarted(let run) = progress { started.resume(.success(run)) }
                    }
                    self.logger.info("sync run \(finished.runID.uuidString.lowercased()) ended \(finished.status.rawValue)")
                } catch {
                    started.resume(.failure(error))
                    self.logger.error("sync run failed: \(type(of: error))")
                }
            }
            tasks.withLock { $0[key] = task }
        }
        guard record.status == .skipped else { return .started(record.runID) }
        let running = try await pool.session { s in
            try s.query("SELECT run_id FROM ingest.runs WHERE status = 'running' ORDER BY started_at DESC LIMIT 1").rows.first?.uuid(0)
        }
        return .busy(running)
    }

    private func finished(_ key: UUID) { _ = tasks.withLock { $0.removeValue(forKey: key) } }

    public func run() async throws {
        // Nothing to do until shutdown; then stop the run in progress between steps.
        try? await gracefulShutdown()
        let running = tasks.withLock { Array($0.values) }
        for task in running { task.cancel() }
        for task in running { await task.value }
    }
}

/// A continuation resumed by whichever comes first (the run's start or its failure).
private final class ResumeOnce: Sendable {
    private let continuation: Mutex<CheckedContinuation<RunRecord, any Error>?>

    init(_ continuation: CheckedContinuation<RunRecord, any Error>) { self.continuation = Mutex(continuation) }

    func resume(_ result: Result<RunRecord, any Error>) {
        continuation.withLock { c in
            c?.resume(with: result)
            c = nil
        }
    }
}
