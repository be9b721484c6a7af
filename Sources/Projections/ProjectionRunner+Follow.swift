import EventLog
import Postgres

extension ProjectionRunner {
    /// Keeps the targets caught up: catches up, then sleeps until the log announces new
    /// events (`NOTIFY finsync_events`) or `pollInterval` passes (a fallback should a
    /// notification be missed), and again, until `shouldStop` says so.
    ///
    /// - Parameters:
    ///   - catchUp: what one catch-up does (default: ``catchUp(_:upTo:batchSize:onProgress:)``
    ///     on `targets`); e.g. one that also takes snapshots.
    ///   - onCatchUp: called after every catch-up with its results.
    public func follow(_ targets: [ProjectionTarget], pollInterval: Duration = .seconds(5), batchSize: Int = 5000,
                       shouldStop: @escaping @Sendable () -> Bool = { false },
                       catchUp: (@Sendable () async throws -> [CatchUpResult])? = nil,
                       onCatchUp: @escaping @Sendable ([CatchUpResult]) -> Void = { _ in }) async throws {
        try await connection.withSession { try $0.listen(EventLog.notificationChannel) }
        while !shouldStop() && !Task.isCancelled {
            let results: [CatchUpResult]
            if let catchUp { results = try await catchUp() } else { results = try await self.catchUp(targets, batchSize: batchSize) }
            onCatchUp(results)
            if shouldStop() || Task.isCancelled { break }
            _ = try await connection.withSession { try $0.waitForNotifications(timeout: pollInterval) }
        }
    }
}
