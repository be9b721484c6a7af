import EventLog
import Postgres

extension ProjectionRunner {
    /// Keeps the targets caught up: catches up, then sleeps until the log announces new
    /// events (`NOTIFY finsync_events`) or `pollInterval` passes (a fallback should a
    /// notification be missed), and again, until `shouldStop` says so.
    ///
    /// - Parameter onCatchUp: called after every catch-up with its results.
    public func follow(_ targets: [ProjectionTarget], pollInterval: Duration = .seconds(5), batchSize: Int = 5000,
                       shouldStop: @escaping @Sendable () -> Bool = { false },
                       onCatchUp: @escaping @Sendable ([CatchUpResult]) -> Void = { _ in }) async throws {
        try await connection.withSession { try $0.listen(EventLog.notificationChannel) }
        while !shouldStop() && !Task.isCancelled {
            let results = try await catchUp(targets, batchSize: batchSize)
            onCatchUp(results)
            if shouldStop() || Task.isCancelled { break }
            _ = try await connection.withSession { try $0.waitForNotifications(timeout: pollInterval) }
        }
    }
}
