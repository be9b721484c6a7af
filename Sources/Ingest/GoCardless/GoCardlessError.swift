import Foundation

/// A failed GoCardless call: what failed (``Code``), where (endpoint, account) and what the
/// provider said. Never carries secrets or tokens.
public struct GoCardlessError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The secret id/key were refused (401 "Authentication failed") or the IP is not allowed.
        public static let authenticationFailed = Code("authentication-failed")
        /// The end-user agreement or requisition expired or was revoked: reconnect.
        public static let consentExpired = Code("consent-expired")
        /// The account or requisition was suspended after repeated errors (409): reconnect.
        public static let suspended = Code("suspended")
        /// 429: the API's general rate limit, with a reset too far away to wait for.
        public static let rateLimited = Code("rate-limited")
        /// 429: the bank's per-account budget for this scope is spent (`RateLimitError`).
        public static let accountQuotaSpent = Code("account-quota-spent")
        /// 5xx after the retries were used up.
        public static let server = Code("server-error")
        /// No complete answer within the request deadline, after the retries were used up.
        public static let timeout = Code("timeout")
        /// Could not connect, or the connection broke, after the retries were used up.
        public static let transport = Code("transport")
        /// A 3xx answer: requests carrying credentials are never redirected.
        public static let redirectRefused = Code("redirect-refused")
        /// A 2xx answer whose body is not the JSON expected.
        public static let malformedResponse = Code("malformed-response")
        /// A 2xx answer holding items finsync cannot normalise (a missing amount, a day that
        /// does not exist, a NUL character): those items were not stored, the rest were.
        public static let unnormalisableItems = Code("unnormalisable-items")
        public static let notFound = Code("not-found")
        public static let forbidden = Code("forbidden")
        public static let invalidRequest = Code("invalid-request")
        public static let unexpectedStatus = Code("unexpected-status")
    }

    public var code: Code
    /// e.g. `GET /accounts/{id}/transactions/`.
    public var endpoint: String
    public var accountID: String?
    public var httpStatus: Int?
    /// The provider's summary and detail (all three error-body shapes flattened).
    public var summary: String?
    public var detail: String?
    /// The provider's error `type` (e.g. `RateLimitError`).
    public var type: String?
    /// For rate limits: when calls are allowed again.
    public var retryAfter: Duration?

    public init(code: Code, endpoint: String, accountID: String? = nil, httpStatus: Int? = nil, summary: String? = nil, detail: String? = nil, type: String? = nil, retryAfter: Duration? = nil) {
        self.code = code
        self.endpoint = endpoint
        self.accountID = accountID
        self.httpStatus = httpStatus
        self.summary = summary
        self.detail = detail
        self.type = type
        self.retryAfter = retryAfter
    }

    public var description: String {
        var s = "GoCardless \(code)"
        if let httpStatus { s += " (HTTP \(httpStatus))" }
        s += " on \(endpoint)"
        if let accountID { s += " for account \(accountID)" }
        let said = [summary, detail].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
        if !said.isEmpty { s += ": \(said)" }
        if let retryAfter { s += " (retry in \(retryAfter.components.seconds) s)" }
        switch code {
        case .consentExpired, .suspended: s += ". Reconnect with `finsync connect gocardless --institution <ID>`"
        case .authenticationFailed: s += ". Check the secret id/key named in finsync.toml [gocardless]"
        default: break
        }
        return s
    }
}
