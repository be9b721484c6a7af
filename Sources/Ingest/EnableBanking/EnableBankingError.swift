import Foundation

/// A failed Enable Banking call: what failed (``Code``), where (endpoint, bank, account)
/// and what the API said (`message`, `error`, `detail`, flattened from every error shape).
/// Never carries the private key or a token.
public struct EnableBankingError: Error, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(_ rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// 401 `UNAUTHORIZED_ACCESS`, `ACCESS_DENIED`, a bare 403: wrong application id or key.
        public static let authenticationFailed = Code("authentication-failed")
        /// `EXPIRED_SESSION`, `REVOKED_SESSION`, `CLOSED_SESSION`, `INVALID_ACCOUNT_ID`: link the bank again.
        public static let sessionEnded = Code("session-ended")
        /// 429 `ASPSP_RATE_LIMIT_EXCEEDED`: the bank's budget for this account is spent.
        public static let rateLimited = Code("rate-limited")
        /// 422 `WRONG_TRANSACTIONS_PERIOD`: the bank does not serve that much history (now).
        public static let wrongPeriod = Code("wrong-transactions-period")
        /// 5xx after the retries were used up.
        public static let server = Code("server-error")
        public static let timeout = Code("timeout")
        public static let transport = Code("transport")
        public static let redirectRefused = Code("redirect-refused")
        /// A 2xx answer whose body is not the JSON expected.
        public static let malformedResponse = Code("malformed-response")
        /// Items finsync cannot normalise (not stored; the rest were).
        public static let unnormalisableItems = Code("unnormalisable-items")
        public static let invalidRequest = Code("invalid-request")
        public static let notFound = Code("not-found")
        public static let unexpectedStatus = Code("unexpected-status")
    }

    public var code: Code
    /// e.g. `GET /accounts/{uid}/transactions`.
    public var endpoint: String
    /// `Nordea (FI)`, when the call concerns one bank.
    public var bank: String?
    /// The finsync account key or the uid, when the call concerns one account.
    public var account: String?
    public var httpStatus: Int?
    /// Enable Banking's `error` code (`EXPIRED_SESSION`, …), when sent.
    public var errorCode: String?
    /// The message and detail the API (or the bank through it) sent.
    public var message: String?

    public init(code: Code, endpoint: String, bank: String? = nil, account: String? = nil, httpStatus: Int? = nil, errorCode: String? = nil, message: String? = nil) {
        self.code = code
        self.endpoint = endpoint
        self.bank = bank
        self.account = account
        self.httpStatus = httpStatus
        self.errorCode = errorCode
        self.message = message
    }

    public var description: String {
        var s = "Enable Banking \(code)"
        if let httpStatus { s += " (HTTP \(httpStatus)\(errorCode.map { " \($0)" } ?? ""))" }
        s += " on \(endpoint)"
        if let account { s += " for account \(account)" }
        if let bank { s += " at \(bank)" }
        if let message, !message.isEmpty { s += ": \(message)" }
        switch code {
        case .authenticationFailed: s += ". Check application_id and private_key_file in finsync.toml [[enablebanking]]"
        default: break
        }
        return s
    }
}
