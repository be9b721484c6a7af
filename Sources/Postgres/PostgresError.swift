/// An error from PostgreSQL or libpq.
///
/// Carries the SQLSTATE, the server's message and detail, and the statement that failed,
/// so a person can tell what went wrong and where. Bound parameter values are never
/// included: they may hold account numbers or amounts.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Sendable { case connection, server, protocolViolation, copy, decoding, usage }
        private let base: Base
        private init(_ base: Base) { self.base = base }
        /// Connecting to (or losing) the server.
        public static let connection = Code(.connection)
        /// The server rejected a statement; see ``PostgresError/sqlState``.
        public static let server = Code(.server)
        /// libpq returned something the wrapper did not expect.
        public static let protocolViolation = Code(.protocolViolation)
        /// A COPY stream failed.
        public static let copy = Code(.copy)
        /// A value could not be decoded as the requested type.
        public static let decoding = Code(.decoding)
        /// The API was used out of order (e.g. a closed connection).
        public static let usage = Code(.usage)
        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The five-character SQLSTATE, when the server sent one (e.g. `23505`).
    public var sqlState: String?
    public var message: String
    public var detail: String?
    public var hint: String?
    /// The SQL text that failed (never its parameter values).
    public var statement: String?

    public init(code: Code, message: String, sqlState: String? = nil, detail: String? = nil, hint: String? = nil, statement: String? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.detail = detail
        self.hint = hint
        self.statement = statement
    }

    public var description: String {
        var s = "PostgreSQL \(code) error"
        if let sqlState { s += " [\(sqlState)]" }
        s += ": \(message)"
        if let detail, !detail.isEmpty { s += " — \(detail)" }
        if let hint, !hint.isEmpty { s += " (hint: \(hint))" }
        if let statement {
            let oneLine = statement.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
            s += " in statement: \(oneLine.prefix(300))"
        }
        return s
    }

    /// SQLSTATE 23505.
    public var isUniqueViolation: Bool { sqlState == "23505" }
    /// SQLSTATE class 40 (serialization failure, deadlock).
    public var isTransactionRollback: Bool { sqlState?.hasPrefix("40") ?? false }
}

import Foundation
