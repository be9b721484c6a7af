import CanonicalJSON
import EventLog
import Foundation

/// A `connection.health.observed` snapshot (see the event catalogue): how a connection
/// stands after a step, and what the person has to do. Every provider records health
/// through this type (``StepContext/record(_:)`` or ``record(in:stamp:)``).
///
/// The stream is `<provider>/connection/<id>/health`; the payload is
/// `{"provider", "connection_id", "status", "message", "expires_at"?}`. Messages are
/// written by finsync, never copied from request headers, so they cannot carry a secret.
public struct ConnectionHealthSnapshot: Sendable, Hashable {
    public static let type = EventCatalog.connectionHealthObserved.latest
    /// The `endpoint` of its metadata: health is finsync's reading, not one provider answer.
    public static let endpoint = "connection.health"

    public var provider: String
    public var connectionID: String
    public var status: ConnectionHealth
    public var message: String
    /// When the consent behind the connection expires, if known.
    public var expiresAt: Date?

    public init(provider: String, connectionID: String, status: ConnectionHealth, message: String, expiresAt: Date? = nil) {
        self.provider = provider
        self.connectionID = connectionID
        self.status = status
        self.message = message
        self.expiresAt = expiresAt
    }

    /// Reads a stored payload back (the same fields ``payload`` writes); nil when it is not one.
    public init?(payload: JSONValue) {
        guard let provider = payload["provider"]?.string, let id = payload["connection_id"]?.string,
              let status = payload["status"]?.string.flatMap(ConnectionHealth.init(rawValue:)) else { return nil }
        self.init(provider: provider, connectionID: id, status: status, message: payload["message"]?.string ?? "",
                  expiresAt: payload["expires_at"]?.string.flatMap { ISO8601DateFormatter().date(from: $0) })
    }

    public var stream: String { Self.stream(provider: provider, connectionID: connectionID) }

    /// `<provider>/connection/<id>/health`: where a connection's health snapshots are.
    public static func stream(provider: String, connectionID: String) -> String { StreamName.connectionHealth(provider: provider, connectionID) }

    public var payload: JSONValue {
        var o: [String: JSONValue] = [
            "provider": .string(provider), "connection_id": .string(connectionID),
            "status": .string(status.rawValue), "message": .string(message),
        ]
        if let expiresAt { o["expires_at"] = .string(ISO8601DateFormatter().string(from: expiresAt)) }
        return .object(o)
    }

    /// The event, stamped with the run that observed it.
    public func event(_ stamp: RunStamp) -> NewEvent {
        stamp.event(Self.type, payload, endpoint: Self.endpoint)
    }

    /// Appends the snapshot (only when it changed) to `sink`.
    @discardableResult
    public func record(in sink: any EventSink, stamp: RunStamp) async throws -> AppendResult {
        try await sink.appendSnapshot(event(stamp), to: stream, ignoring: [])
    }
}
