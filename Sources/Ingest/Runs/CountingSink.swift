import EventLog
import Synchronization

/// Forwards to another sink and counts what was appended and what was a duplicate, so the
/// runner can record a step's numbers whatever the provider does.
public final class CountingSink: EventSink {
    public let base: any EventSink
    private let counts = Mutex<(appended: Int, duplicates: Int)>((0, 0))

    public init(base: any EventSink) { self.base = base }

    public var appended: Int { counts.withLock { $0.appended } }
    public var duplicates: Int { counts.withLock { $0.duplicates } }

    public func append(_ events: [NewEvent], to stream: String) async throws -> AppendResult {
        let r = try await base.append(events, to: stream)
        counts.withLock { $0.appended += r.appended.count; $0.duplicates += r.duplicates.count }
        return r
    }

    public func appendSnapshot(_ event: NewEvent, to stream: String, ignoring: Set<String>) async throws -> AppendResult {
        let r = try await base.appendSnapshot(event, to: stream, ignoring: ignoring)
        counts.withLock { $0.appended += r.appended.count; $0.duplicates += r.duplicates.count }
        return r
    }
}
