/// A failed Trading212 request: which endpoint, what the API said, what to do.
///
/// Never contains the key, the secret or the `Authorization` header; `endpoint` is the
/// path without its query string.
public struct Trading212Error: Error, Sendable, CustomStringConvertible {
    /// What went wrong; extensible.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let raw: String
        /// 401: bad key, or a key of the other environment (live vs demo).
        public static let unauthorized = Code(raw: "unauthorized")
        /// 403: the key lacks a scope (``Trading212Error/scope``).
        public static let missingScope = Code(raw: "missing scope")
        /// 404: the endpoint does not exist in this API generation, or a stale cursor.
        public static let notFound = Code(raw: "not found")
        /// 429 still answered after the allowed number of waits.
        public static let rateLimited = Code(raw: "rate limited")
        /// Any other non-2xx status.
        public static let httpStatus = Code(raw: "http status")
        /// The body was not the JSON shape expected.
        public static let malformedResponse = Code(raw: "malformed response")
        /// A 3xx answer: requests carrying the key are never redirected.
        public static let redirectRefused = Code(raw: "redirect refused")
        /// No HTTP answer at all (could not connect, deadline passed).
        public static let transport = Code(raw: "transport")
        public var description: String { raw }
    }

    public var code: Code
    public var connection: String
    public var endpoint: String
    public var status: Int?
    /// For `.missingScope`: the scope the key needs (e.g. `history:dividends`).
    public var scope: String?
    public var message: String

    public var description: String {
        "Trading212 \(connection) \(endpoint)" + (status.map { " (HTTP \($0))" } ?? "") + ": " + message
    }
}
