import CanonicalJSON
import Foundation

/// An event as stored: its envelope and its (still compressed) payload.
///
/// The payload is decoded on demand with ``payload()`` so that readers which only need
/// the envelope (positions, types, streams) never pay for decompression.
public struct RecordedEvent: Sendable {
    /// Global position: dense, strictly increasing, in commit order.
    public var position: Int64
    public var streamID: String
    /// Position within the stream, from 1.
    public var streamVersion: Int64
    public var eventID: UUID
    public var contentKey: ContentKey
    public var type: EventType
    public var causationID: UUID?
    public var correlationID: UUID?
    public var occurredAt: Date?
    public var recordedAt: Date
    /// The metadata as JSON text.
    public var metadataJSON: [UInt8]
    public var encoding: Int16
    public var dictionaryID: Int32?
    public var rawSize: Int
    public var storedPayload: [UInt8]
    let dictionary: CompressionDictionary?

    /// The payload's canonical JSON bytes.
    /// - Throws: ``EventLogError`` `.corruptPayload`, naming this event's position.
    public func payload() throws -> [UInt8] {
        try storedPayload.withUnsafeBytes {
            try PayloadDecoder.decode($0, encoding: encoding, rawSize: rawSize, dictionary: dictionary, position: position)
        }
    }

    /// The payload parsed as JSON.
    public func json() throws -> JSONValue { try decoded().json }

    /// The payload's bytes and their parse, for readers that keep parts of it verbatim.
    public func decoded() throws -> (payload: [UInt8], json: JSONValue) {
        let bytes = try payload()
        do { return (bytes, try JSONValue.parse(bytes)) } catch {
            throw EventLogError(code: .corruptPayload, message: "payload is not valid JSON (\(error))", streamID: streamID, position: position)
        }
    }

    public func metadata() -> JSONValue {
        (try? JSONValue.parse(metadataJSON)) ?? .object([:])
    }
}

/// The outcome of one append.
public struct AppendResult: Sendable {
    public struct Appended: Sendable, Hashable {
        public var eventID: UUID
        public var position: Int64
        public var streamVersion: Int64
    }
    public struct Duplicate: Sendable, Hashable {
        /// The id of the event passed to append.
        public var eventID: UUID
        /// The position of the stored event with the same id or content key
        /// (nil when the duplicate was earlier in the same batch and not stored either).
        public var existingPosition: Int64?
    }
    public var appended: [Appended]
    public var duplicates: [Duplicate]
    /// The stream's version after the append.
    public var streamVersion: Int64

    public var lastPosition: Int64? { appended.last?.position }
}
