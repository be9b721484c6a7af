import CanonicalJSON
import Clocks
import Crypto
import Foundation
import Synchronization

/// The world a ``FakeGoCardlessServer`` serves: institutions, agreements, requisitions,
/// accounts with details, balances and booked/pending transactions, plus the knobs tests
/// turn (faults, quotas, expired consent, expired tokens) and a clock that can advance by
/// days (new transactions arrive, pending ones book under a new id).
///
/// Thread-safe; change it while the server runs.
public final class GoCardlessScenario: Sendable {
    /// One bank account.
    public struct Account: Sendable {
        public var id: String
        public var requisitionID: String
        public var institutionID: String
        public var metadata: JSONValue
        public var details: JSONValue
        public var balances: [JSONValue]
        public var booked: [JSONValue]
        public var pending: [Pending]
        /// Makes the daily new transactions for `day` (a `YYYY-MM-DD`), when the scenario advances.
        public var daily: @Sendable (_ day: String, _ serial: Int) -> (booked: [JSONValue], pending: [Pending])
    }

    /// A pending item, and what it becomes when it books (`nil`: it just disappears).
    public struct Pending: Sendable {
        public var item: JSONValue
        /// Days after it was observed that it books.
        public var booksAfterDays: Int
        public var booked: JSONValue?
        var firstDay: Int = 0

        public init(item: JSONValue, booksAfterDays: Int, booked: JSONValue?) {
            self.item = item
            self.booksAfterDays = booksAfterDays
            self.booked = booked
        }
    }

    struct IssuedToken {
        var kind: String
        var expiresAt: Date
    }

    struct State {
        var dayOffset: Int = 0
        var institutions: [JSONValue] = []
        var agreements: [JSONValue] = []
        var requisitions: [JSONValue] = []
        var accounts: [String: Account] = [:]
        var accountOrder: [String] = []
        var tokens: [String: IssuedToken] = [:]
        var expiredAgreements: Set<String> = []
        var suspendedAccounts: Set<String> = []
        var successes: [String: [Date]] = [:]
        var faults: [String: [GoCardlessFault]] = [:]
        var calls: [String: Int] = [:]
        var serial = 0
        var accountSuccessHeaders = true
    }

    public let secretID: String
    public let secretKey: String
    /// Per-account, per-scope successful calls allowed in a rolling 24 hours.
    public let accountQuota: Int
    /// The largest page the fake returns whatever `limit` asks (forces pagination).
    public let maxPageSize: Int
    /// Access-token lifetime (real GoCardless: 24 h).
    public let accessTokenLifetime: TimeInterval
    let start: Date
    /// The time the scenario's days are counted on (real time unless a test gives another).
    let clock: any FinsyncClock
    let state = Mutex(State())
    private let signingKey: [UInt8] = (0..<32).map { _ in UInt8.random(in: 0...255) }

    public init(secretID: String = "fake-secret-id-" + UUID().uuidString.lowercased(), secretKey: String = "fake-secret-key-" + UUID().uuidString.lowercased(),
                accountQuota: Int = 4, maxPageSize: Int = 2, accessTokenLifetime: TimeInterval = 86_400, start: Date = Date(),
                clock: any FinsyncClock = SystemClock()) {
        self.secretID = secretID
        self.secretKey = secretKey
        self.accountQuota = accountQuota
        self.maxPageSize = maxPageSize
        self.accessTokenLifetime = accessTokenLifetime
        self.start = start
        self.clock = clock
    }

    // MARK: Clock

    /// Scenario time: the clock's date plus the days advanced.
    public func now() -> Date {
        let offset = state.withLock { $0.dayOffset }
        return clock.date.addingTimeInterval(Double(offset) * 86_400)
    }

    /// The scenario's today, `YYYY-MM-DD` (UTC).
    public var today: String { FakeDates.day(now()) }

    /// Moves the clock `days` forward: each account gets that day's new transactions, and
    /// pending items whose time has come book (under a new transaction id) or vanish.
    public func advance(days: Int) {
        for _ in 0..<max(0, days) {
            state.withLock { s in
                s.dayOffset += 1
                let dayNumber = FakeDates.dayNumber(start) + s.dayOffset
                let day = FakeDates.day(dayNumber)
                for id in s.accountOrder {
                    guard var a = s.accounts[id] else { continue }
                    let bookedBefore = a.booked.count
                    var stillPending: [Pending] = []
                    for p in a.pending {
                        if dayNumber - p.firstDay >= p.booksAfterDays {
                            if var b = p.booked {
                                if case .object(var o) = b {
                                    o["bookingDate"] = .string(day)
                                    b = .object(o)
                                }
                                a.booked.append(b)
                            }
                        } else {
                            stillPending.append(p)
                        }
                    }
                    s.serial += 1
                    let (newBooked, newPending) = a.daily(day, s.serial)
                    a.booked.append(contentsOf: newBooked)
                    // Balances move by what booked today; reference dates follow the clock.
                    let delta = a.booked[bookedBefore...].compactMap { $0["transactionAmount"]?["amount"]?.decimal }.reduce(Decimal(0), +)
                    a.balances = a.balances.map { b in
                        guard case .object(var o) = b, case .object(var amount)? = o["balanceAmount"], let current = amount["amount"]?.decimal else { return b }
                        amount["amount"] = .string("\(current + delta)")
                        o["balanceAmount"] = .object(amount)
                        if o["referenceDate"] != nil { o["referenceDate"] = .string(day) }
                        return .object(o)
                    }
                    a.pending = stillPending + newPending.map { var p = $0; p.firstDay = dayNumber; return p }
                    s.accounts[id] = a
                }
            }
        }
    }

    // MARK: Knobs

    /// The next `times` requests to `endpoint` (for `account`, or any) get `fault`.
    public func inject(_ fault: GoCardlessFault, on endpoint: GoCardlessEndpoint, account: String? = nil, times: Int = 1) {
        state.withLock { s in s.faults[GoCardlessScenario.key(endpoint, account), default: []].append(contentsOf: Array(repeating: fault, count: times)) }
    }

    /// Account-data calls for the requisition's accounts answer 401 "End User Agreement … has expired".
    public func expireAgreement(ofRequisition requisitionID: String) {
        state.withLock { s in
            if let r = s.requisitions.first(where: { $0["id"]?.string == requisitionID }), let a = r["agreement"]?.string { s.expiredAgreements.insert(a) }
        }
    }

    /// Sets a requisition's status (e.g. `EX` after consent ended).
    public func setStatus(_ status: String, ofRequisition requisitionID: String) {
        state.withLock { s in
            s.requisitions = s.requisitions.map { r in
                guard r["id"]?.string == requisitionID, case .object(var o) = r else { return r }
                o["status"] = .string(status)
                return .object(o)
            }
        }
    }

    /// What the bank's consent screen does when the person agrees: the requisition becomes
    /// `LN` with one new account (a copy of the first sandbox account's data under a new id),
    /// its agreement is accepted now. Returns where the person is sent back
    /// (`<redirect>?ref=<reference>`), or nil for an unknown or already-linked requisition.
    @discardableResult
    public func completeConsent(requisitionID: String) -> String? {
        let t = now()
        return state.withLock { s -> String? in
            guard let i = s.requisitions.firstIndex(where: { $0["id"]?.string == requisitionID }), case .object(var r) = s.requisitions[i],
                  r["status"]?.string != "LN", let template = s.accountOrder.first.flatMap({ s.accounts[$0] }) else { return nil }
            let accountID = UUID().uuidString.lowercased()
            r["status"] = "LN"
            r["accounts"] = [.string(accountID)]
            s.requisitions[i] = .object(r)
            if let aid = r["agreement"]?.string, let j = s.agreements.firstIndex(where: { $0["id"]?.string == aid }), case .object(var a) = s.agreements[j] {
                a["accepted"] = .string(FakeDates.iso(t))
                s.agreements[j] = .object(a)
            }
            var account = template
            account.id = accountID
            account.requisitionID = requisitionID
            account.institutionID = r["institution_id"]?.string ?? template.institutionID
            if case .object(var m) = account.metadata {
                m["id"] = .string(accountID)
                m["institution_id"] = .string(account.institutionID)
                m["created"] = .string(FakeDates.iso(t))
                account.metadata = .object(m)
            }
            s.accounts[accountID] = account
            s.accountOrder.append(accountID)
            let redirect = r["redirect"]?.string ?? "http://localhost/"
            return redirect + (redirect.contains("?") ? "&" : "?") + "ref=" + (r["reference"]?.string ?? requisitionID)
        }
    }

    /// Every issued access token becomes invalid (the next call gets 401 "Invalid token").
    public func revokeAccessTokens() {
        state.withLock { s in s.tokens = s.tokens.filter { $0.value.kind != "access" } }
    }

    /// Whether successful account-data answers carry the `HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_*`
    /// headers (default true; some banks' answers come without them).
    public func setAccountSuccessHeaders(_ on: Bool) { state.withLock { $0.accountSuccessHeaders = on } }
    var sendsAccountSuccessHeaders: Bool { state.withLock { $0.accountSuccessHeaders } }

    /// Spends an account's budget for `endpoint` (as if another app had used it).
    public func spendQuota(account: String, _ endpoint: GoCardlessEndpoint) {
        let t = now()
        state.withLock { s in s.successes[GoCardlessScenario.key(endpoint, account)] = Array(repeating: t, count: accountQuota) }
    }

    /// How many requests reached `endpoint` (for `account`, or in total).
    public func calls(_ endpoint: GoCardlessEndpoint, account: String? = nil) -> Int {
        state.withLock { $0.calls[GoCardlessScenario.key(endpoint, account)] ?? 0 }
    }

    // MARK: Data access

    /// Every token issued so far (tests grep stored data for them).
    public var issuedTokens: [String] { state.withLock { Array($0.tokens.keys) } }

    public var requisitionIDs: [String] { state.withLock { $0.requisitions.compactMap { $0["id"]?.string } } }
    public var accountIDs: [String] { state.withLock { $0.accountOrder } }
    public func account(_ id: String) -> Account? { state.withLock { $0.accounts[id] } }
    public func requisition(_ id: String) -> JSONValue? { state.withLock { s in s.requisitions.first { $0["id"]?.string == id } } }
    /// Booked items of an account between two days (inclusive), as the API would filter them.
    public func booked(account: String) -> [JSONValue] { state.withLock { $0.accounts[account]?.booked ?? [] } }

    public func addInstitution(_ v: JSONValue) { state.withLock { $0.institutions.append(v) } }
    public func addAgreement(_ v: JSONValue) { state.withLock { $0.agreements.append(v) } }
    public func addRequisition(_ v: JSONValue) { state.withLock { $0.requisitions.append(v) } }
    public func addAccount(_ a: Account) {
        state.withLock { s in
            s.accounts[a.id] = a
            s.accountOrder.append(a.id)
        }
    }

    static func key(_ e: GoCardlessEndpoint, _ account: String?) -> String { account.map { "\(e.rawValue)|\($0)" } ?? e.rawValue }

    // MARK: Tokens

    func issueToken(kind: String, lifetime: TimeInterval) -> String {
        let exp = now().addingTimeInterval(lifetime)
        func b64(_ d: Data) -> String { d.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "") }
        let header = b64(Data(#"{"alg":"HS256","typ":"JWT"}"#.utf8))
        let claims = b64(Data(#"{"token_type":"\#(kind)","exp":\#(Int(exp.timeIntervalSince1970)),"iat":\#(Int(now().timeIntervalSince1970)),"jti":"\#(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))","id":4242,"secret_id":"\#(UUID().uuidString.lowercased())","allowed_cidrs":["0.0.0.0/0","::/0"]}"#.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data("\(header).\(claims)".utf8), using: SymmetricKey(data: signingKey))
        let token = "\(header).\(claims).\(b64(Data(mac)))"
        state.withLock { $0.tokens[token] = IssuedToken(kind: kind, expiresAt: exp) }
        return token
    }

    func tokenValid(_ token: String, kind: String) -> Bool {
        let t = now()
        return state.withLock { s in s.tokens[token].map { $0.kind == kind && $0.expiresAt > t } ?? false }
    }
}
