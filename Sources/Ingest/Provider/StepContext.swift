import CanonicalJSON
import Clocks
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
    /// The run's clock.
    public var clock: any FinsyncClock
    public var logger: Logger
    /// Whether the account holder is at the terminal that started this run (an interactive
    /// `finsync sync`), so a provider may tell the bank so (Enable Banking's PSU headers).
    /// Never true for a scheduled run (``SyncRunner`` sees to it).
    public var personPresent: Bool

    public init(runID: UUID, sink: any EventSink, quotas: any QuotaBook, cursors: any CursorBook, dryRun: Bool, clock: any FinsyncClock, logger: Logger,
                personPresent: Bool = false) {
        self.runID = runID
        self.sink = sink
        self.quotas = quotas
        self.cursors = cursors
        self.dryRun = dryRun
        self.clock = clock
        self.logger = logger
        self.personPresent = personPresent
    }

    /// The wall-clock date now, by the run's clock.
    public func now() -> Date { clock.date }

    /// How this run stamps its events (correlation id and `{"run_id", "endpoint"}` metadata).
    public var stamp: RunStamp { RunStamp(runID: runID) }

    /// A new event stamped with this run (``RunStamp``): correlation id = run id, metadata
    /// `{"run_id", "endpoint"}` with the endpoint's query string removed; written at the
    /// catalogue's latest schema version of `kind`.
    public func event(_ kind: EventKind, _ payload: JSONValue, endpoint: String, occurredAt: Date? = nil) -> NewEvent {
        stamp.event(kind.latest, payload, endpoint: endpoint, occurredAt: occurredAt)
    }

    /// Records a connection's health through the run's sink (a snapshot: stored only when changed).
    @discardableResult
    public func record(_ health: ConnectionHealthSnapshot) async throws -> AppendResult {
        try await health.record(in: sink, stamp: stamp)
    }
}
