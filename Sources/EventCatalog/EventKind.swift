/// One entry of the event catalogue: an event type's name and every version of its payload
/// schema, oldest first. Extractors write the ``latest`` version; a projection declares the
/// versions it reads (``versions`` is what exists, not what every reader understands).
///
/// Adding a schema version means widening ``versions`` here, changing the extractor that
/// writes it, and declaring it in each projection that can fold it: until then such a
/// projection parks events of the new version instead of folding them as the old one.
public struct EventKind: Hashable, Sendable, CustomStringConvertible {
    /// The version every event type starts at.
    public static let firstVersion = 1

    /// The type name stored with each event, e.g. `gocardless.transaction.booked`.
    public let name: String
    /// The payload schema versions that exist.
    public let versions: ClosedRange<Int>

    public init(_ name: String, versions: ClosedRange<Int> = firstVersion...firstVersion) {
        self.name = name
        self.versions = versions
    }

    /// The type and version new events are written with.
    public var latest: EventType { EventType(name, version: versions.upperBound) }

    public var description: String { versions.count == 1 ? "\(name) v\(versions.lowerBound)" : "\(name) v\(versions.lowerBound)–\(versions.upperBound)" }
}
