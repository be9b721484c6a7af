import CanonicalJSON
import EventLog
import Foundation
import Logging

/// What a step gets from the runner: where to append, the run id, quotas, the clock.
public struct StepContext: Sendable {
    public var runID: UUID
    /// Appends through the run's sink (the log, or a dry-run recorder), counting outcomes.
    public var sink: any EventSink
    public var quotas: any QuotaBook
    public var cursors: any CursorBook
    /// Whether this is a dry run (cursors and quotas are not advanced).
    public var dryRun: Bool
    public var now: @Sendable () -> Date
    public var logger: Logger

    public init(runID: UUID, sink: any EventSink, quotas: any QuotaBook, cursors: any CursorBook, dryRun: Bool, now: @escaping @Sendable () -> Date, logger: Logger) {
        self.runID = runID
        self.sink = sink
        self.quotas = quotas
        self.cursors = cursors
        self.dryRun = dryRun
        self.now = now
        self.logger = logger
    }

    /// A new event stamped with this run: correlation id = run id, metadata `{"run_id", "endpoint"}`.
    /// Written at the catalogue's latest schema version of `kind`.
    public func event(_ kind: EventKind, _ payload: JSONValue, endpoint: String, occurredAt: Date? = nil) -> NewEvent {
        NewEvent(type: kind.latest, json: payload, occurredAt: occurredAt, correlationID: runID,
                 metadata: .object(["run_id": .string(runID.uuidString.lowercased()), "endpoint": .string(endpoint)]))
    }
}
