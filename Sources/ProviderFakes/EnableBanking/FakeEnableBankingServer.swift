import Clocks
import _CryptoExtras
import CanonicalJSON
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// A fake Enable Banking API (AIS) on 127.0.0.1, serving a ``FakeEnableBankingScenario``.
///
/// Faithful to `../shared/providers/enablebanking.md`: every call's JWT is verified against
/// the registered public key (401 `UNAUTHORIZED_ACCESS` otherwise); `/application`,
/// `/aspsps` (an object), `POST /auth` (registered redirect URLs only, `valid_until` strictly
/// below the bank's maximum), a consent page redirecting with `code` and `state`,
/// `POST /sessions` (a code works once, for ten minutes; new uids on every authorisation,
/// stable `identification_hash`), `GET /sessions/{id}`, details, balances and transactions
/// (inclusive dates; more than 90 days only in the grace window after authorisation,
/// else 422 `WRONG_TRANSACTIONS_PERIOD`; continuation keys bound to date_from, date_to,
/// transaction_status and strategy, 422 `WRONG_REQUEST_PARAMETERS` on a mismatch). Quirks and
/// faults: the repeated continuation key, items without ids, signed amounts, per-account daily
/// budgets (429 `ASPSP_RATE_LIMIT_EXCEEDED`, no `Retry-After`), sessions ending early (401
/// `EXPIRED_SESSION`), 5xx, HTML 502s and malformed bodies.
///
/// PSU headers (§8): data calls carrying none are background calls, counted against the
/// bank's daily budget per account and endpoint; calls carrying any are exempt, but must
/// carry every one of the bank's `required_psu_headers` (400 `PSU_HEADER_NOT_PROVIDED`
/// otherwise), and a bank with ``FakeEnableBankingScenario/Bank/refusesPrivatePSUAddress``
/// answers 400 `ASPSP_ERROR` to a private `Psu-Ip-Address`. Every request's PSU headers are
/// recorded (``psuHeaders``) so tests can check what was sent, and what was not.
public final class FakeEnableBankingServer: Sendable {
    /// A fault the next matching requests get.
    public enum Fault: Sendable {
        case status(Int)
        /// 502 with an HTML body, as a proxy sends.
        case html502
        /// 200 with a body that is not JSON.
        case malformed
        /// 429 `ASPSP_RATE_LIMIT_EXCEEDED` with a bank's wording.
        case rateLimit
    }

    struct Session {
        var bank: Int
        var status = "AUTHORIZED"
        var validUntil: Date
        var authorizedAt: Date
        var created: Date
        var uids: [String]
        /// Data calls answer 401 EXPIRED_SESSION while `GET /sessions` still says AUTHORIZED.
        var endedEarly = false
    }

    /// One request as received, with the PSU headers it carried (name as the reference spells it → value).
    public struct ReceivedRequest: Sendable, Hashable {
        public var target: String
        public var psu: [String: String]
    }

    /// The PSU header names the data endpoints accept (§8).
    public static let psuHeaderNames = ["Psu-Ip-Address", "Psu-User-Agent", "Psu-Referer", "Psu-Accept", "Psu-Accept-Charset",
                                        "Psu-Accept-Encoding", "Psu-Accept-language", "Psu-Geo-Location"]

    struct State {
        var scenario: FakeEnableBankingScenario
        var authorizations: [String: (bank: Int, state: String, redirect: String, validUntil: Date)] = [:]
        var codes: [String: (authorization: String, issued: Date, used: Bool)] = [:]
        var sessions: [String: Session] = [:]
        var uids: [String: (session: String, account: Int)] = [:]
        var counters: [String: Int] = [:]
        var faults: [(match: String, fault: Fault)] = []
        var requests: [String] = []
        var received: [ReceivedRequest] = []
        var rejectedTokens: [String] = []
        var deny = false
        var sequence = 0
    }

    let clock: any FinsyncClock
    let jwt: FakeEnableBankingJWT
    let state: Mutex<State>
    private let server: Mutex<FakeProviderServer?> = Mutex(nil)

    public var baseURL: String { server.withLock { $0?.baseURL ?? "" } }

    init(scenario: FakeEnableBankingScenario, clock: any FinsyncClock) throws {
        self.clock = clock
        self.jwt = FakeEnableBankingJWT(applicationID: scenario.applicationID.lowercased(), publicKey: try _RSA.Signing.PublicKey(pemRepresentation: scenario.publicKeyPEM))
        self.state = Mutex(State(scenario: scenario))
    }

    public static func start(scenario: FakeEnableBankingScenario, clock: any FinsyncClock = SystemClock()) async throws -> FakeEnableBankingServer {
        let fake = try FakeEnableBankingServer(scenario: scenario, clock: clock)
        let s = try await FakeProviderServer.start(name: "fake-enablebanking") { [fake] request in
            var request = request
            let body = (try? await request.collectBody(upTo: 1 << 20)).map { Array($0.readableBytesView) } ?? []
            return fake.respond(request, body: body)
        }
        fake.server.withLock { $0 = s }
        return fake
    }

    public func stop() async {
        let s = server.withLock { $0 }
        await s?.stop()
    }

    // MARK: Test controls

    /// Every request as `METHOD path?query`.
    public var requests: [String] { state.withLock { $0.requests } }
    /// Every request with the PSU headers it carried (none for a background call).
    public var psuHeaders: [ReceivedRequest] { state.withLock { $0.received } }
    /// Why each refused JWT was refused.
    public var rejectedTokens: [String] { state.withLock { $0.rejectedTokens } }
    public func inject(_ fault: Fault, matching match: String, times: Int = 1) {
        state.withLock { st in for _ in 0..<times { st.faults.append((match, fault)) } }
    }
    /// The consent page refuses (`error=access_denied`).
    public func denyConsent(_ deny: Bool = true) { state.withLock { $0.deny = deny } }
    /// The sessions at `bank` end early: data calls answer 401 EXPIRED_SESSION.
    public func endSessionsEarly(bank: String) {
        state.withLock { st in
            guard let b = st.scenario.banks.firstIndex(where: { $0.name == bank }) else { return }
            for (id, s) in st.sessions where s.bank == b { st.sessions[id]?.endedEarly = true }
        }
    }
    /// Sets the status of every session at `bank` (e.g. `REVOKED`).
    public func setSessionStatus(bank: String, _ status: String) {
        state.withLock { st in
            guard let b = st.scenario.banks.firstIndex(where: { $0.name == bank }) else { return }
            for (id, s) in st.sessions where s.bank == b { st.sessions[id]?.status = status }
        }
    }
    public func updateScenario(_ body: @Sendable (inout FakeEnableBankingScenario) -> Void) { state.withLock { body(&$0.scenario) } }
    /// The account uids of the newest session at `bank`.
    public func currentUIDs(bank: String) -> [String] {
        state.withLock { st in
            guard let b = st.scenario.banks.firstIndex(where: { $0.name == bank }) else { return [] }
            return st.sessions.values.filter { $0.bank == b }.max { $0.created < $1.created }?.uids ?? []
        }
    }

    /// Where the consent page at `url` (a `POST /auth` answer's `url`) sends the browser:
    /// the redirect URL with `code` and `state`, or with `error` when consent is denied.
    public func consentRedirect(for url: String) -> String? {
        guard let id = URLComponents(string: url)?.queryItems?.first(where: { $0.name == "authorization_id" })?.value else { return nil }
        let now = clock.date
        return state.withLock { st in Self.redirect(&st, authorization: id, now: now) }
    }

    static func redirect(_ st: inout State, authorization id: String, now: Date) -> String? {
        guard let a = st.authorizations[id], var c = URLComponents(string: a.redirect) else { return nil }
        if st.deny {
            c.queryItems = [URLQueryItem(name: "state", value: a.state), URLQueryItem(name: "error", value: "access_denied"),
                            URLQueryItem(name: "error_description", value: "The user cancelled")]
        } else {
            st.sequence += 1
            let code = "code-\(st.sequence)-\(UUID().uuidString.lowercased())"
            st.codes[code] = (id, now, false)
            c.queryItems = [URLQueryItem(name: "code", value: code), URLQueryItem(name: "state", value: a.state)]
        }
        return c.url?.absoluteString
    }

    // MARK: Serving

    func respond(_ request: Request, body: [UInt8]) -> Response {
        let path = request.uri.path
        let query = Dictionary((URLComponents(string: "http://x\(request.uri.description)")?.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        let method = request.method.rawValue
        let now = clock.date
        let authorization = request.headers[.authorization]
        var psu: [String: String] = [:]
        for name in Self.psuHeaderNames {
            if let field = HTTPField.Name(name), let value = request.headers[field] { psu[name] = value }
        }
        return state.withLock { st -> Response in
            let line = "\(method) \(path)" + (request.uri.query.map { "?\($0)" } ?? "")
            st.requests.append(line)
            st.received.append(ReceivedRequest(target: line, psu: psu))
            if path == "/consent" {
                guard let id = query["authorization_id"], let to = Self.redirect(&st, authorization: id, now: now) else { return Self.error(404, "NOT_FOUND", "Unknown authorisation") }
                return Response(status: .found, headers: [.location: to])
            }
            if let problem = jwt.problem(authorization, now: now) {
                st.rejectedTokens.append(problem)
                return Self.error(401, "UNAUTHORIZED_ACCESS", "Unauthorized access")
            }
            let target = "\(path)?\(request.uri.query ?? "")"
            if let i = st.faults.firstIndex(where: { target.contains($0.match) }) {
                let f = st.faults.remove(at: i).fault
                switch f {
                case .status(let s): return Self.error(s, s >= 500 ? "ASPSP_ERROR" : "WRONG_REQUEST_PARAMETERS", "Injected failure")
                case .html502: return FakeProviderResponses.text("<html><body><h1>502 Bad Gateway</h1></body></html>", status: .badGateway, headers: [.contentType: "text/html"])
                case .malformed: return FakeProviderResponses.text("{\"transactions\": [", status: .ok, headers: [.contentType: "application/json"])
                case .rateLimit: return Self.error(429, "ASPSP_RATE_LIMIT_EXCEEDED", "Daily PSU not present consultation limit has been exceeded")
                }
            }
            let parts = path.split(separator: "/").map(String.init)
            switch (method, parts.first ?? "", parts.count) {
            case ("GET", "application", 1):
                return FakeProviderResponses.json(["name": "finsync test", "kid": .string(st.scenario.applicationID), "environment": "SANDBOX",
                                                   "redirect_urls": .array(st.scenario.redirectURLs.map { .string($0) }), "active": true,
                                                   "countries": .array(Array(Set(st.scenario.banks.map(\.country))).sorted().map { .string($0) }), "services": ["AIS"]])
            case ("GET", "aspsps", 1):
                let country = query["country"]?.uppercased()
                let banks = st.scenario.banks.filter { country == nil || $0.country == country }
                return FakeProviderResponses.json(["aspsps": .array(banks.map(Self.aspsp))])
            case ("POST", "auth", 1): return Self.startAuth(&st, body: body, now: now, origin: baseURL)
            case ("POST", "sessions", 1): return Self.createSession(&st, body: body, now: now)
            case ("GET", "sessions", 2):
                guard let s = st.sessions[parts[1]] else { return Self.error(404, "SESSION_DOES_NOT_EXIST", "Session does not exist") }
                return FakeProviderResponses.json(Self.session(st, parts[1], s, now: now))
            case ("DELETE", "sessions", 2):
                st.sessions[parts[1]]?.status = "CLOSED"
                return FakeProviderResponses.json(["message": "OK"])
            case ("GET", "accounts", 3):
                return Self.accountData(&st, uid: parts[1], endpoint: parts[2], query: query, psu: psu, now: now)
            default:
                return Self.error(404, "NOT_FOUND", "Not found")
            }
        }
    }

    static func error(_ status: Int, _ code: String, _ message: String, detail: JSONValue = .null) -> Response {
        FakeProviderResponses.json(["code": .number(String(status)), "message": .string(message), "error": .string(code), "detail": detail],
                                   status: HTTPResponse.Status(code: status))
    }

    static func aspsp(_ b: FakeEnableBankingScenario.Bank) -> JSONValue {
        var o: [String: JSONValue] = ["name": .string(b.name), "country": .string(b.country), "logo": .string("https://enablebanking.com/brands/\(b.country)/\(b.name)/"),
                                      "psu_types": ["personal"], "maximum_consent_validity": .number(String(b.maximumConsentValidity)), "beta": false,
                                      "auth_methods": [["psu_type": "personal", "approach": "REDIRECT", "hidden_method": false]]]
        if !b.requiredPSUHeaders.isEmpty { o["required_psu_headers"] = .array(b.requiredPSUHeaders.map { .string($0) }) }
        return .object(o)
    }

    static func startAuth(_ st: inout State, body: [UInt8], now: Date, origin: String) -> Response {
        guard let j = try? JSONValue.parse(body) else { return error(422, "WRONG_REQUEST_PARAMETERS", "Body must be JSON") }
        guard let redirect = j["redirect_url"]?.string, st.scenario.redirectURLs.contains(redirect) else {
            return error(400, "REDIRECT_URI_NOT_ALLOWED", "Redirect URI not allowed")
        }
        guard let name = j["aspsp"]?["name"]?.string, let country = j["aspsp"]?["country"]?.string,
              let b = st.scenario.banks.firstIndex(where: { $0.name == name && $0.country == country }) else {
            return error(400, "WRONG_ASPSP_PROVIDED", "Wrong ASPSP provided")
        }
        guard let stateText = j["state"]?.string, let validText = j["access"]?["valid_until"]?.string, let valid = parseTime(validText) else {
            return error(422, "WRONG_REQUEST_PARAMETERS", "state and access.valid_until are required")
        }
        let max = st.scenario.banks[b].maximumConsentValidity
        if valid.timeIntervalSince(now) >= Double(max) {
            return error(422, "WRONG_REQUEST_PARAMETERS", "ASPSP does not support consent validity more than \(max) seconds in the future")
        }
        st.sequence += 1
        let id = "auth-\(st.sequence)-\(UUID().uuidString.lowercased())"
        st.authorizations[id] = (b, stateText, redirect, valid)
        return FakeProviderResponses.json(["url": .string("\(origin)/consent?authorization_id=\(id)"), "authorization_id": .string(id), "psu_id_hash": "fake-psu-hash"])
    }

    static func createSession(_ st: inout State, body: [UInt8], now: Date) -> Response {
        guard let code = (try? JSONValue.parse(body))?["code"]?.string, let c = st.codes[code] else {
            return error(400, "WRONG_AUTHORIZATION_CODE", "Wrong authorization code")
        }
        if c.used { return error(400, "ALREADY_AUTHORIZED", "Session is already authorized") }
        if now.timeIntervalSince(c.issued) > 600 { return error(400, "EXPIRED_AUTHORIZATION_CODE", "Authorization code expired") }
        st.codes[code]?.used = true
        guard let a = st.authorizations[c.authorization] else { return error(400, "WRONG_AUTHORIZATION_CODE", "Wrong authorization code") }
        let bank = st.scenario.banks[a.bank]
        let sid = UUID().uuidString.lowercased()
        var uids: [String] = []
        for i in bank.accounts.indices {
            let uid = UUID().uuidString.lowercased()
            uids.append(uid)
            st.uids[uid] = (sid, i)
        }
        st.sessions[sid] = Session(bank: a.bank, validUntil: a.validUntil, authorizedAt: now, created: now, uids: uids)
        let accounts = zip(bank.accounts, uids).map { account($0, uid: $1) }
        return FakeProviderResponses.json(["session_id": .string(sid), "accounts": .array(accounts),
                                           "aspsp": ["name": .string(bank.name), "country": .string(bank.country)], "psu_type": "personal",
                                           "access": ["valid_until": .string(timeText(a.validUntil))]])
    }

    static func account(_ a: FakeEnableBankingScenario.Account, uid: String) -> JSONValue {
        var o: [String: JSONValue] = ["uid": .string(uid), "cash_account_type": .string(a.cashAccountType), "currency": .string(a.currency),
                                      "identification_hash": .string(a.identificationHash), "identification_hashes": [.string(a.identificationHash)]]
        if let iban = a.iban { o["account_id"] = ["iban": .string(iban)] }
        if let n = a.name { o["name"] = .string(n) }
        return .object(o)
    }

    static func session(_ st: State, _ id: String, _ s: Session, now: Date) -> JSONValue {
        let bank = st.scenario.banks[s.bank]
        var status = s.status
        if status == "AUTHORIZED", s.validUntil <= now { status = "EXPIRED" }
        return ["status": .string(status), "accounts": .array(s.uids.map { .string($0) }),
                "accounts_data": .array(zip(s.uids, bank.accounts).map { uid, a -> JSONValue in ["uid": .string(uid), "identification_hash": .string(a.identificationHash), "identification_hashes": [.string(a.identificationHash)]] }),
                "aspsp": ["name": .string(bank.name), "country": .string(bank.country)], "psu_type": "personal", "psu_id_hash": "fake-psu-hash",
                "access": ["valid_until": .string(timeText(s.validUntil))], "created": .string(timeText(s.created)), "authorized": .string(timeText(s.authorizedAt))]
    }

    static func accountData(_ st: inout State, uid: String, endpoint: String, query: [String: String], psu: [String: String], now: Date) -> Response {
        guard let ref = st.uids[uid], let s = st.sessions[ref.session] else { return error(404, "ACCOUNT_DOES_NOT_EXIST", "Account does not exist") }
        if s.endedEarly || s.status == "EXPIRED" || s.validUntil <= now { return error(401, "EXPIRED_SESSION", "Session expired") }
        if s.status == "REVOKED" { return error(401, "REVOKED_SESSION", "Session revoked") }
        if s.status == "CLOSED" { return error(401, "CLOSED_SESSION", "Session closed") }
        let bank = st.scenario.banks[s.bank], account = bank.accounts[ref.account]
        let sent = Set(psu.keys.map { $0.lowercased() })
        if !bank.requiredPSUHeaders.isEmpty, !psu.isEmpty, !Set(bank.requiredPSUHeaders.map { $0.lowercased() }).isSubset(of: sent) {
            let missing = bank.requiredPSUHeaders.filter { !sent.contains($0.lowercased()) }
            return error(400, "PSU_HEADER_NOT_PROVIDED", "Required PSU header not provided: \(missing.joined(separator: ", "))")
        }
        if bank.refusesPrivatePSUAddress, let ip = psu["Psu-Ip-Address"], !isPublic(ip) {
            return error(400, "ASPSP_ERROR", "Error interacting with ASPSP", detail: ["message": "Invalid PSU-IP-Address", "error_name": "ASPSPException", "error_data": [:]])
        }
        if psu.isEmpty, let limit = bank.dailyLimit {
            let key = "\(account.identificationHash)|\(endpoint)|\(Int(now.timeIntervalSince1970 / 86_400))"
            st.counters[key, default: 0] += 1
            if st.counters[key]! > limit { return error(429, "ASPSP_RATE_LIMIT_EXCEEDED", "[HUB046] Allowed number of accesses exceeded for consent.") }
        }
        switch endpoint {
        case "details": return FakeProviderResponses.json(Self.account(account, uid: uid))
        case "balances":
            let today = day(now)
            return FakeProviderResponses.json(["balances": .array(account.balances.map { b -> JSONValue in
                ["name": .string(b.type), "balance_amount": ["currency": .string(account.currency), "amount": .string(b.amount)], "balance_type": .string(b.type),
                 "reference_date": .string(dayText(today))]
            })])
        case "transactions": return transactions(st, account: account, bank: bank, session: s, query: query, now: now)
        default: return error(404, "NOT_FOUND", "Not found")
        }
    }

    static func transactions(_ st: State, account: FakeEnableBankingScenario.Account, bank: FakeEnableBankingScenario.Bank, session: Session,
                             query: [String: String], now: Date) -> Response {
        let today = day(now)
        guard let fromText = query["date_from"], let from = dayNumber(fromText) else {
            return query["date_to"] != nil ? error(422, "DATE_TO_WITHOUT_DATE_FROM", "date_to without date_from") : error(422, "WRONG_REQUEST_PARAMETERS", "date_from is required")
        }
        let to = query["date_to"].flatMap(dayNumber) ?? today
        if from > today { return error(422, "DATE_FROM_IN_FUTURE", "date_from in future") }
        if to < from { return error(422, "WRONG_DATE_INTERVAL", "Wrong date interval") }
        let days = to - from + 1
        let inGrace = now.timeIntervalSince(session.authorizedAt) <= st.scenario.graceSeconds
        if days > 730 || (days > st.scenario.maxDaysAfterGrace && !inGrace) {
            return error(422, "WRONG_TRANSACTIONS_PERIOD", "Wrong transactions period requested",
                         detail: ["message": "Wrong transactions period requested", "error_name": "TransactionsPeriodException", "error_data": [:]])
        }
        let status = query["transaction_status"]
        let bound = [fromText, query["date_to"] ?? "", status ?? "", query["strategy"] ?? ""].joined(separator: "|")
        var offset = 0
        if let key = query["continuation_key"] {
            guard let decoded = Data(base64Encoded: key).map({ String(decoding: $0, as: UTF8.self) }), let bar = decoded.lastIndex(of: "#"),
                  let o = Int(decoded[decoded.index(after: bar)...]) else {
                return error(422, "WRONG_CONTINUATION_KEY", "Wrong continuation key")
            }
            guard String(decoded[..<bar]) == bound else {
                return error(422, "WRONG_REQUEST_PARAMETERS", "dateFrom in request is not the same as in continuationKey. Continuation key is only valid for the same getAccountTransactions parameters",
                             detail: ["message": "parameters differ", "error_name": "ParameterValidationException", "error_data": [:]])
            }
            offset = bank.repeatsContinuationKey ? 0 : o
        }
        let matching = account.transactions.filter { t in
            (status == nil || t.status == status) && (t.undated || (from...to).contains(today - t.daysAgo))
        }
        let page = Array(matching.dropFirst(offset).prefix(bank.pageSize))
        let nextOffset = offset + page.count
        var next: JSONValue = .null
        if bank.repeatsContinuationKey, !matching.isEmpty {
            next = .string(Data("\(bound)#0".utf8).base64EncodedString())
        } else if nextOffset < matching.count {
            next = .string(Data("\(bound)#\(nextOffset)".utf8).base64EncodedString())
        }
        return FakeProviderResponses.json(["transactions": .array(page.map { render($0, currency: account.currency, today: today) }), "continuation_key": next])
    }

    static func render(_ t: FakeEnableBankingScenario.Transaction, currency: String, today: Int) -> JSONValue {
        var o: [String: JSONValue] = ["transaction_amount": ["currency": .string(currency), "amount": .string(t.amount)], "status": .string(t.status)]
        if let i = t.indicator { o["credit_debit_indicator"] = .string(i) }
        if let r = t.entryReference { o["entry_reference"] = .string(r) }
        if !t.undated {
            let d = dayText(today - t.daysAgo)
            o["booking_date"] = .string(d); o["value_date"] = .string(d); o["transaction_date"] = .string(d)
        }
        if let c = t.counterparty { o[t.indicator == "CRDT" ? "debtor" : "creditor"] = ["name": .string(c)] }
        if let text = t.text { o["remittance_information"] = [.string(text)] }
        return .object(o)
    }

    /// A crude public-address check for the fake's HVB-like bank: the private, loopback and
    /// link-local IPv4 ranges and IPv6 `::1`/`fe80::`/`fc00::`.
    static func isPublic(_ ip: String) -> Bool {
        let v4 = ip.split(separator: ".").compactMap { Int($0) }
        if v4.count == 4 {
            switch (v4[0], v4[1]) {
            case (10, _), (127, _), (169, 254), (192, 168), (0, _): return false
            case (172, let b) where (16...31).contains(b): return false
            default: return true
            }
        }
        let l = ip.lowercased()
        return !(l == "::1" || l.hasPrefix("fe80:") || l.hasPrefix("fc") || l.hasPrefix("fd"))
    }

    static func day(_ d: Date) -> Int { Int((d.timeIntervalSince1970 / 86_400).rounded(.down)) }
    static func dayText(_ n: Int) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX"); f.timeZone = TimeZone(identifier: "UTC"); f.dateFormat = "yyyy-MM-dd"
        return f.string(from: Date(timeIntervalSince1970: Double(n) * 86_400))
    }
    static func dayNumber(_ s: String) -> Int? {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX"); f.timeZone = TimeZone(identifier: "UTC"); f.dateFormat = "yyyy-MM-dd"
        return f.date(from: s).map(day)
    }
    static func timeText(_ d: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return f.string(from: d)
    }
    static func parseTime(_ s: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: s) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: s)
    }
}
