import EventLog
import Postgres

/// Where extractors put what they observed.
///
/// The event log in production; a recording sink for `--dry-run`. Extractors never talk to
/// the log directly, so a dry run exercises exactly the same extraction code.
public protocol EventSink: Sendable {
    /// Appends item events (only new content keys are stored).
    func append(_ events: [NewEvent], to stream: String) async throws -> AppendResult
    /// Appends a state observation unless it equals the stream's latest one of its type.
    func appendSnapshot(_ event: NewEvent, to stream: String, ignoring: Set<String>) async throws -> AppendResult
}

extension EventLog: EventSink {
    public func append(_ events: [NewEvent], to stream: String) async throws -> AppendResult {
        try await append(events, to: stream, expectedVersion: .any)
    }
}
