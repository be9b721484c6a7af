import CanonicalJSON
import Clocks
import Foundation
import Logging
import NIOCore

/// A read-only client for the Trading212 public API (v0), either generation.
///
/// - Authentication: HTTP Basic `key:secret` when a secret is configured, else the bare key.
/// - Rate limits: reads the `x-ratelimit-*` headers per endpoint, waits out an exhausted
///   window before asking, and on a 429 waits until `x-ratelimit-reset` and asks again
///   (at most ``maxRateLimitWaits`` times), all through the injected ``FinsyncClock``.
/// - Requests go through ``ProviderHTTPTransport`` (overall deadline, fast connect failures,
///   no redirects: every request carries the key).
/// - 5xx answers and requests without an answer are retried with exponential backoff
///   (``maxServerErrorRetries``); other statuses and refused redirects are not retried.
/// - Whatever the API says is cleaned of the key and secret before it becomes an error or a log line.
/// - Numbers are kept as their JSON literals (``JSONValue``), so `0E-10` stays `0E-10`.
public struct Trading212Client: Sendable {
    public let connection: String
    public let baseURL: String
    let credentials: Trading212Credentials
    let transport: ProviderHTTPTransport
    let redactor: SecretRedactor
    let clock: any FinsyncClock
    public let rateLimiter: Trading212RateLimiter
    let logger: Logger
    /// How many 429s in a row one request tolerates before failing with `.rateLimited`.
    public var maxRateLimitWaits = 5
    /// Used when a 429 carries no `x-ratelimit-reset` (Trading212 documents no Retry-After).
    public var fallbackRateLimitWait: TimeInterval = 60
    /// How often a 5xx or a request without answer is retried (after 1 s, 2 s, 4 s, …).
    /// Trading212's history endpoints answer `InternalError` now and then.
    public var maxServerErrorRetries = 2

    public init(connection: String, baseURL: String, credentials: Trading212Credentials, transport: ProviderHTTPTransport = ProviderHTTPTransport(),
                clock: any FinsyncClock = SystemClock(), rateLimiter: Trading212RateLimiter = Trading212RateLimiter(),
                logger: Logger = Logger(label: "finsync.trading212")) {
        self.connection = connection
        self.baseURL = Trading212Configuration.normalise(baseURL)
        self.credentials = credentials
        self.transport = transport
        self.redactor = SecretRedactor(secrets: credentials.secretValues)
        self.clock = clock
        self.rateLimiter = rateLimiter
        self.logger = logger
    }

    /// GETs `pathAndQuery` (which starts with `/api/v0/`; a `nextPagePath` is passed verbatim)
    /// and parses the JSON body.
    public func get(_ pathAndQuery: String) async throws -> JSONValue {
        let endpoint = Self.endpoint(of: pathAndQuery)
        var waits = 0, serverErrors = 0
        func backOff(_ error: Trading212Error) async throws {
            serverErrors += 1
            guard serverErrors <= maxServerErrorRetries else { throw error }
            let delay = Double(1 << (serverErrors - 1))
            logger.info("retrying after a server error", metadata: ["endpoint": "\(endpoint)", "attempt": "\(serverErrors)", "error": "\(error.message)"])
            try await clock.sleep(for: .seconds(delay))
        }
        while true {
            if let start = await rateLimiter.earliestStart(for: endpoint, now: clock.date) {
                logger.debug("waiting for the rate-limit window", metadata: ["endpoint": "\(endpoint)", "until": "\(start)"])
                try await clock.sleep(untilDate: start)
            }
            let response: ProviderHTTPResponse
            do {
                response = try await transport.send("GET", url: baseURL + pathAndQuery, headers: [("Authorization", credentials.authorizationHeader), ("Accept", "application/json")],
                                                    endpoint: "GET \(endpoint)")
            } catch let e as ProviderHTTPError {
                let error = Trading212Error(code: e.code == .redirectRefused ? .redirectRefused : .transport, connection: connection, endpoint: endpoint, status: e.status, scope: nil, message: e.message)
                guard e.isTransient else { throw error }
                try await backOff(error)
                continue
            }
            let body = response.body
            await rateLimiter.update(endpoint: endpoint, headers: response.headers)
            let status = response.status
            switch status {
            case 200..<300:
                do { return try JSONValue.parse(body) } catch {
                    throw Trading212Error(code: .malformedResponse, connection: connection, endpoint: endpoint, status: status, scope: nil, message: redactor.redact("the body is not JSON (\(error))"))
                }
            case 429:
                waits += 1
                guard waits <= maxRateLimitWaits else {
                    throw Trading212Error(code: .rateLimited, connection: connection, endpoint: endpoint, status: status, scope: nil, message: "still rate limited after \(maxRateLimitWaits) waits; try again later")
                }
                let reset = await rateLimiter.reset(for: endpoint, now: clock.date) ?? clock.date.addingTimeInterval(fallbackRateLimitWait)
                logger.info("rate limited; waiting until the window resets", metadata: ["endpoint": "\(endpoint)", "until": "\(reset)"])
                try await clock.sleep(untilDate: reset)
            case 401:
                throw Trading212Error(code: .unauthorized, connection: connection, endpoint: endpoint, status: status, scope: nil,
                                      message: "the API key was rejected (\(detail(body) ?? "Bad API key")); check the key and that it belongs to this environment (\(baseURL)): live keys only work on live, demo keys on demo")
            case 403:
                let scope = redactor.redact(Self.scope(fromBody: body)) ?? Self.requiredScope(for: endpoint)
                throw Trading212Error(code: .missingScope, connection: connection, endpoint: endpoint, status: status, scope: scope,
                                      message: "the API key lacks the \"\(scope)\" scope; enable it for this key in Trading212 (Settings → API) or create a key that has it")
            case 404:
                throw Trading212Error(code: .notFound, connection: connection, endpoint: endpoint, status: status, scope: nil, message: detail(body) ?? "not found")
            case 500..<600:
                try await backOff(Trading212Error(code: .httpStatus, connection: connection, endpoint: endpoint, status: status, scope: nil, message: detail(body) ?? "server error"))
            default:
                throw Trading212Error(code: .httpStatus, connection: connection, endpoint: endpoint, status: status, scope: nil, message: detail(body) ?? "unexpected status")
            }
        }
    }

    /// The path without its query: the rate-limit and metadata key of a request.
    public static func endpoint(of pathAndQuery: String) -> String {
        String(pathAndQuery.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
    }

    /// `Scope( history:dividends ) missing for API key` → `history:dividends`.
    static func scope(fromBody body: [UInt8]) -> String? {
        let text = detail(body) ?? String(decoding: body, as: UTF8.self)
        guard let open = text.range(of: "Scope("), let close = text.range(of: ")", range: open.upperBound..<text.endIndex) else { return nil }
        let s = text[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
        return s.isEmpty ? nil : s
    }

    /// A short human text from an error body, cleaned of the key and secret.
    func detail(_ body: [UInt8]) -> String? { redactor.redact(Self.detail(body)) }

    /// A short human text from an error body (`detail`, `title`, `message` or a short string).
    static func detail(_ body: [UInt8]) -> String? {
        if let v = try? JSONValue.parse(body) {
            for k in ["detail", "title", "message", "code"] { if let s = v[k]?.string { return String(s.prefix(200)) } }
            if let s = v.string { return String(s.prefix(200)) }
            return nil
        }
        let s = String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return s.isEmpty ? nil : s
    }

    /// The scope each read endpoint needs (from the public spec), for 403s whose body says nothing.
    static func requiredScope(for endpoint: String) -> String {
        if endpoint.contains("/account/") { return "account" }
        if endpoint.contains("/positions") || endpoint.contains("/portfolio") { return "portfolio" }
        if endpoint.contains("/metadata/") { return "metadata" }
        if endpoint.contains("/history/orders") { return "history:orders" }
        if endpoint.contains("/history/dividends") { return "history:dividends" }
        if endpoint.contains("/history/transactions") { return "history:transactions" }
        return "unknown"
    }
}
