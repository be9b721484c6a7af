/// Why a projection could not apply an event: which event, of which type, and why.
public struct ProjectionError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let raw: String
        private init(_ raw: String) { self.raw = raw }
        /// The payload lacks a field or has one of the wrong shape.
        public static let malformedPayload = Code("malformed-payload")
        /// The event's schema version is not one this projection understands.
        public static let unknownSchemaVersion = Code("unknown-schema-version")
        /// The projection's tables were built by another version of its code.
        public static let versionChanged = Code("version-changed")
        /// A caller asked for something the runner cannot do (e.g. batches of 0 events).
        public static let invalidOption = Code("invalid-option")
        public var description: String { raw }
    }

    public var code: Code
    public var projection: String?
    public var position: Int64?
    public var eventType: String?
    public var message: String

    public init(code: Code, message: String, projection: String? = nil, position: Int64? = nil, eventType: String? = nil) {
        self.code = code
        self.message = message
        self.projection = projection
        self.position = position
        self.eventType = eventType
    }

    /// A malformed payload in `event`.
    public static func malformed(_ event: ProjectedEvent, _ message: String) -> ProjectionError {
        ProjectionError(code: .malformedPayload, message: message, position: event.position, eventType: event.type)
    }

    public var description: String {
        var s = "projection"
        if let projection { s += " \(projection)" }
        s += " \(code)"
        if let position { s += " at position \(position)" }
        if let eventType { s += " (\(eventType))" }
        return s + ": " + message
    }
}
