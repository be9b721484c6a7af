import EventLog
import Foundation
import Postgres
import Synchronization

/// The `--dry-run` sink: performs each append inside a transaction that is always rolled
/// back, so it reports exactly what *would* be appended (duplicates and unchanged
/// snapshots included) and records those events, while writing nothing.
public final class DryRunSink: EventSink {
    public struct Recorded: Sendable {
        public var stream: String
        public var event: NewEvent
    }

    public let connection: PostgresConnection
    // Its own dictionary cache: dictionaries created inside rolled-back transactions must
    // never be remembered by the real log's store.
    private let dictionaries = DictionaryStore()
    private let recorded = Mutex<[Recorded]>([])

    public init(connection: PostgresConnection) { self.connection = connection }

    /// The events that would have been appended, in order.
    public var wouldAppend: [Recorded] { recorded.withLock { $0 } }

    public func append(_ events: [NewEvent], to stream: String) async throws -> AppendResult {
        let r = try await rolledBack { s, d in try EventLog.append(events, to: stream, expectedVersion: .any, session: s, dictionaries: d) }
        let fresh = Set(r.appended.map(\.eventID))
        recorded.withLock { $0.append(contentsOf: events.filter { fresh.contains($0.eventID) }.map { Recorded(stream: stream, event: $0) }) }
        return r
    }

    public func appendSnapshot(_ event: NewEvent, to stream: String, ignoring: Set<String>) async throws -> AppendResult {
        let r = try await rolledBack { s, d in try EventLog.appendSnapshot(event, to: stream, ignoring: ignoring, session: s, dictionaries: d) }
        if !r.appended.isEmpty { recorded.withLock { $0.append(Recorded(stream: stream, event: event)) } }
        return r
    }

    private func rolledBack(_ body: @escaping @Sendable (PostgresSession, DictionaryStore) throws -> AppendResult) async throws -> AppendResult {
        let dictionaries = self.dictionaries
        return try await connection.withSession { s in
            _ = try s.execute("BEGIN")
            defer { _ = try? s.execute("ROLLBACK") }
            return try body(s, dictionaries)
        }
    }
}
