import CanonicalJSON
import EventLog

/// Payloads that several projections read the same way, resolved once per event when a
/// batch is decoded rather than once per projection: by event type, how to resolve them.
/// A provider whose projections share such a resolution adds its entry here.
enum SharedPayloads {
    static let resolvers: [String: @Sendable (JSONValue) throws -> any Sendable] = [
        // raw, unified and analytics all need a booking's key and ids.
        EventCatalog.gocardlessTransactionBooked.name: { try GoCardlessBooking(payload: $0) },
    ]
}
