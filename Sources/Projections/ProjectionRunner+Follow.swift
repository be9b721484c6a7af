import EventLog
import Postgres

extension ProjectionRunner {
    /// Keeps the targets caught up: catches up, then sleeps until the log announces new
    /// events (`NOTIFY finsync_events`) or `pollInterval` passes (a fallback should a
    /// notification be missed), and again, until `shouldStop` says so.
    ///
    /// Losing the server (a restart, a terminated backend, a dropped network) does not end
    /// it: it waits by `backoff`, reconnects every lost connection (the reader's and the
    /// workers'), listens again and carries on from the checkpoints, which were committed
    /// with the tables and so lose nothing. Any other error ends it. The wait is bounded
    /// (`backoff.maximum`) and ends early on `shouldStop` or task cancellation.
    ///
    /// - Parameters:
    ///   - catchUp: what one catch-up does (default: ``catchUp(_:upTo:batchSize:onProgress:)``
    ///     on `targets`); e.g. one that also takes snapshots.
    ///   - onCatchUp: called after every catch-up with its results.
    ///   - onConnectionLost: called when the server was lost, with the error and the attempt
    ///     number, before each wait (for a log line).
    public func follow(_ targets: [ProjectionTarget], pollInterval: Duration = .seconds(5), batchSize: Int = EventLog.defaultBatchSize,
                       backoff: ReconnectBackoff = ReconnectBackoff(),
                       shouldStop: @escaping @Sendable () -> Bool = { false },
                       catchUp: (@Sendable () async throws -> [CatchUpResult])? = nil,
                       onCatchUp: @escaping @Sendable ([CatchUpResult]) -> Void = { _ in },
                       onConnectionLost: @escaping @Sendable (any Error, Int) -> Void = { _, _ in }) async throws {
        var attempt = 0
        while !shouldStop() && !Task.isCancelled {
            do {
                try await connection.withSession { try $0.listen(EventLog.notificationChannel) }
                attempt = 0
                while !shouldStop() && !Task.isCancelled {
                    let results: [CatchUpResult]
                    if let catchUp { results = try await catchUp() } else { results = try await self.catchUp(targets, batchSize: batchSize) }
                    onCatchUp(results)
                    if shouldStop() || Task.isCancelled { break }
                    _ = try await connection.withSession { try $0.waitForNotifications(timeout: pollInterval) }
                }
            } catch {
                guard try await reconnectLost(after: error, attempt: &attempt, backoff: backoff, shouldStop: shouldStop, onConnectionLost: onConnectionLost) else { throw error }
            }
        }
    }

    /// When `error` came with a lost connection: waits, then reconnects every lost
    /// connection, and returns true (the caller starts over; a failed reconnect is only
    /// reported, and tried again on the next round). False when no connection was lost.
    private func reconnectLost(after error: any Error, attempt: inout Int, backoff: ReconnectBackoff,
                               shouldStop: @escaping @Sendable () -> Bool,
                               onConnectionLost: @Sendable (any Error, Int) -> Void) async throws -> Bool {
        var lost: [PostgresConnection] = []
        for c in [connection] + workers {
            if await c.isBroken { lost.append(c) }
        }
        guard !lost.isEmpty else { return false }
        var lastError = error
        repeat {
            attempt += 1
            onConnectionLost(lastError, attempt)
            try await backoff.wait(attempt: attempt, shouldStop: shouldStop)
            if shouldStop() { return true }
            do {
                for c in lost {
                    if await c.isBroken { try await c.reconnect() }
                }
                return true
            } catch {
                lastError = error
            }
        } while !shouldStop()
        return true
    }
}
