import EventLog

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
        /// The event's stored payload could not be decompressed or parsed.
        public static let undecodable = Code("undecodable")
        /// Applying a batch failed for a reason that is not the events' own (the connection,
        /// a lock, the disk): nothing of it was applied, and the next catch-up retries it.
        public static let applyFailed = Code("apply-failed")
        /// An option given to the fold is out of range (e.g. a batch size of 0).
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

    /// An event at a schema version the projection does not read (it reads `reads`).
    static func unknownSchemaVersion(_ event: RecordedEvent, reads: ClosedRange<Int>) -> ProjectionError {
        let known = reads.count == 1 ? "v\(reads.lowerBound)" : "v\(reads.lowerBound)–v\(reads.upperBound)"
        return ProjectionError(code: .unknownSchemaVersion,
                               message: "event at position \(event.position) is \(event.type.name) v\(event.type.version); this projection reads \(known) of it, so it was parked, not folded (deploy code that reads it, then rebuild)",
                               position: event.position, eventType: event.type.name)
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
