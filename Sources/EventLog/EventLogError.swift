/// A failure of the event log, with what went wrong and which event or stream it concerns.
public struct EventLogError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let raw: String
        private init(_ raw: String) { self.raw = raw }
        /// The stream was not at the expected version; nothing was appended.
        public static let wrongExpectedVersion = Code("wrong-expected-version")
        /// A stored payload could not be decoded (corrupt bytes, missing dictionary, unknown codec).
        public static let corruptPayload = Code("corrupt-payload")
        /// An event passed to append is not acceptable (empty stream id, invalid JSON…).
        public static let invalidEvent = Code("invalid-event")
        /// No event at the requested position.
        public static let notFound = Code("not-found")
        public var description: String { raw }
    }

    public var code: Code
    public var message: String
    public var streamID: String?
    public var position: Int64?

    public init(code: Code, message: String, streamID: String? = nil, position: Int64? = nil) {
        self.code = code
        self.message = message
        self.streamID = streamID
        self.position = position
    }

    public var description: String {
        var s = "event log \(code)"
        if let position { s += " at position \(position)" }
        if let streamID { s += " in stream \(streamID)" }
        return s + ": " + message
    }

    static func wrongVersion(stream: String, expected: ExpectedVersion, actual: Int64) -> EventLogError {
        EventLogError(code: .wrongExpectedVersion, message: "expected \(expected), but the stream is at version \(actual); nothing was appended", streamID: stream)
    }
}
