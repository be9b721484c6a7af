import CanonicalJSON
import Foundation

/// One generated provider observation, shaped as the event catalogue says
/// (docs/ARCHITECTURE.md): stream, type, payload, and whether it is a snapshot.
public struct SampleEvent: Sendable {
    public var stream: String
    public var type: String
    public var payload: JSONValue
    public var occurredAt: Date
    /// A state observation (appended with `appendSnapshot`) rather than an item.
    public var isSnapshot: Bool
}
