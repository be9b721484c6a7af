/// The kind of a stored event and the version of its payload schema,
/// e.g. `gocardless.transaction.booked` v1: what an event carries in the log.
///
/// Code names event types through the catalogue (``EventCatalog``), never as literals.
public struct EventType: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var version: Int

    public init(_ name: String, version: Int = EventKind.firstVersion) {
        self.name = name
        self.version = version
    }

    public var description: String { "\(name) v\(version)" }
}
