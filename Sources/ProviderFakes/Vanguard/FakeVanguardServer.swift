import CanonicalJSON
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// A fake of Vanguard UK Investor's internal JSON endpoints on 127.0.0.1.
///
/// Answers `{"Result": …}` with `{Amount, Currency}` money; requires a valid session cookie
/// (`.AspNetCore.Session`), `X-Requested-With: XMLHttpRequest` and the matching
/// `anti-forgery-token` header. Sessions expire (401) after ``expireSessions(afterRequests:)``
/// more requests or at once with ``expireSessions()``; ``issueSession()`` logs in again.
public final class FakeVanguardServer: Sendable {
    /// A session as a browser would hold it.
    public struct Session: Sendable, Equatable {
        public var cookieValue: String
        public var antiForgeryToken: String
    }

    struct State: Sendable {
        var scenario: FakeVanguardScenario
        var sessions: [String: String] = [:]  // cookie → token
        var requestsLeft: Int?
        var requests: [String] = []
        var nextSession = 1
    }

    public static let sessionCookieName = ".AspNetCore.Session"
    let state: Mutex<State>
    private let server: Mutex<FakeProviderServer?> = Mutex(nil)

    public var baseURL: String { server.withLock { $0?.baseURL ?? "" } }

    init(scenario: FakeVanguardScenario) { state = Mutex(State(scenario: scenario)) }

    public static func start(scenario: FakeVanguardScenario = .isaAndGia()) async throws -> FakeVanguardServer {
        let fake = FakeVanguardServer(scenario: scenario)
        let s = try await FakeProviderServer.start(name: "fake-vanguard") { [fake] request in try await fake.respond(request) }
        fake.server.withLock { $0 = s }
        return fake
    }

    /// The sandbox Vanguard account; returns the server and a session file's JSON text to
    /// hand to `finsync connect vanguard --session FILE`.
    public static func startSandbox() async throws -> (server: FakeVanguardServer, sessionFileJSON: String) {
        let fake = try await start()
        return (fake, fake.sessionFileJSON(for: fake.issueSession()))
    }

    public func stop() async {
        let s = server.withLock { $0 }
        await s?.stop()
    }

    // MARK: Controls

    /// Logs in: a new valid session.
    public func issueSession() -> Session {
        state.withLock { st in
            let n = st.nextSession
            st.nextSession += 1
            let s = Session(cookieValue: "CfDJ8-fake-session-\(n)-\(UUID().uuidString.prefix(8))", antiForgeryToken: "CfDJ8-fake-xsrf-\(n)-\(UUID().uuidString.prefix(8))")
            st.sessions[s.cookieValue] = s.antiForgeryToken
            return s
        }
    }

    /// Every session expires now.
    public func expireSessions() { state.withLock { $0.sessions = [:] } }
    /// Every session expires after `n` more authenticated requests.
    public func expireSessions(afterRequests n: Int) { state.withLock { $0.requestsLeft = n } }
    public var requests: [String] { state.withLock { $0.requests } }
    public func updateScenario(_ body: @Sendable (inout FakeVanguardScenario) -> Void) { state.withLock { body(&$0.scenario) } }

    /// A session file (the shape `VanguardSession` reads) for `session`.
    public func sessionFileJSON(for session: Session) -> String {
        let scenario = state.withLock { $0.scenario }
        let json: JSONValue = [
            "version": 1, "base_url": .string(baseURL), "account_id": .string(scenario.accountID),
            "anti_forgery_token": .string(session.antiForgeryToken),
            "cookies": [["name": .string(Self.sessionCookieName), "value": .string(session.cookieValue), "domain": "127.0.0.1", "path": "/"],
                        ["name": "VanguardConsent", "value": "analytics=0", "domain": "127.0.0.1", "path": "/"]],
            "sub_accounts": .array(scenario.subAccounts.map { ["hierarchy_id": .string($0.hierarchyID), "name": .string($0.name)] }),
        ]
        return json.canonicalString
    }

    // MARK: Serving

    func respond(_ request: Request) async throws -> Response {
        let path = request.uri.path
        let query = FakeTrading212Server.queryParameters(request.uri.query)
        let isPost = request.method == .post
        let body = isPost ? try await request.body.collect(upTo: 1 << 20) : ByteBuffer()
        let cookies = Self.cookies(request.headers[.cookie] ?? "")
        let xrw = request.headers[HTTPField.Name("X-Requested-With")!]
        let token = request.headers[HTTPField.Name("anti-forgery-token")!]
        return state.withLock { st -> Response in
            st.requests.append("\(request.method) \(path)")
            guard let cookie = cookies[Self.sessionCookieName], let expected = st.sessions[cookie] else {
                return FakeProviderResponses.json(["Result": .null, "Message": "Unauthorized"], status: .unauthorized)
            }
            if let left = st.requestsLeft {
                if left <= 0 { st.sessions = [:]; st.requestsLeft = nil; return FakeProviderResponses.json(["Result": .null, "Message": "Unauthorized"], status: .unauthorized) }
                st.requestsLeft = left - 1
            }
            guard xrw == "XMLHttpRequest" else { return FakeProviderResponses.text("Bad Request", status: .badRequest) }
            guard token == expected else { return FakeProviderResponses.json(["Result": .null, "Message": "The anti-forgery token is invalid"], status: .forbidden) }
            let scenario = st.scenario
            if path == "/en-GB/Api/Performance/InvestmentMonthlyPerformance/Get" {
                guard let h = query["hierarchyId"], let s = scenario.subAccount(h), query["fromDate"] != nil, query["toDate"] != nil else {
                    return FakeProviderResponses.text("Bad Request", status: .badRequest)
                }
                return FakeProviderResponses.json(["Result": scenario.monthlyPerformance(s)])
            }
            let parts = path.split(separator: "/").map(String.init)
            // /en-GB/SubAccount/{h}/Api/<Area>/<Name>/<Verb>
            guard parts.count == 7, parts[0] == "en-GB", parts[1] == "SubAccount", parts[3] == "Api", let s = scenario.subAccount(parts[2]) else {
                return FakeProviderResponses.text("Not Found", status: .notFound)
            }
            let result: JSONValue
            switch (parts[4], parts[5], parts[6], isPost) {
            case ("Valuations", "CurrentValuation", "Get", false): result = scenario.currentValuation(s)
            case ("Portfolio", "CashBalance", "Get", false): result = scenario.cashBalance(s)
            case ("Performance", "SubaccountPerformance", "Get", false): result = scenario.performance(s)
            case ("Holdings", "SubAccountHoldings", "Get", false): result = scenario.holdings(s)
            case ("Portfolio", "InstrumentValuation", "Post", true):
                guard let q = try? JSONValue.parse(Array(body.readableBytesView)), q["hierarchyId"]?.string == s.hierarchyID, q["query"]?["Sorting"] != nil else {
                    return FakeProviderResponses.text("Bad Request", status: .badRequest)
                }
                result = scenario.instrumentValuation(s)
            default: return FakeProviderResponses.text("Not Found", status: .notFound)
            }
            return FakeProviderResponses.json(["Result": result])
        }
    }

    static func cookies(_ header: String) -> [String: String] {
        var out: [String: String] = [:]
        for part in header.split(separator: ";") {
            let kv = part.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            if kv.count == 2 { out[String(kv[0])] = String(kv[1]) }
        }
        return out
    }
}
