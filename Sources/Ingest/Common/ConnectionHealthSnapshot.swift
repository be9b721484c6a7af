import CanonicalJSON
import EventLog
import Foundation

/// Builds `connection.health.observed` snapshots (see the event catalogue).
///
/// The stream is `<provider>/connection/<id>/health`; the payload says in words what the
/// person has to do. Messages are written by finsync, never copied from request headers,
/// so they cannot carry a secret.
public struct ConnectionHealthSnapshot: Sendable {
    public static let type = EventCatalog.connectionHealthObserved.latest

    public var provider: String
    public var connectionID: String
    public var status: String
    public var message: String
    public var expiresAt: Date?

    public init(provider: String, connectionID: String, status: String, message: String, expiresAt: Date? = nil) {
        self.provider = provider
        self.connectionID = connectionID
        self.status = status
        self.message = message
        self.expiresAt = expiresAt
    }

    public var stream: String { StreamName.connectionHealth(provider: provider, connectionID) }

    public var payload: JSONValue {
        var o: [String: JSONValue] = [
            "provider": .string(provider), "connection_id": .string(connectionID),
            "status": .string(status), "message": .string(message),
        ]
        if let expiresAt { o["expires_at"] = .string(ISO8601DateFormatter().string(from: expiresAt)) }
        return .object(o)
    }

    /// The event, tagged with the run that observed it.
    public func event(runID: UUID) -> NewEvent {
        NewEvent(type: Self.type, json: payload, correlationID: runID, metadata: ExtractorRunMetadata.json(runID: runID, endpoint: "connection.health"))
    }
}
