import CanonicalJSON
import Clocks
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// A fake Trading212 public API (v0) on 127.0.0.1, for tests and the sandbox demo.
///
/// Serves either API generation (``Generation``), accepts both auth schemes (HTTP Basic
/// `key:secret` and the bare key), limits each endpoint with a token bucket that emits the
/// five `x-ratelimit-*` headers and 429s, answers 403 `Scope(…) missing for API key` for
/// scopes taken away with ``removeScope(_:)``, and paginates history with `nextPagePath`
/// (ms-epoch cursors for orders and dividends, UUID+time for transactions) ending in null.
public final class FakeTrading212Server: Sendable {
    /// Which API generation the fake speaks; the other generation's paths answer 404.
    public enum Generation: Sendable {
        /// `/equity/account/summary`, `/equity/positions`, `/equity/history/*`, order+fill items.
        case current
        /// `/equity/account/cash` + `/info`, `/equity/portfolio`, `/history/{dividends,transactions}`, flat order items.
        case legacy
    }

    /// What a failing request is answered.
    enum Failure: Sendable {
        case status(Int)
        /// Hostile: this status, with the request's key (and secret) echoed in the error body.
        case echoCredentials(Int)
        /// Hostile: a redirect (`307`) to `location`.
        case redirect(String)
    }

    struct State: Sendable {
        var scenario: FakeTrading212Scenario
        var generation: Generation
        var missingScopes: Set<String> = []
        var limiter = FakeTrading212RateLimiter()
        var requests: [String] = []
        var authSchemes: [String] = []
        var failures: [(match: String, answer: Failure)] = []
        var rateLimited = 0
    }

    public let apiKey: String
    public let apiSecret: String
    let clock: any FinsyncClock
    let state: Mutex<State>
    private let server: Mutex<FakeProviderServer?> = Mutex(nil)

    /// `http://127.0.0.1:<port>`: a connection's `base_url`.
    public var baseURL: String { server.withLock { $0?.baseURL ?? "" } }

    init(scenario: FakeTrading212Scenario, generation: Generation, apiKey: String, apiSecret: String, clock: any FinsyncClock) {
        self.apiKey = apiKey
        self.apiSecret = apiSecret
        self.clock = clock
        self.state = Mutex(State(scenario: scenario, generation: generation))
    }

    /// Starts a fake serving `scenario` in `generation`'s shapes.
    public static func start(scenario: FakeTrading212Scenario = .isa(), generation: Generation = .current,
                             apiKey: String = "FAKE-T212-ISA-KEY", apiSecret: String = "FAKE-T212-ISA-SECRET",
                             clock: any FinsyncClock = SystemClock()) async throws -> FakeTrading212Server {
        let fake = FakeTrading212Server(scenario: scenario, generation: generation, apiKey: apiKey, apiSecret: apiSecret, clock: clock)
        let s = try await FakeProviderServer.start(name: "fake-trading212") { [fake] request in fake.respond(request) }
        fake.server.withLock { $0 = s }
        return fake
    }

    /// The sandbox ISA (current API, wall clock). Configure it as
    /// `base_url = fake.baseURL`, key `fake.apiKey`, secret `fake.apiSecret`.
    public static func startSandbox() async throws -> FakeTrading212Server {
        try await start()
    }

    public func stop() async {
        let s = server.withLock { $0 }
        await s?.stop()
    }

    // MARK: Test controls

    /// Every request so far as `METHOD path?query`, in order.
    public var requests: [String] { state.withLock { $0.requests } }
    /// The auth scheme of every authenticated request: `basic` or `key`.
    public var authSchemes: [String] { state.withLock { $0.authSchemes } }
    /// How many requests were answered 429.
    public var rateLimitedCount: Int { state.withLock { $0.rateLimited } }
    public func setGeneration(_ g: Generation) { state.withLock { $0.generation = g } }
    /// Takes a scope (e.g. `history:dividends`) away from the key: its endpoints answer 403.
    public func removeScope(_ scope: String) { state.withLock { _ = $0.missingScopes.insert(scope) } }
    public func restoreScopes() { state.withLock { $0.missingScopes = [] } }
    /// The next `times` requests whose `path?query` contains `match` answer `status`, e.g.
    /// a 500 on the second history page to interrupt a run.
    public func failNext(matching match: String, status: Int = 500, times: Int = 1) {
        state.withLock { st in for _ in 0..<times { st.failures.append((match, .status(status))) } }
    }
    /// Hostile: the next `times` requests matching `match` answer `status` with the key and
    /// secret echoed back in the error body (a provider that quotes what it was sent).
    public func echoCredentialsNext(matching match: String, status: Int = 500, times: Int = 1) {
        state.withLock { st in for _ in 0..<times { st.failures.append((match, .echoCredentials(status))) } }
    }
    /// Hostile: the next request matching `match` answers 307 to `location` (e.g. another host).
    public func redirectNext(matching match: String, to location: String) {
        state.withLock { st in st.failures.append((match, .redirect(location))) }
    }
    /// Changes the scenario (e.g. a new order arrives).
    public func updateScenario(_ body: @Sendable (inout FakeTrading212Scenario) -> Void) { state.withLock { body(&$0.scenario) } }

    // MARK: Serving

    func respond(_ request: Request) -> Response {
        let path = request.uri.path
        let query = request.uri.query
        let now = clock.date
        return state.withLock { st -> Response in
            st.requests.append("\(request.method) \(path)" + (query.map { "?\($0)" } ?? ""))
            // Authentication: Basic key:secret, or the bare key.
            let auth = request.headers[.authorization] ?? ""
            if auth.hasPrefix("Basic "), let data = Data(base64Encoded: String(auth.dropFirst(6))), String(decoding: data, as: UTF8.self) == "\(apiKey):\(apiSecret)" {
                st.authSchemes.append("basic")
            } else if auth == apiKey {
                st.authSchemes.append("key")
            } else {
                return FakeProviderResponses.json(["type": "/api-errors/unauthorized", "title": "Bad API key", "status": 401], status: .unauthorized)
            }
            guard request.method == .get, let route = Self.route(path, generation: st.generation) else {
                return FakeProviderResponses.json(["type": "/api-errors/entity-not-found", "title": "Not found", "status": 404, "detail": .string("No such endpoint \(path)")], status: .notFound)
            }
            let full = path + (query.map { "?\($0)" } ?? "")
            if let i = st.failures.firstIndex(where: { full.contains($0.match) }) {
                switch st.failures.remove(at: i).answer {
                case .status(let status):
                    return FakeProviderResponses.json(["type": "/api-errors/internal", "title": "InternalError", "status": .number(String(status))], status: .init(code: status))
                case .echoCredentials(let status):
                    return FakeProviderResponses.json(["type": "/api-errors/internal", "title": "InternalError", "status": .number(String(status)),
                                                       "detail": .string("request with key \(apiKey) and secret \(apiSecret) (header \(auth)) failed")], status: .init(code: status))
                case .redirect(let location):
                    var fields = HTTPFields()
                    fields[.location] = location
                    return Response(status: .temporaryRedirect, headers: fields)
                }
            }
            let decision = st.limiter.take(path, now: now)
            var headers = HTTPFields()
            for (k, v) in decision.headers { headers[HTTPField.Name(k)!] = v }
            guard decision.allowed else {
                st.rateLimited += 1
                let l = FakeTrading212RateLimiter.limits[path]
                return FakeProviderResponses.text("Limited: \(l?.limit ?? 0) / \(l?.period ?? 0)s", status: .tooManyRequests, headers: headers)
            }
            if st.missingScopes.contains(route.scope) {
                return FakeProviderResponses.json(["type": "/api-errors/forbidden", "title": "Forbidden", "status": 403, "detail": .string("Scope(\(route.scope)) missing for API key")], status: .forbidden, headers: headers)
            }
            let params = Self.queryParameters(query)
            let render = FakeTrading212Rendering(scenario: st.scenario, generation: st.generation)
            let body: JSONValue
            switch route.kind {
            case .summary: body = render.summary
            case .cash: body = render.cash
            case .info: body = render.info
            case .positions: body = .array(render.positionsCurrent)
            case .portfolio: body = .array(render.positionsLegacy)
            case .instruments: body = .array(st.scenario.instruments)
            case .orders, .dividends, .transactions:
                do { body = try render.page(route.kind, path: path, params: params) } catch {
                    return FakeProviderResponses.json(["type": "/api-errors/bad-request", "title": "Bad filtering arguments", "status": 400, "detail": .string("\(error)")], status: .badRequest, headers: headers)
                }
            }
            return FakeProviderResponses.json(body, headers: headers)
        }
    }

    enum Kind: Sendable { case summary, cash, info, positions, portfolio, instruments, orders, dividends, transactions }

    static func route(_ path: String, generation: Generation) -> (kind: Kind, scope: String)? {
        switch (path, generation) {
        case ("/api/v0/equity/account/summary", .current): (.summary, "account")
        case ("/api/v0/equity/account/cash", .legacy): (.cash, "account")
        case ("/api/v0/equity/account/info", .legacy): (.info, "account")
        case ("/api/v0/equity/positions", .current): (.positions, "portfolio")
        case ("/api/v0/equity/portfolio", .legacy): (.portfolio, "portfolio")
        case ("/api/v0/equity/metadata/instruments", _): (.instruments, "metadata")
        case ("/api/v0/equity/history/orders", _): (.orders, "history:orders")
        case ("/api/v0/equity/history/dividends", .current): (.dividends, "history:dividends")
        case ("/api/v0/equity/history/transactions", .current): (.transactions, "history:transactions")
        case ("/api/v0/history/dividends", .legacy): (.dividends, "history:dividends")
        case ("/api/v0/history/transactions", .legacy): (.transactions, "history:transactions")
        default: nil
        }
    }

    static func queryParameters(_ query: String?) -> [String: String] {
        var out: [String: String] = [:]
        for pair in (query ?? "").split(separator: "&") {
            let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let k = String(kv[0]).removingPercentEncoding ?? String(kv[0])
            out[k] = kv.count > 1 ? (String(kv[1]).removingPercentEncoding ?? String(kv[1])) : ""
        }
        return out
    }
}
