import Clocks
import CanonicalJSON
import Foundation
import Logging

/// A client for the Enable Banking API (AIS).
///
/// - Every request carries a JWT signed with the application's key (``EnableBankingTokenSigner``,
///   reused for an hour); a 401 `UNAUTHORIZED_ACCESS` drops the token and tries once more.
/// - Requests go through ``ProviderHTTPTransport`` (deadline, fast connect failures, no redirects).
/// - 5xx answers and transport failures of reads are retried with ``RetryPolicy``'s bounded,
///   jittered backoff (``RetryingRequest``, the loop GoCardless uses too); `POST /auth` and
///   `POST /sessions` never are (a code works once).
/// - A 429 (`ASPSP_RATE_LIMIT_EXCEEDED`, the bank's budget) is never retried.
/// - Error bodies of every shape become an ``EnableBankingError`` naming endpoint, bank and
///   account; tokens are redacted from anything the API says.
public final class EnableBankingClient: Sendable {
    public let baseURL: String
    public let signer: EnableBankingTokenSigner
    private let transport: ProviderHTTPTransport
    public let retry: RetryPolicy
    private let clock: any FinsyncClock
    private let logger: Logger

    public init(baseURL: String = EnableBankingConfiguration.defaultBaseURL, signer: EnableBankingTokenSigner, transport: ProviderHTTPTransport = ProviderHTTPTransport(),
                retry: RetryPolicy = RetryPolicy(), clock: any FinsyncClock = SystemClock(), logger: Logger = Logger(label: "finsync.enablebanking")) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.signer = signer
        self.transport = transport
        self.retry = retry
        self.clock = clock
        self.logger = logger
    }

    /// A page of `GET /accounts/{uid}/transactions`.
    public struct TransactionPage: Sendable {
        public var transactions: [JSONValue]
        public var continuationKey: String?
    }

    /// `GET /application`: the cheap credential check.
    public func application() async throws -> JSONValue {
        try await object(get("/application", endpoint: "GET /application"), "GET /application", bank: nil, account: nil)
    }

    /// `GET /aspsps?country=CC`: the banks of a country (the answer is `{"aspsps": [...]}`).
    public func aspsps(country: String?) async throws -> [JSONValue] {
        let q = country.map { [("country", $0.uppercased())] } ?? []
        let r = try await get("/aspsps", query: q, endpoint: "GET /aspsps")
        guard let list = r["aspsps"]?.array else { throw malformed("GET /aspsps", nil, nil, "expected {\"aspsps\": [...]}") }
        return list
    }

    /// `POST /auth`: starts authorisation; the answer's `url` is where the person goes.
    public func startAuthorization(_ body: JSONValue, bank: String) async throws -> JSONValue {
        let r = try await send("POST", path: "/auth", query: [], body: body, endpoint: "POST /auth", bank: bank, account: nil)
        guard r["url"]?.string != nil else { throw malformed("POST /auth", bank, nil, "expected a \"url\"") }
        return r
    }

    /// `POST /sessions`: exchanges the redirect's code for a session with its accounts.
    public func createSession(code: String) async throws -> JSONValue {
        let r = try await send("POST", path: "/sessions", query: [], body: .object(["code": .string(code)]), endpoint: "POST /sessions", bank: nil, account: nil)
        guard r["session_id"]?.string != nil, r["accounts"]?.array != nil else { throw malformed("POST /sessions", nil, nil, "expected session_id and accounts") }
        return r
    }

    /// `GET /sessions/{id}`.
    public func session(id: String, bank: String?) async throws -> JSONValue {
        try await object(get("/sessions/\(escape(id))", endpoint: "GET /sessions/{id}", bank: bank), "GET /sessions/{id}", bank: bank, account: nil)
    }

    /// `GET /accounts/{uid}/balances` → the `balances` array.
    /// - Parameter psu: the PSU headers to send (``EnableBankingPSUHeaders``); none for a background call.
    public func balances(uid: String, bank: String?, account: String?, psu: [(name: String, value: String)] = []) async throws -> [JSONValue] {
        let endpoint = "GET /accounts/{uid}/balances"
        let r = try await get("/accounts/\(escape(uid))/balances", endpoint: endpoint, bank: bank, account: account, psu: psu)
        guard let list = r["balances"]?.array else { throw malformed(endpoint, bank, account, "expected {\"balances\": [...]}") }
        return list
    }

    /// `GET /accounts/{uid}/transactions`: one page. Follow-up pages must repeat `dateFrom`,
    /// `dateTo` and `status` exactly (the caller's loop does).
    public func transactions(uid: String, dateFrom: String, dateTo: String, status: String?, strategy: String?, continuationKey: String?,
                             bank: String?, account: String?, psu: [(name: String, value: String)] = []) async throws -> TransactionPage {
        let endpoint = "GET /accounts/{uid}/transactions"
        var q: [(String, String)] = [("date_from", dateFrom), ("date_to", dateTo)]
        if let status { q.append(("transaction_status", status)) }
        if let strategy { q.append(("strategy", strategy)) }
        if let continuationKey { q.append(("continuation_key", continuationKey)) }
        let r = try await get("/accounts/\(escape(uid))/transactions", query: q, endpoint: endpoint, bank: bank, account: account, psu: psu)
        guard let list = r["transactions"]?.array else { throw malformed(endpoint, bank, account, "expected {\"transactions\": [...]}") }
        let key = r["continuation_key"]?.string.flatMap { $0.isEmpty ? nil : $0 }
        return TransactionPage(transactions: list, continuationKey: key)
    }

    // MARK: Sending

    private func get(_ path: String, query: [(String, String)] = [], endpoint: String, bank: String? = nil, account: String? = nil,
                     psu: [(name: String, value: String)] = []) async throws -> JSONValue {
        try await send("GET", path: path, query: query, body: nil, endpoint: endpoint, bank: bank, account: account, psu: psu)
    }

    private func send(_ method: String, path: String, query: [(String, String)], body: JSONValue?, endpoint: String, bank: String?, account: String?,
                      psu: [(name: String, value: String)] = []) async throws -> JSONValue {
        var components = URLComponents()
        components.queryItems = query.isEmpty ? nil : query.map { URLQueryItem(name: $0.0, value: $0.1) }
        // `+` is a space in query strings: continuation keys and dates must arrive as sent.
        let queryText = components.percentEncodedQuery.map { "?" + $0.replacingOccurrences(of: "+", with: "%2B") } ?? ""
        let url = baseURL + path + queryText
        var retriedToken = false
        let request = RetryingRequest(provider: "Enable Banking", transport: transport, policy: retry, clock: clock, logger: logger)
        return try await request.send(method, url: url, body: body?.canonicalBytes, endpoint: endpoint, retriable: method == "GET", prepare: {
            let token = try await signer.token(now: clock.date)
            var headers: [(name: String, value: String)] = [("accept", "application/json"), ("authorization", "Bearer \(token)")]
            if body != nil { headers.append(("content-type", "application/json")) }
            return (headers + psu, SecretRedactor(secrets: [token]))
        }, transportFailure: { e, attempts in
            let code: EnableBankingError.Code = e.code == .deadlineExceeded ? .timeout : e.code == .redirectRefused ? .redirectRefused : .transport
            return EnableBankingError(code: code, endpoint: endpoint, bank: bank, account: account, httpStatus: e.status,
                                      message: e.message + (e.isTransient ? " (gave up after \(attempts) attempt\(attempts == 1 ? "" : "s"))" : ""))
        }, answer: { response, redactor, attempt -> RetryingRequest.Step<JSONValue> in
            let status = response.status
            if (200..<300).contains(status) {
                do { return .done(try JSONValue.parse(response.body)) } catch { throw malformed(endpoint, bank, account, redactor.redact("\(error)")) }
            }
            let parsed = EnableBankingErrorBody(status: status, body: response.body)
            func fail(_ code: EnableBankingError.Code) -> EnableBankingError {
                EnableBankingError(code: code, endpoint: endpoint, bank: bank, account: account, httpStatus: status, errorCode: parsed.errorCode,
                                   message: redactor.redact(parsed.message))
            }
            switch (status, parsed.errorCode ?? "") {
            case (_, "EXPIRED_SESSION"), (_, "REVOKED_SESSION"), (_, "CLOSED_SESSION"), (_, "INVALID_ACCOUNT_ID"):
                throw fail(.sessionEnded)
            case (429, _), (_, "ASPSP_RATE_LIMIT_EXCEEDED"):
                throw fail(.rateLimited)
            case (_, "WRONG_TRANSACTIONS_PERIOD"):
                throw fail(.wrongPeriod)
            case (401, _), (403, _):
                if status == 401, !retriedToken {
                    retriedToken = true
                    await signer.invalidate()
                    return .again
                }
                throw fail(.authenticationFailed)
            case (404, _): throw fail(.notFound)
            case (500...599, _):
                if let d = attempt.backoff { return .retry(after: d, reason: "answered \(status)") }
                throw fail(.server)
            case (400, _), (422, _): throw fail(.invalidRequest)
            default: throw fail(.unexpectedStatus)
            }
        })
    }

    private func object(_ j: JSONValue, _ endpoint: String, bank: String?, account: String?) throws -> JSONValue {
        guard j.object != nil else { throw malformed(endpoint, bank, account, "expected a JSON object") }
        return j
    }

    private func malformed(_ endpoint: String, _ bank: String?, _ account: String?, _ why: String) -> EnableBankingError {
        EnableBankingError(code: .malformedResponse, endpoint: endpoint, bank: bank, account: account, httpStatus: 200, message: "malformed response: \(why)")
    }

    private func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? s
    }
}
