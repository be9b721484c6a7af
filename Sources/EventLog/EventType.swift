/// The kind of an event and the version of its payload schema,
/// e.g. `gocardless.transactions.observed` v1.
public struct EventType: Hashable, Sendable, CustomStringConvertible {
    public var name: String
    public var version: Int

    public init(_ name: String, version: Int = 1) {
        self.name = name
        self.version = version
    }

    public var description: String { "\(name) v\(version)" }
}
