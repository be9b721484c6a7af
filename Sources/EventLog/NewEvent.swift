import CanonicalJSON
import Foundation

/// An event to append: what a provider was observed to say, and where it came from.
public struct NewEvent: Sendable, Hashable {
    public var eventID: UUID
    public var type: EventType
    /// Canonical JSON (see ``CanonicalJSON/JSONValue/canonicalBytes``).
    public var payload: [UInt8]
    /// The idempotency key; when `nil` it is derived from stream, type and payload.
    public var contentKey: ContentKey?
    /// Provider time of the observation, when the provider states one.
    public var occurredAt: Date?
    public var causationID: UUID?
    /// Usually the ingestion run that observed the event.
    public var correlationID: UUID?
    /// Small facts about the observation (endpoint, request window, extractor version).
    public var metadata: JSONValue

    public init(type: EventType, payload: [UInt8], eventID: UUID = UUIDv7.make(), contentKey: ContentKey? = nil, occurredAt: Date? = nil, causationID: UUID? = nil, correlationID: UUID? = nil, metadata: JSONValue = .object([:])) {
        self.eventID = eventID
        self.type = type
        self.payload = payload
        self.contentKey = contentKey
        self.occurredAt = occurredAt
        self.causationID = causationID
        self.correlationID = correlationID
        self.metadata = metadata
    }

    /// An event whose payload is a JSON value, stored in canonical form.
    public init(type: EventType, json: JSONValue, eventID: UUID = UUIDv7.make(), contentKey: ContentKey? = nil, occurredAt: Date? = nil, causationID: UUID? = nil, correlationID: UUID? = nil, metadata: JSONValue = .object([:])) {
        self.init(type: type, payload: json.canonicalBytes, eventID: eventID, contentKey: contentKey, occurredAt: occurredAt, causationID: causationID, correlationID: correlationID, metadata: metadata)
    }
}
