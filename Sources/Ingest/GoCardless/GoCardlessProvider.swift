import CanonicalJSON
import Clocks
import EventLog
import Projections
import Foundation

/// The GoCardless extractor: every requisition the credentials can see is a connection;
/// each linked account is a step that appends the event catalogue's `gocardless.*` events.
///
/// Spending the bank's budget (often 4 successful calls a day per account and scope):
/// transactions first (they matter most), then balances, then details, which are fetched
/// only when never fetched or older than ``Options/detailsRefreshDays``. A scope whose
/// budget is spent is skipped and reported with its "next allowed at", never failed.
public struct GoCardlessProvider: Provider {
    public struct Options: Sendable {
        /// Transactions are re-fetched from the last booked date minus this many days.
        public var overlapDays: Int
        /// Account details are re-fetched when older than this.
        public var detailsRefreshDays: Int
        /// Connections whose consent expires within this many days get a warning.
        public var expiryWarningDays: Int

        public init(overlapDays: Int = 7, detailsRefreshDays: Int = 30, expiryWarningDays: Int = 7) {
            self.overlapDays = overlapDays
            self.detailsRefreshDays = detailsRefreshDays
            self.expiryWarningDays = expiryWarningDays
        }
    }

    public let name = "gocardless"
    /// The bank's per-account, per-scope budget resets in a rolling 24 hours (GoCardless
    /// "bank rate limits"): no recorded quota may block a scope for longer than this.
    public static let accountBudgetWindow: TimeInterval = 86_400
    public let client: GoCardlessClient
    public let options: Options
    /// What "now" is when consents are checked (connections are listed before a run's steps).
    public let clock: any FinsyncClock
    private let cache = Cache()

    public init(client: GoCardlessClient, options: Options = Options(), clock: any FinsyncClock = SystemClock()) {
        self.client = client
        self.options = options
        self.clock = clock
    }

    /// What `connections()` fetched, reused by the steps of the same run.
    actor Cache {
        var requisitions: [String: JSONValue] = [:]
        var agreements: [String: JSONValue] = [:]
        var institutions: [String: JSONValue] = [:]
        /// Why the agreements could not be listed, when they could not.
        var agreementsListingFailure: String?
        /// Agreements that could be neither listed nor read one by one, and why.
        var unreadableAgreements: [String: String] = [:]
        func set(requisitions: [JSONValue], agreements: [JSONValue], listingFailure: String?, unreadable: [String: String]) {
            // A new listing starts a new run: forget what the previous one saw.
            self.requisitions = [:]
            self.agreements = [:]
            self.institutions = [:]
            for r in requisitions { if let id = r["id"]?.string { self.requisitions[id] = r } }
            for a in agreements { if let id = a["id"]?.string { self.agreements[id] = a } }
            agreementsListingFailure = listingFailure
            unreadableAgreements = unreadable
        }
        func requisition(_ id: String) -> JSONValue? { requisitions[id] }
        func agreement(_ id: String) -> JSONValue? { agreements[id] }
        func agreementProblem(_ id: String) -> String? { unreadableAgreements[id] }
        func institution(_ id: String) -> JSONValue? { institutions[id] }
        func setInstitution(_ id: String, _ v: JSONValue) { institutions[id] = v }
    }

    // MARK: Connections

    /// Every requisition is a connection. Without the requisitions there is nothing to
    /// sync, so failing to list them fails the listing; the agreements only add each
    /// connection's consent expiry, so a failing agreements listing degrades per
    /// connection: each connection's own agreement is read on its own instead, and one
    /// that cannot be read is reported against that connection's consent step while its
    /// accounts still sync.
    public func connections() async throws -> [ProviderConnection] {
        let requisitions = try await client.requisitions()
        var agreements: [JSONValue] = []
        var listingFailure: String?
        var unreadable: [String: String] = [:]
        do {
            agreements = try await client.agreements()
        } catch let e as GoCardlessError {
            listingFailure = "\(e)"
            // An outage (no answer, 5xx) is not asked again for every agreement: the rest share its failure.
            var outage: String?
            for aid in Set(requisitions.compactMap { $0["agreement"]?.string }).sorted() {
                if let outage { unreadable[aid] = outage; continue }
                do {
                    agreements.append(try await client.agreement(id: aid))
                } catch let e as GoCardlessError {
                    unreadable[aid] = "\(e)"
                    if [.timeout, .transport, .server].contains(e.code) { outage = "\(e)" }
                }
            }
        }
        await cache.set(requisitions: requisitions, agreements: agreements, listingFailure: listingFailure, unreadable: unreadable)
        let byID = Dictionary(agreements.compactMap { a in a["id"]?.string.map { ($0, a) } }, uniquingKeysWith: { a, _ in a })
        return requisitions.compactMap { r in
            guard let id = r["id"]?.string else { return nil }
            let agreement = r["agreement"]?.string.flatMap { byID[$0] }
            return connection(requisition: r, id: id, agreement: agreement)
        }
    }

    func connection(requisition r: JSONValue, id: String, agreement: JSONValue?) -> ProviderConnection {
        let status = r["status"]?.string ?? "?"
        var health = GoCardlessRequisitionStatus.health(status)
        let expiresAt = agreement.flatMap(GoCardlessProvider.expiry(ofAgreement:))
        if health == .active, let expiresAt, expiresAt <= clock.date { health = .expired }
        let institution = r["institution_id"]?.string ?? "?"
        let reference = r["reference"]?.string.map { " (\($0))" } ?? ""
        return ProviderConnection(provider: name, id: id, displayName: institution + reference, health: health, providerStatus: status,
                                  statusDescription: GoCardlessRequisitionStatus.describe(status), expiresAt: expiresAt,
                                  accounts: r["accounts"]?.array?.compactMap(\.string) ?? [])
    }

    /// When an agreement's access ends: accepted (or created) + `access_valid_for_days`.
    public static func expiry(ofAgreement a: JSONValue) -> Date? {
        guard let days = a["access_valid_for_days"]?.int,
              let start = (a["accepted"]?.string ?? a["created"]?.string).flatMap(GoCardlessDate.parse) else { return nil }
        return start.addingTimeInterval(Double(days) * 86_400)
    }

    // MARK: Steps

    public func steps(for connection: ProviderConnection) async throws -> [SyncStep] {
        var steps = [SyncStep(key: "connection", label: "gocardless \(connection.displayName): consent") { ctx in
            try await self.syncConnection(connection, ctx)
        }]
        if connection.isSyncable {
            for account in connection.accounts {
                steps.append(SyncStep(key: account, label: "gocardless \(connection.displayName): account \(account)") { ctx in
                    try await self.syncAccount(account, connection: connection, ctx)
                })
            }
        }
        return steps
    }

    func healthMessage(_ c: ProviderConnection) -> String {
        let institution = c.displayName.split(separator: " ").first.map(String.init) ?? c.displayName
        let reconnect = "reconnect with `finsync connect gocardless --institution \(institution)`"
        let until = c.expiresAt.map { GoCardlessDate.day($0) }
        switch c.health {
        case .active:
            if c.expiresSoon(now: clock.date, within: options.expiryWarningDays), let until { return "consent expires on \(until); \(reconnect) before then" }
            return "linked" + (until.map { "; consent valid until \($0)" } ?? "")
        case .expired: return "consent expired" + (until.map { " on \($0)" } ?? "") + "; \(reconnect)"
        case .suspended: return "suspended by GoCardless after repeated errors; \(reconnect)"
        case .error: return "requisition \(c.providerStatus) (\(c.statusDescription)); \(reconnect)"
        case .authRequired: return "consent not completed (\(c.statusDescription)); open the requisition's link to finish linking"
        }
    }

    func recordHealth(_ c: ProviderConnection, message: String? = nil, _ ctx: StepContext) async throws {
        try await ctx.record(ConnectionHealthSnapshot(provider: name, connectionID: c.id, status: c.health, message: message ?? healthMessage(c), expiresAt: c.expiresAt))
    }

    func syncConnection(_ c: ProviderConnection, _ ctx: StepContext) async throws -> StepOutcome {
        var notes: [String] = []
        var agreementError: String?
        if let failure = await cache.agreementsListingFailure { notes.append("listing end-user agreements failed (\(failure)); each connection's agreement was read on its own") }
        if let r = await cache.requisition(c.id) {
            _ = try await ctx.sink.appendSnapshot(ctx.event(EventCatalog.gocardlessRequisitionObserved, r, endpoint: "GET /requisitions/"), to: StreamName.gocardlessRequisition(c.id), ignoring: [])
            if let aid = r["agreement"]?.string, let a = await cache.agreement(aid) {
                _ = try await ctx.sink.appendSnapshot(ctx.event(EventCatalog.gocardlessAgreementObserved, a, endpoint: "GET /agreements/enduser/"), to: StreamName.gocardlessAgreement(aid), ignoring: [])
            } else if let aid = r["agreement"]?.string, let problem = await cache.agreementProblem(aid) {
                agreementError = "end-user agreement \(aid) could not be read (\(problem)); the consent's expiry is unknown until it can be (the accounts are synced regardless)"
            }
            if let iid = r["institution_id"]?.string {
                do {
                    let inst: JSONValue
                    if let cached = await cache.institution(iid) {
                        inst = cached
                    } else {
                        inst = try await client.institution(id: iid)
                        await cache.setInstitution(iid, inst)
                    }
                    _ = try await ctx.sink.appendSnapshot(ctx.event(EventCatalog.gocardlessInstitutionObserved, inst, endpoint: "GET /institutions/{id}/"), to: StreamName.gocardlessInstitution(iid), ignoring: [])
                } catch let e as GoCardlessError {
                    notes.append("institution \(iid) not fetched: \(e)")
                }
            }
        }
        try await recordHealth(c, ctx)
        let message = healthMessage(c)
        switch c.health {
        case .active:
            if c.expiresSoon(now: clock.date, within: options.expiryWarningDays) { notes.append("warning: \(message)") }
            if let agreementError { return StepOutcome(status: .partiallyFailed, notes: notes, error: "connection \(c.id): \(agreementError)") }
            return StepOutcome(status: .succeeded, notes: notes)
        case .authRequired:
            return StepOutcome(status: .skipped, notes: notes + [message] + (agreementError.map { [$0] } ?? []))
        case .expired, .suspended, .error:
            return StepOutcome(status: .failed, notes: notes + (agreementError.map { [$0] } ?? []), error: "connection \(c.id): \(message)")
        }
    }

    // MARK: Accounts

    enum Scope: String, CaseIterable { case details, balances, transactions }

    func syncAccount(_ account: String, connection: ProviderConnection, _ ctx: StepContext) async throws -> StepOutcome {
        var notes: [String] = []
        var errors: [String] = []
        var quotas: [QuotaStatus] = []
        var fetched = 0

        // Metadata: free (no bank budget). If it cannot be read, nothing else can.
        let meta: GoCardlessResponse
        do {
            meta = try await client.account(id: account)
        } catch let e as GoCardlessError where e.code == .consentExpired || e.code == .suspended {
            var c = connection
            c.health = e.code == .suspended ? .suspended : .expired
            try await recordHealth(c, message: "\(healthMessage(c)) (\(e.summary ?? ""))", ctx)
            return StepOutcome(status: .failed, error: "account \(account): \(e)")
        }
        _ = try await ctx.sink.appendSnapshot(ctx.event(EventCatalog.gocardlessAccountObserved, meta.json, endpoint: "GET /accounts/{id}/"), to: StreamName.gocardlessAccount(account), ignoring: ["last_accessed"])
        switch meta.json["status"]?.string {
        case "EXPIRED"?:
            var c = connection; c.health = .expired
            try await recordHealth(c, ctx)
            return StepOutcome(status: .failed, error: "account \(account): \(healthMessage(c))")
        case "SUSPENDED"?:
            var c = connection; c.health = .suspended
            try await recordHealth(c, ctx)
            return StepOutcome(status: .failed, error: "account \(account): \(healthMessage(c))")
        case "PROCESSING"?, "DISCOVERED"?:
            return StepOutcome(status: .skipped, notes: ["account \(account) is \(meta.json["status"]?.string ?? "not ready") at the bank; its data is not ready yet"])
        default: break
        }

        for scope in [Scope.transactions, .balances, .details] {
            let stored = try await ctx.quotas.status(provider: name, subject: account, scope: scope.rawValue)
            // A budget whose reset has passed is unknown again; none blocks longer than the window.
            let known = stored?.current(at: ctx.now(), window: Self.accountBudgetWindow)
            if let known, known.isSpent(at: ctx.now()), let next = known.nextAllowedAt {
                notes.append(QuotaStatus.skippedNote(scope.rawValue, because: "the bank's daily budget is spent", nextAllowedAt: next))
                quotas.append(known)
                continue
            }
            if scope == .details, let known, let last = known.lastSuccessAt, ctx.now().timeIntervalSince(last) < Double(options.detailsRefreshDays) * 86_400 {
                notes.append("details not fetched: fetched \(GoCardlessDate.day(last)), refreshed every \(options.detailsRefreshDays) days")
                quotas.append(known)
                continue
            }
            do {
                let fetch: ScopeFetch
                switch scope {
                case .details: fetch = try await syncDetails(account, ctx)
                case .balances: fetch = try await syncBalances(account, ctx)
                case .transactions: fetch = try await syncTransactions(account, ctx)
                }
                let rate = fetch.rate
                if let rejected = fetch.rejected { errors.append("\(scope.rawValue): \(rejected)") }
                fetched += 1
                // Without the account-success headers, count down what was known; a budget
                // that reaches 0 that way gets the window as its end, never no end.
                let remaining = rate.accountSuccessRemaining ?? known?.remaining.map { max(0, $0 - 1) }
                let q = QuotaStatus(provider: name, subject: account, scope: scope.rawValue, limit: rate.accountSuccessLimit ?? known?.limit, remaining: remaining,
                                    nextAllowedAt: (remaining ?? 1) <= 0 ? ctx.now().addingTimeInterval(Self.budgetReset(afterSeconds: rate.accountSuccessReset)) : nil,
                                    lastSuccessAt: ctx.now())
                try await ctx.quotas.record(q)
                quotas.append(q)
            } catch let e as GoCardlessError where e.code == .rateLimited {
                // The API's general limit (not this account's budget): skip for this run, spend nothing.
                notes.append("\(scope.rawValue) skipped: GoCardless API rate limit (retry in \(e.retryAfter.map { "\($0.components.seconds) s" } ?? "a while"))")
            } catch let e as GoCardlessError where e.code == .accountQuotaSpent {
                let next = ctx.now().addingTimeInterval(Self.budgetReset(afterSeconds: e.retryAfter.map { Int($0.components.seconds) }))
                let q = QuotaStatus(provider: name, subject: account, scope: scope.rawValue, limit: known?.limit, remaining: 0,
                                    nextAllowedAt: next, lastSuccessAt: known?.lastSuccessAt)
                try await ctx.quotas.record(q)
                quotas.append(q)
                notes.append(QuotaStatus.skippedNote(scope.rawValue, because: "rate-limited (\(e.summary ?? "429"))", nextAllowedAt: next))
            } catch let e as GoCardlessError where e.code == .consentExpired || e.code == .suspended {
                var c = connection
                c.health = e.code == .suspended ? .suspended : .expired
                let message = "\(healthMessage(c)) (\(e.summary ?? ""))"
                try await recordHealth(c, message: message, ctx)
                return StepOutcome(status: .failed, quota: quotas, notes: notes, error: "account \(account): \(e)")
            } catch let e as GoCardlessError {
                errors.append("\(scope.rawValue): \(e)")
            }
        }
        if errors.isEmpty {
            // Nothing fetched (budgets spent, details not due) is a skip, not a success.
            return StepOutcome(status: fetched == 0 ? .skipped : .succeeded, quota: quotas, notes: notes)
        }
        return StepOutcome(status: fetched == 0 ? .failed : .partiallyFailed, quota: quotas, notes: notes, error: errors.joined(separator: "; "))
    }

    /// When a spent budget resets, from the provider's `…_RESET` seconds: never later than
    /// the documented window (a bogus header must not block a scope for years), and the
    /// window itself when the provider did not say.
    static func budgetReset(afterSeconds seconds: Int?) -> TimeInterval {
        min(Double(max(0, seconds ?? Int(accountBudgetWindow))), accountBudgetWindow)
    }

    /// The secret id and key (the token is redacted by the client itself).
    public func secrets() async -> [String] { [client.credentials.secretID, client.credentials.secretKey] }


    /// What fetching one scope of an account gave: the rate-limit headers of its answer, and
    /// the error naming what of it could not be normalised and so was not stored.
    struct ScopeFetch {
        var rate: RateLimitInfo
        var rejected: GoCardlessError? = nil
    }

    func syncDetails(_ account: String, _ ctx: StepContext) async throws -> ScopeFetch {
        let endpoint = "GET /accounts/{id}/details/"
        let r = try await client.accountDetails(id: account)
        guard let details = r.json["account"] else {
            throw GoCardlessError(code: .malformedResponse, endpoint: endpoint, accountID: account, httpStatus: 200, summary: "the answer has no \"account\" object")
        }
        let payload: JSONValue = .object(["account_id": .string(account), "details": details])
        if let problem = payload.nulProblem() {
            return ScopeFetch(rate: r.rateLimit, rejected: GoCardlessNormalisation.rejection(endpoint: endpoint, account: account, problems: ["the details \(problem)"]))
        }
        _ = try await ctx.sink.appendSnapshot(ctx.event(EventCatalog.gocardlessAccountDetailsObserved, payload, endpoint: endpoint), to: StreamName.gocardlessAccount(account, .details), ignoring: [])
        return ScopeFetch(rate: r.rateLimit)
    }

    func syncBalances(_ account: String, _ ctx: StepContext) async throws -> ScopeFetch {
        let endpoint = "GET /accounts/{id}/balances/"
        let r = try await client.balances(id: account)
        guard let balances = r.json["balances"] else {
            throw GoCardlessError(code: .malformedResponse, endpoint: endpoint, accountID: account, httpStatus: 200, summary: "the answer has no \"balances\" array")
        }
        let payload: JSONValue = .object(["account_id": .string(account), "balances": balances])
        // Checked with the projections' own normaliser: an answer they would refuse is not stored.
        if let problem = GoCardlessNormalisation.problem(balances: payload) {
            return ScopeFetch(rate: r.rateLimit, rejected: GoCardlessNormalisation.rejection(endpoint: endpoint, account: account, problems: [problem]))
        }
        _ = try await ctx.sink.appendSnapshot(ctx.event(EventCatalog.gocardlessBalancesObserved, payload, endpoint: endpoint), to: StreamName.gocardlessAccount(account, .balances), ignoring: [])
        return ScopeFetch(rate: r.rateLimit)
    }

    func syncTransactions(_ account: String, _ ctx: StepContext) async throws -> ScopeFetch {
        let endpoint = "GET /accounts/{id}/transactions/"
        let lastBooked = try await ctx.cursors.value(provider: name, subject: account, name: "last_booked_date")
        let dateFrom = lastBooked.flatMap { GoCardlessDate.day($0, minusDays: options.overlapDays) }
        let dateTo = GoCardlessDate.day(ctx.now())
        let r = try await client.transactions(id: account, dateFrom: dateFrom, dateTo: dateTo)
        // Each item is checked with the normaliser the projections use before anything is
        // appended: one that cannot be normalised is named in the step's error and not stored,
        // so it can never stop the books; the account's other items are stored as usual.
        let booked = GoCardlessNormalisation.check(r.json["transactions"]?["booked"]?.array ?? [], kind: "booked")
        let pending = GoCardlessNormalisation.check(r.json["transactions"]?["pending"]?.array ?? [], kind: "pending")

        // Occurrence counts earlier items with the same identity (bank id, else the
        // synthetic key), so true duplicates on one day stay distinct (see the catalogue).
        var events: [NewEvent] = []
        var newest = lastBooked
        for (t, occurrence) in zip(booked.items, GoCardlessTransaction.occurrences(booked.items)) {
            let date = t.date
            if let date, date > (newest ?? "") { newest = date }
            events.append(ctx.event(EventCatalog.gocardlessTransactionBooked,
                                    .object(["account_id": .string(account), "transaction": t.item, "occurrence": .number(String(occurrence))]),
                                    endpoint: endpoint, occurredAt: date.flatMap(GoCardlessDate.parse)))
        }
        if !events.isEmpty { _ = try await ctx.sink.append(events, to: StreamName.gocardlessAccount(account, .transactions)) }
        let pendingPayload: JSONValue = .object(["account_id": .string(account), "date_from": dateFrom.map { .string($0) } ?? .null,
                                                 "date_to": .string(dateTo), "pending": .array(pending.items.map(\.item))])
        _ = try await ctx.sink.appendSnapshot(ctx.event(EventCatalog.gocardlessPendingObserved, pendingPayload, endpoint: endpoint),
                                              to: StreamName.gocardlessAccount(account, .pending), ignoring: ["date_from", "date_to"])
        let problems = booked.problems + pending.problems
        // Advance the cursor only now that the events it covers are stored, and not at all
        // when an item was refused: the next sync reads the same window again, so an item the
        // bank corrects is stored then.
        if problems.isEmpty, let newest, newest != lastBooked { try await ctx.cursors.set(newest, provider: name, subject: account, name: "last_booked_date") }
        return ScopeFetch(rate: r.rateLimit, rejected: problems.isEmpty ? nil : GoCardlessNormalisation.rejection(endpoint: endpoint, account: account, problems: problems))
    }

}
