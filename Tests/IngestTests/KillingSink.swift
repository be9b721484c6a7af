import EventLog
import Ingest
import Postgres
import Synchronization

/// A sink that dies with its process after `limit` appends: closes the runner's database
/// connection (as SIGKILL would) and fails.
final class KillingSink: EventSink {
    let base: any EventSink
    let connection: PostgresConnection
    let limit: Int
    private let count = Mutex(0)
    struct Killed: Error {}

    init(base: any EventSink, connection: PostgresConnection, limit: Int) {
        self.base = base
        self.connection = connection
        self.limit = limit
    }

    private func tick() throws {
        let n = count.withLock { $0 += 1; return $0 }
        if n > limit {
            connection.close()
            throw Killed()
        }
    }

    func append(_ events: [NewEvent], to stream: String) async throws -> AppendResult {
        try tick()
        return try await base.append(events, to: stream)
    }

    func appendSnapshot(_ event: NewEvent, to stream: String, ignoring: Set<String>) async throws -> AppendResult {
        try tick()
        return try await base.appendSnapshot(event, to: stream, ignoring: ignoring)
    }
}
