import CanonicalJSON
import EventLog
import Foundation

/// How every ingested event is stamped with the run that observed it — the one way every
/// provider (GoCardless, Trading212, Vanguard, and any bank added later) makes its events.
///
/// The correlation id is the run id; the metadata is `{"run_id", "endpoint"}` (see
/// ARCHITECTURE.md), where `endpoint` is the request path without its query string, so a
/// cursor, a date window or anything else carried in a query never reaches the log.
public struct RunStamp: Sendable, Hashable {
    public var runID: UUID

    public init(runID: UUID) { self.runID = runID }

    /// `{"run_id", "endpoint"}`, the endpoint cut at its first `?`.
    public func metadata(endpoint: String) -> JSONValue {
        let path = endpoint.split(separator: "?", maxSplits: 1).first.map(String.init) ?? endpoint
        return .object(["run_id": .string(runID.uuidString.lowercased()), "endpoint": .string(path)])
    }

    /// A new event of `type` observed at `endpoint` during this run.
    public func event(_ type: EventType, _ payload: JSONValue, endpoint: String, occurredAt: Date? = nil) -> NewEvent {
        NewEvent(type: type, json: payload, occurredAt: occurredAt, correlationID: runID, metadata: metadata(endpoint: endpoint))
    }
}
