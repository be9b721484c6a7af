import CanonicalJSON
import Clocks
import Foundation
import Logging

/// A client for the GoCardless Bank Account Data API v2.
///
/// - Tokens are minted once per process and refreshed before expiry; a 401 "Invalid token"
///   drops the token and retries once.
/// - Requests go through ``ProviderHTTPTransport`` (overall deadline, fast connect failures,
///   no redirects: the token call carries the secret id and key).
/// - 5xx answers, deadlines and connection failures are retried with bounded, jittered
///   exponential backoff (``RetryingRequest`` with ``RetryPolicy``, bounded in attempts and
///   in total time); a 429 of
///   the general API limit is waited for when its reset is near, a 429 of the bank's
///   per-account budget is never retried.
/// - Every answer is kept as JSON with its number literals (``CanonicalJSON/JSONValue``).
/// - Secrets and tokens never appear in errors or logs, even when the provider echoes them
///   (``redactor``).
public final class GoCardlessClient: Sendable {
    public static let defaultBaseURL = "https://bankaccountdata.gocardless.com/api/v2"

    public let baseURL: String
    let credentials: GoCardlessCredentials
    private let transport: ProviderHTTPTransport
    private let tokens = GoCardlessTokenCache()
    public let retry: RetryPolicy
    /// Removes the secret id and key from anything the provider says before it becomes an error.
    public let redactor: SecretRedactor
    /// Token expiry, retry waits and the time retries may take.
    public let clock: any FinsyncClock
    private let logger: Logger

    public init(baseURL: String = GoCardlessClient.defaultBaseURL, credentials: GoCardlessCredentials, transport: ProviderHTTPTransport = ProviderHTTPTransport(),
                retry: RetryPolicy = RetryPolicy(), clock: any FinsyncClock = SystemClock(),
                logger: Logger = Logger(label: "finsync.gocardless")) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.credentials = credentials
        self.transport = transport
        self.retry = retry
        self.redactor = SecretRedactor(secrets: [credentials.secretID, credentials.secretKey])
        self.clock = clock
        self.logger = logger
    }

    /// How many tokens this client minted and refreshed (token reuse is observable in tests).
    public func tokenCounts() async -> (minted: Int, refreshed: Int) { await tokens.counts() }

    // MARK: Institutions, agreements, requisitions

    public func institutions(country: String?) async throws -> [JSONValue] {
        let q = country.map { "?country=\($0.lowercased())" } ?? ""
        let r = try await get("/institutions/\(q)", endpoint: "GET /institutions/")
        guard let a = r.json.array else { throw malformed("GET /institutions/", nil, "expected a JSON array") }
        return a
    }

    public func institution(id: String) async throws -> JSONValue {
        try await object(get("/institutions/\(escape(id))/", endpoint: "GET /institutions/{id}/"), "GET /institutions/{id}/", nil)
    }

    public func createAgreement(institutionID: String, maxHistoricalDays: Int, accessValidForDays: Int, accessScope: [String] = ["balances", "details", "transactions"]) async throws -> JSONValue {
        let body: JSONValue = .object([
            "institution_id": .string(institutionID), "max_historical_days": .number(String(maxHistoricalDays)),
            "access_valid_for_days": .number(String(accessValidForDays)), "access_scope": .array(accessScope.map { .string($0) }),
        ])
        return try await object(send("POST", path: "/agreements/enduser/", body: body, endpoint: "POST /agreements/enduser/"), "POST /agreements/enduser/", nil)
    }

    public func agreement(id: String) async throws -> JSONValue {
        try await object(get("/agreements/enduser/\(escape(id))/", endpoint: "GET /agreements/enduser/{id}/"), "GET /agreements/enduser/{id}/", nil)
    }

    public func agreements() async throws -> [JSONValue] {
        try await paginated("/agreements/enduser/?limit=100&offset=0", endpoint: "GET /agreements/enduser/")
    }

    public func createRequisition(institutionID: String, agreementID: String?, redirect: String, reference: String) async throws -> JSONValue {
        var body: [String: JSONValue] = ["institution_id": .string(institutionID), "redirect": .string(redirect), "reference": .string(reference), "user_language": "EN"]
        if let agreementID { body["agreement"] = .string(agreementID) }
        return try await object(send("POST", path: "/requisitions/", body: .object(body), endpoint: "POST /requisitions/"), "POST /requisitions/", nil)
    }

    /// Every requisition the credentials can see, following `next` links.
    public func requisitions(pageSize: Int = 100) async throws -> [JSONValue] {
        try await paginated("/requisitions/?limit=\(pageSize)&offset=0", endpoint: "GET /requisitions/")
    }

    public func requisition(id: String) async throws -> JSONValue {
        try await object(get("/requisitions/\(escape(id))/", endpoint: "GET /requisitions/{id}/"), "GET /requisitions/{id}/", nil)
    }

    // MARK: Accounts

    /// `/accounts/{id}/` metadata (does not count against the bank's budget).
    public func account(id: String) async throws -> GoCardlessResponse {
        let r = try await get("/accounts/\(escape(id))/", endpoint: "GET /accounts/{id}/", accountID: id)
        _ = try object(r, "GET /accounts/{id}/", id)
        return r
    }

    /// `/accounts/{id}/details/`: `{"account": {...}}`.
    public func accountDetails(id: String) async throws -> GoCardlessResponse {
        let e = "GET /accounts/{id}/details/"
        let r = try await get("/accounts/\(escape(id))/details/", endpoint: e, accountID: id)
        guard r.json["account"]?.object != nil else { throw malformed(e, id, "expected {\"account\": {...}}") }
        return r
    }

    /// `/accounts/{id}/balances/`: `{"balances": [...]}`.
    public func balances(id: String) async throws -> GoCardlessResponse {
        let e = "GET /accounts/{id}/balances/"
        let r = try await get("/accounts/\(escape(id))/balances/", endpoint: e, accountID: id)
        guard r.json["balances"]?.array != nil else { throw malformed(e, id, "expected {\"balances\": [...]}") }
        return r
    }

    /// `/accounts/{id}/transactions/`: `{"transactions": {"booked": [...], "pending": [...]}}`.
    /// Dates are `YYYY-MM-DD`; `nil` asks for everything the agreement allows.
    public func transactions(id: String, dateFrom: String?, dateTo: String?) async throws -> GoCardlessResponse {
        let e = "GET /accounts/{id}/transactions/"
        var q: [String] = []
        if let dateFrom { q.append("date_from=\(dateFrom)") }
        if let dateTo { q.append("date_to=\(dateTo)") }
        let r = try await get("/accounts/\(escape(id))/transactions/" + (q.isEmpty ? "" : "?" + q.joined(separator: "&")), endpoint: e, accountID: id)
        guard let t = r.json["transactions"]?.object, t["booked"]?.array != nil, t["pending"] == nil || t["pending"]?.array != nil || t["pending"]?.isNull == true else {
            throw malformed(e, id, "expected {\"transactions\": {\"booked\": [...], \"pending\": [...]}}")
        }
        return r
    }

    // MARK: Transport

    private func get(_ path: String, endpoint: String, accountID: String? = nil) async throws -> GoCardlessResponse {
        try await send("GET", path: path, body: nil, endpoint: endpoint, accountID: accountID)
    }

    private func paginated(_ firstPath: String, endpoint: String) async throws -> [JSONValue] {
        var out: [JSONValue] = []
        var next: String? = baseURL + firstPath
        var pages = 0
        while let url = next {
            pages += 1
            guard pages <= 10_000 else { throw malformed(endpoint, nil, "pagination does not end (more than 10000 pages)") }
            let r = try await send("GET", url: url, body: nil, endpoint: endpoint, accountID: nil, authenticated: true)
            guard let results = r.json["results"]?.array else { throw malformed(endpoint, nil, "expected a page {\"count\", \"next\", \"results\": [...]}") }
            out.append(contentsOf: results)
            next = r.json["next"]?.string
        }
        return out
    }

    private func send(_ method: String, path: String, body: JSONValue?, endpoint: String, accountID: String? = nil) async throws -> GoCardlessResponse {
        try await send(method, url: baseURL + path, body: body, endpoint: endpoint, accountID: accountID, authenticated: true)
    }

    private func send(_ method: String, url: String, body: JSONValue?, endpoint: String, accountID: String?, authenticated: Bool) async throws -> GoCardlessResponse {
        var retriedToken = false
        let request = RetryingRequest(provider: "GoCardless", transport: transport, policy: retry, clock: clock, logger: logger)
        // Creating agreements/requisitions is not idempotent: never repeat it on a 5xx or timeout.
        return try await request.send(method, url: url, body: body?.canonicalBytes, endpoint: endpoint, retriable: method == "GET" || !authenticated, prepare: {
            var headers: [(name: String, value: String)] = [("accept", "application/json")]
            var token: String?
            if authenticated {
                let t = try await accessToken()
                token = t
                headers.append(("authorization", "Bearer \(t)"))
            }
            if body != nil { headers.append(("content-type", "application/json")) }
            return (headers, token)
        }, transportFailure: { e, attempts in
            let code: GoCardlessError.Code = e.code == .deadlineExceeded ? .timeout : e.code == .redirectRefused ? .redirectRefused : .transport
            return GoCardlessError(code: code, endpoint: endpoint, accountID: accountID, httpStatus: e.status, summary: e.message,
                                   detail: e.isTransient ? "gave up after \(attempts) attempt\(attempts == 1 ? "" : "s")" : nil)
        }, answer: { response, token, attempt -> RetryingRequest.Step<GoCardlessResponse> in
            // Whatever the provider says is cleaned of the secrets and the token it was sent.
            let redactor = self.redactor.merging(SecretRedactor(secrets: token.map { [$0] } ?? []))
            let status = response.status
            let rate = RateLimitInfo(headers: response.headers)

            if (200..<300).contains(status) {
                do {
                    return .done(GoCardlessResponse(json: try JSONValue.parse(response.body), rateLimit: rate, status: status))
                } catch {
                    throw malformed(endpoint, accountID, redactor.redact("\(error)"))
                }
            }

            var errorBody = (try? JSONValue.parse(response.body)).map(GoCardlessErrorBody.init(json:)) ?? GoCardlessErrorBody(summary: "HTTP \(status)", detail: nil)
            errorBody.summary = redactor.redact(errorBody.summary)
            errorBody.detail = redactor.redact(errorBody.detail)
            func fail(_ code: GoCardlessError.Code, retryAfter: Duration? = nil) -> GoCardlessError {
                GoCardlessError(code: code, endpoint: endpoint, accountID: accountID, httpStatus: status, summary: errorBody.summary, detail: errorBody.detail, type: errorBody.type, retryAfter: retryAfter)
            }
            let text = "\(errorBody.summary ?? "") \(errorBody.detail ?? "")".lowercased()

            switch status {
            case 401:
                if text.contains("end user agreement") && text.contains("expired") || errorBody.type == "AccessExpiredError" || errorBody.type == "AccountInactiveError" {
                    throw fail(.consentExpired)
                }
                if authenticated, !retriedToken, let token {
                    retriedToken = true
                    await tokens.invalidate(token)
                    return .again
                }
                throw fail(.authenticationFailed)
            case 403:
                throw fail(text.contains("end user agreement") ? .consentExpired : .forbidden)
            case 404: throw fail(.notFound)
            case 409: throw fail(.suspended)
            case 429:
                let bankBudget = errorBody.type == "RateLimitError" || rate.accountBudgetSpent
                let resetSeconds = bankBudget ? (rate.accountSuccessReset ?? rate.reset) : (rate.reset ?? rate.accountSuccessReset)
                let resetWait = Duration.seconds(resetSeconds ?? 60)
                if !bankBudget, attempt.number < retry.maxAttempts, resetWait <= retry.maxRateLimitWait {
                    return .retry(after: resetWait, reason: "rate-limited; waiting for the window to reset")
                }
                throw fail(bankBudget ? .accountQuotaSpent : .rateLimited, retryAfter: resetSeconds.map { .seconds($0) })
            case 500...599:
                if let d = attempt.backoff { return .retry(after: d, reason: "answered \(status)") }
                throw fail(.server)
            case 400: throw fail(.invalidRequest)
            default: throw fail(.unexpectedStatus)
            }
        })
    }

    private func accessToken() async throws -> String {
        let credentials = self.credentials
        return try await tokens.accessToken(now: clock.date, mint: { [self] in
            let body: JSONValue = .object(["secret_id": .string(credentials.secretID), "secret_key": .string(credentials.secretKey)])
            let r = try await send("POST", url: baseURL + "/token/new/", body: body, endpoint: "POST /token/new/", accountID: nil, authenticated: false)
            guard let access = r.json["access"]?.string, let refresh = r.json["refresh"]?.string else { throw malformed("POST /token/new/", nil, "expected access and refresh tokens") }
            let t = clock.date
            return (GoCardlessTokenCache.Token(value: access, expiresAt: GoCardlessTokenCache.expiry(ofJWT: access) ?? t.addingTimeInterval(Double(r.json["access_expires"]?.int ?? 3600))),
                    GoCardlessTokenCache.Token(value: refresh, expiresAt: GoCardlessTokenCache.expiry(ofJWT: refresh) ?? t.addingTimeInterval(Double(r.json["refresh_expires"]?.int ?? 86_400))))
        }, renew: { [self] refresh in
            let r = try await send("POST", url: baseURL + "/token/refresh/", body: .object(["refresh": .string(refresh)]), endpoint: "POST /token/refresh/", accountID: nil, authenticated: false)
            guard let access = r.json["access"]?.string else { throw malformed("POST /token/refresh/", nil, "expected an access token") }
            return GoCardlessTokenCache.Token(value: access, expiresAt: GoCardlessTokenCache.expiry(ofJWT: access) ?? clock.date.addingTimeInterval(Double(r.json["access_expires"]?.int ?? 3600)))
        })
    }

    private func object(_ r: GoCardlessResponse, _ endpoint: String, _ accountID: String?) throws -> JSONValue {
        guard r.json.object != nil else { throw malformed(endpoint, accountID, "expected a JSON object") }
        return r.json
    }

    private func malformed(_ endpoint: String, _ accountID: String?, _ why: String) -> GoCardlessError {
        GoCardlessError(code: .malformedResponse, endpoint: endpoint, accountID: accountID, summary: "malformed response", detail: why)
    }

    private func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? s
    }
}
