/// A Vanguard problem, naming the connection and endpoint; never contains cookies or tokens.
public struct VanguardError: Error, Sendable, CustomStringConvertible {
    /// What went wrong; extensible.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let raw: String
        /// The session file is unreadable or incomplete.
        public static let invalidSession = Code(raw: "invalid session")
        /// 401/403: the session expired or was revoked; a new one is needed.
        public static let sessionRejected = Code(raw: "session rejected")
        /// A non-2xx status other than 401/403.
        public static let httpStatus = Code(raw: "http status")
        /// Not JSON, or no `Result`.
        public static let malformedResponse = Code(raw: "malformed response")
        /// A 3xx answer: requests carrying the session are never redirected.
        public static let redirectRefused = Code(raw: "redirect refused")
        /// No answer: could not connect, or the deadline passed.
        public static let transport = Code(raw: "transport")
        public var description: String { raw }
    }

    public var code: Code
    public var connection: String?
    public var endpoint: String?
    public var status: Int?
    public var message: String

    public var description: String {
        "Vanguard" + (connection.map { " \($0)" } ?? "") + (endpoint.map { " \($0)" } ?? "") + (status.map { " (HTTP \($0))" } ?? "") + ": " + message
    }
}
