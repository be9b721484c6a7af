/// Why a rebuild, replay, diff or explain could not be done: what, where, and what to do.
public struct ReplayError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let raw: String
        private init(_ raw: String) { self.raw = raw }
        /// No projection has that name.
        public static let unknownProjection = Code("unknown-projection")
        /// No projection owns that table, or the table has no primary key.
        public static let unknownTable = Code("unknown-table")
        /// The row asked about does not exist.
        public static let rowNotFound = Code("row-not-found")
        /// The projection cannot fold an event (see the message for which).
        public static let foldFailed = Code("fold-failed")
        /// Another rebuild of the same projection is running.
        public static let busy = Code("busy")
        /// The run was cancelled (SIGINT/SIGTERM or task cancellation); live tables untouched.
        public static let cancelled = Code("cancelled")
        /// The schema is not one this tool may write or drop.
        public static let invalidSchema = Code("invalid-schema")
        /// A point (position or timestamp) that cannot be understood or lies beyond the log.
        public static let invalidPoint = Code("invalid-point")
        /// The projection does not describe its lineage for that table.
        public static let noLineage = Code("no-lineage")
        public var description: String { raw }
    }

    public var code: Code
    public var message: String
    public var projection: String?
    public var schema: String?
    public var table: String?

    public init(code: Code, message: String, projection: String? = nil, schema: String? = nil, table: String? = nil) {
        self.code = code
        self.message = message
        self.projection = projection
        self.schema = schema
        self.table = table
    }

    public var description: String {
        var s = "replay \(code)"
        if let projection { s += " [projection \(projection)]" }
        if let schema { s += " [schema \(schema)]" }
        if let table { s += " [table \(table)]" }
        return s + ": " + message
    }
}
