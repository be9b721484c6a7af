import Clocks
import CanonicalJSON
import EventLog
import Foundation
import Projections

/// Enable Banking as a ``Provider``: every link made with `finsync connect enablebanking`
/// (a session at one bank) is a connection; its steps are the session (consent) and one per
/// account.
///
/// - Sessions are consents: `GET /sessions/{id}` is observed each run; `valid_until` gives
///   the expiry and a warning 7 days ahead; a session that is `EXPIRED`/`REVOKED`/`CLOSED`, or
///   a data call answered `EXPIRED_SESSION` (sessions end early), marks the link for
///   reconnection with the command to run, fails its steps without further requests, and
///   leaves other connections alone.
/// - Accounts are streamed under finsync's stable key (``EnableBankingAccountIdentity``),
///   never the session's uid.
/// - Transactions: inclusive windows of at most 90 days (``EnableBankingWindows``); on an
///   account's first sync the deepest history (`strategy=longest`, two years) at once,
///   falling back to 90 days when the bank refuses; booked only unless the application sets
///   `pending = true`. Continuation pages repeat `date_from`, `date_to` and
///   `transaction_status`; a page answering with a key seen before is a repeat and ends the loop
///   unstored. Items are checked with the projections' normaliser before appending.
/// - Budgets: a 429 (`ASPSP_RATE_LIMIT_EXCEEDED`, no `Retry-After`) records the scope spent
///   until the next UTC midnight for "daily" wording, else one hour (never beyond 24 hours),
///   and the scope is skipped, not failed, until then.
/// - PSU headers (``EnableBankingPSUHeaders``): sent on data calls only when a person is
///   present (``StepContext/personPresent``: an interactive `finsync sync`), with the
///   configured values, all or none of the bank's `required_psu_headers`. Scheduled and
///   API-started runs are background fetches and send none. A call with PSU headers is
///   exempt from the bank's background limit, so a budget recorded spent by a background
///   429 does not stop it (and it leaves that record as it is). What was sent, or why not,
///   is in the step's notes.
public struct EnableBankingProvider: Provider {
    public struct Options: Sendable {
        public var expiryWarningDays: Int
        /// Incremental syncs start this many days before the last booked date.
        public var overlapDays: Int
        /// How far back the first sync of an account asks (`strategy=longest`).
        public var deepHistoryDays: Int
        /// Pages followed per window at most.
        public var maxPages: Int

        public init(expiryWarningDays: Int = 7, overlapDays: Int = 7, deepHistoryDays: Int = 730, maxPages: Int = 100) {
            self.expiryWarningDays = expiryWarningDays
            self.overlapDays = overlapDays
            self.deepHistoryDays = deepHistoryDays
            self.maxPages = maxPages
        }
    }

    /// One configured application and its client.
    public struct Application: Sendable {
        public var configuration: EnableBankingConfiguration
        public var client: EnableBankingClient
        public init(configuration: EnableBankingConfiguration, client: EnableBankingClient) {
            self.configuration = configuration
            self.client = client
        }
    }

    public let name = "enablebanking"
    /// No recorded budget blocks a scope longer than this (PSD2 counts per 24 hours).
    public static let accountBudgetWindow: TimeInterval = 86_400
    public let applications: [String: Application]
    public let store: any EnableBankingLinkStore
    public let options: Options
    public let clock: any FinsyncClock
    private let run = RunState()

    public init(applications: [Application], store: any EnableBankingLinkStore, options: Options = Options(), clock: any FinsyncClock = SystemClock()) {
        self.applications = Dictionary(applications.map { ($0.configuration.name, $0) }, uniquingKeysWith: { a, _ in a })
        self.store = store
        self.options = options
        self.clock = clock
    }

    /// What the steps of one run share: sessions found ended, banks already observed.
    actor RunState {
        var ended: [String: String] = [:]
        var aspsps: [String: [JSONValue]] = [:]
        var links: [String: EnableBankingLink] = [:]
        func reset(_ l: [EnableBankingLink]) { ended = [:]; aspsps = [:]; links = Dictionary(l.map { ($0.connection, $0) }, uniquingKeysWith: { a, _ in a }) }
        func end(_ c: String, _ why: String) { ended[c] = why }
        func endedWhy(_ c: String) -> String? { ended[c] }
        func banks(_ country: String) -> [JSONValue]? { aspsps[country] }
        func setBanks(_ country: String, _ b: [JSONValue]) { aspsps[country] = b }
        func link(_ c: String) -> EnableBankingLink? { links[c] }
        /// The bank's `/aspsps` entry, when this run read the bank list.
        func bank(_ link: EnableBankingLink) -> JSONValue? { aspsps[link.bankCountry]?.first { $0["name"]?.string == link.bankName } }
    }

    // MARK: Connections

    public func connections() async throws -> [ProviderConnection] {
        let links = try await store.all()
        await run.reset(links)
        let t = clock.date
        return links.map { l in
            var health = ConnectionHealth.active
            var description = "session at \(l.bankLabel)"
            if l.status == "reconnect" { health = .expired; description = l.message }
            else if let v = l.validUntil, v <= t { health = .expired; description = "consent ended on \(Self.day(v))" }
            else if applications[l.application] == nil { health = .error; description = "no [[enablebanking]] application named \(l.application) in finsync.toml" }
            return ProviderConnection(provider: name, id: l.connection, displayName: l.bankLabel, health: health, providerStatus: l.status,
                                      statusDescription: description, expiresAt: l.validUntil, accounts: l.accounts.map(\.key))
        }
    }

    public func steps(for connection: ProviderConnection) async throws -> [SyncStep] {
        guard let link = await run.link(connection.id) else { return [] }
        var steps = [SyncStep(key: "session", label: "enablebanking \(link.connection) (\(link.bankLabel)): session") { ctx in
            try await self.syncSession(link, connection, ctx)
        }]
        if connection.isSyncable {
            for a in link.accounts {
                steps.append(SyncStep(key: a.key, label: "enablebanking \(link.connection): account \(a.iban ?? a.key)") { ctx in
                    try await self.syncAccount(a, link, ctx)
                })
            }
        }
        return steps
    }

    /// The tokens currently signed (the private key itself never leaves the signer).
    public func secrets() async -> [String] {
        var out: [String] = []
        for a in applications.values { out += await a.client.signer.secrets() }
        return out
    }

    // MARK: Session

    func recordHealth(_ link: EnableBankingLink, _ health: ConnectionHealth, _ message: String, expiresAt: Date?, _ ctx: StepContext) async throws {
        try await ctx.record(ConnectionHealthSnapshot(provider: name, connectionID: link.connection, status: health, message: message, expiresAt: expiresAt))
    }

    /// The session ended: marks the link for reconnection (not in a dry run), records the
    /// health with the command to run, and fails the step.
    func sessionEnded(_ link: EnableBankingLink, why: String, _ ctx: StepContext) async throws -> StepOutcome {
        let message = "the session at \(link.bankLabel) ended (\(why)); reconnect with `\(link.reconnectCommand)`"
        await run.end(link.connection, message)
        if !ctx.dryRun { try await store.markForReconnection(connection: link.connection, message: message) }
        try await recordHealth(link, .expired, message, expiresAt: link.validUntil, ctx)
        return StepOutcome(status: .failed, error: "connection \(link.connection): \(message)")
    }

    func syncSession(_ link: EnableBankingLink, _ connection: ProviderConnection, _ ctx: StepContext) async throws -> StepOutcome {
        guard let app = applications[link.application] else {
            try await recordHealth(link, .error, connection.statusDescription, expiresAt: link.validUntil, ctx)
            return StepOutcome(status: .failed, error: "connection \(link.connection): \(connection.statusDescription)")
        }
        if connection.health == .expired {
            let message = link.status == "reconnect" ? link.message : "consent at \(link.bankLabel) ended; reconnect with `\(link.reconnectCommand)`"
            await run.end(link.connection, message)
            try await recordHealth(link, .expired, message, expiresAt: link.validUntil, ctx)
            return StepOutcome(status: .failed, error: "connection \(link.connection): \(message)")
        }
        var notes: [String] = []
        await observeBank(link, app.client, ctx, notes: &notes)
        let session: JSONValue
        do {
            session = try await app.client.session(id: link.sessionID, bank: link.bankLabel)
        } catch let e as EnableBankingError where e.code == .sessionEnded {
            return try await sessionEnded(link, why: e.errorCode ?? e.code.rawValue, ctx)
        } catch let e as EnableBankingError {
            // The accounts are still tried: a session read failing is not the data failing.
            return StepOutcome(status: .partiallyFailed, notes: notes, error: "connection \(link.connection): \(e)")
        }
        let payload: JSONValue = .object(["connection": .string(link.connection), "session_id": .string(link.sessionID),
                                          "aspsp": .object(["name": .string(link.bankName), "country": .string(link.bankCountry)]), "session": session])
        _ = try await ctx.sink.appendSnapshot(ctx.event(EventCatalog.enablebankingSessionObserved, payload, endpoint: "GET /sessions/{id}"),
                                              to: StreamName.enablebankingSession(link.connection), ignoring: [])
        let status = session["status"]?.string ?? "?"
        let validUntil = ExtractorTimestamp.parse(session["access"]?["valid_until"]?.string) ?? link.validUntil
        switch status {
        case "AUTHORIZED":
            var c = connection
            c.expiresAt = validUntil
            var message = "linked" + (validUntil.map { "; consent valid until \(Self.day($0))" } ?? "")
            if c.expiresSoon(now: ctx.now(), within: options.expiryWarningDays), let v = validUntil {
                message = "consent at \(link.bankLabel) expires on \(Self.day(v)); reconnect with `\(link.reconnectCommand)` before then"
                notes.append("warning: \(message)")
            }
            try await recordHealth(link, .active, message, expiresAt: validUntil, ctx)
            return StepOutcome(status: .succeeded, notes: notes)
        case "EXPIRED", "REVOKED", "CLOSED", "CANCELLED", "INVALID":
            return try await sessionEnded(link, why: "session status \(status)", ctx)
        default:
            let message = "authorisation at \(link.bankLabel) not finished (session status \(status)); finish it or run `\(link.reconnectCommand)`"
            await run.end(link.connection, message)
            try await recordHealth(link, .authRequired, message, expiresAt: validUntil, ctx)
            return StepOutcome(status: .skipped, notes: notes + [message])
        }
    }

    /// Appends the bank's `/aspsps` entry (not bank-limited; once per country and run).
    func observeBank(_ link: EnableBankingLink, _ client: EnableBankingClient, _ ctx: StepContext, notes: inout [String]) async {
        do {
            var banks = await run.banks(link.bankCountry)
            if banks == nil {
                banks = try await client.aspsps(country: link.bankCountry)
                await run.setBanks(link.bankCountry, banks ?? [])
            }
            guard let bank = banks?.first(where: { $0["name"]?.string == link.bankName }) else { return }
            _ = try await ctx.sink.appendSnapshot(ctx.event(EventCatalog.enablebankingAspspObserved, bank, endpoint: "GET /aspsps"),
                                                  to: StreamName.enablebankingASPSP(country: link.bankCountry, name: link.bankName), ignoring: [])
        } catch {
            notes.append("bank list not read: \(error)")
        }
    }

    // MARK: Accounts

    enum Scope: String { case transactions, balances }

    func syncAccount(_ account: EnableBankingLink.Account, _ link: EnableBankingLink, _ ctx: StepContext) async throws -> StepOutcome {
        if let why = await run.endedWhy(link.connection) {
            return StepOutcome(status: .failed, error: "account \(account.key): \(why)")
        }
        guard let app = applications[link.application] else { return StepOutcome(status: .failed, error: "no application \(link.application)") }
        guard let uid = account.uid else {
            return StepOutcome(status: .skipped, notes: ["account \(account.key) has no uid in this session (blocked or closed at the bank)"])
        }
        let accountPayload: JSONValue = .object(["account_key": .string(account.key), "connection": .string(link.connection), "uid": .string(uid),
                                                 "aspsp": .object(["name": .string(link.bankName), "country": .string(link.bankCountry)]), "account": account.resource])
        if let problem = accountPayload.nulProblem() {
            return StepOutcome(status: .failed, error: "account \(account.key): the account details \(problem)")
        }
        _ = try await ctx.sink.appendSnapshot(ctx.event(EventCatalog.enablebankingAccountObserved, accountPayload, endpoint: "POST /sessions"),
                                              to: StreamName.enablebankingAccount(account.key), ignoring: [])
        var notes: [String] = [], errors: [String] = [], quotas: [QuotaStatus] = []
        var fetched = 0
        let bank = await run.bank(link)
        let psu = app.configuration.psu.choose(personPresent: ctx.personPresent, required: bank.map { $0["required_psu_headers"]?.array?.compactMap(\.string) ?? [] },
                                               bank: link.bankLabel)
        if let note = psu.note { notes.append(note) }
        for scope in [Scope.transactions, .balances] {
            let known = try await ctx.quotas.status(provider: name, subject: account.key, scope: scope.rawValue)?.current(at: ctx.now(), window: Self.accountBudgetWindow)
            if let known, known.isSpent(at: ctx.now()), let next = known.nextAllowedAt {
                guard psu.isPresent else {
                    notes.append(QuotaStatus.skippedNote(scope.rawValue, because: "the bank's budget for this account is spent", nextAllowedAt: next))
                    quotas.append(known)
                    continue
                }
                notes.append("\(scope.rawValue): the bank's background budget is spent until \(next.formatted(.iso8601)); fetched anyway, a person is present")
            }
            do {
                let rejected: String?
                switch scope {
                case .transactions: rejected = try await syncTransactions(account, uid: uid, link, app, ctx, psu: psu.headers, notes: &notes)
                case .balances: rejected = try await syncBalances(account, uid: uid, link, app, ctx, psu: psu.headers)
                }
                if let rejected { errors.append("\(scope.rawValue): \(rejected)") }
                fetched += 1
                // A call with PSU headers did not use the background budget: a spent one stays spent.
                let keep = psu.isPresent ? known : nil
                let q = QuotaStatus(provider: name, subject: account.key, scope: scope.rawValue, limit: known?.limit, remaining: keep?.remaining,
                                    nextAllowedAt: keep?.nextAllowedAt, lastSuccessAt: ctx.now())
                try await ctx.quotas.record(q)
                quotas.append(q)
            } catch let e as EnableBankingError where e.code == .rateLimited {
                let next = Self.nextAllowed(after: ctx.now(), message: e.message)
                let q = QuotaStatus(provider: name, subject: account.key, scope: scope.rawValue, limit: known?.limit, remaining: 0, nextAllowedAt: next, lastSuccessAt: known?.lastSuccessAt)
                try await ctx.quotas.record(q)
                quotas.append(q)
                notes.append(QuotaStatus.skippedNote(scope.rawValue, because: "rate-limited by \(link.bankLabel) (\(e.message ?? "429"))", nextAllowedAt: next))
            } catch let e as EnableBankingError where e.code == .sessionEnded {
                var out = try await sessionEnded(link, why: e.errorCode ?? e.code.rawValue, ctx)
                out.quota = quotas
                out.notes = notes
                out.error = "account \(account.key): \(e); reconnect with `\(link.reconnectCommand)`"
                return out
            } catch let e as EnableBankingError {
                errors.append("\(scope.rawValue): \(e)")
            }
        }
        if errors.isEmpty { return StepOutcome(status: fetched == 0 ? .skipped : .succeeded, quota: quotas, notes: notes) }
        return StepOutcome(status: fetched == 0 ? .failed : .partiallyFailed, quota: quotas, notes: notes, error: errors.joined(separator: "; "))
    }

    /// When a 429'd scope may be asked again: the next UTC midnight when the bank speaks of
    /// a daily limit, else in an hour; never beyond ``accountBudgetWindow``.
    public static func nextAllowed(after now: Date, message: String?) -> Date {
        let text = (message ?? "").lowercased()
        let daily = ["daily", "per day", "día", "dia", "máximo", "consent"].contains { text.contains($0) }
        guard daily else { return now.addingTimeInterval(3600) }
        let midnight = Date(timeIntervalSince1970: Double(CalendarDay.day(of: now) + 1) * 86_400)
        return min(midnight, now.addingTimeInterval(accountBudgetWindow))
    }

    func syncBalances(_ account: EnableBankingLink.Account, uid: String, _ link: EnableBankingLink, _ app: Application, _ ctx: StepContext,
                      psu: [(name: String, value: String)]) async throws -> String? {
        let endpoint = "GET /accounts/{uid}/balances"
        let list = try await app.client.balances(uid: uid, bank: link.bankLabel, account: account.key, psu: psu)
        let payload: JSONValue = .object(["account_key": .string(account.key), "balances": .array(list)])
        do { _ = try EnableBankingBalance.all(in: payload) } catch {
            return "\(EnableBankingError(code: .unnormalisableItems, endpoint: endpoint, bank: link.bankLabel, account: account.key, message: error.description))"
        }
        if let problem = payload.nulProblem() { return "\(endpoint) for account \(account.key): the balances \(problem)" }
        _ = try await ctx.sink.appendSnapshot(ctx.event(EventCatalog.enablebankingBalancesObserved, payload, endpoint: endpoint),
                                              to: StreamName.enablebankingAccount(account.key, .balances), ignoring: [])
        return nil
    }

    func syncTransactions(_ account: EnableBankingLink.Account, uid: String, _ link: EnableBankingLink, _ app: Application, _ ctx: StepContext,
                          psu: [(name: String, value: String)], notes: inout [String]) async throws -> String? {
        let endpoint = "GET /accounts/{uid}/transactions"
        let today = CalendarDay.day(of: ctx.now())
        let last = try await ctx.cursors.value(provider: name, subject: account.key, name: "last_booked_date")
        let status: String? = app.configuration.pending ? nil : "BOOK"
        var raw: [JSONValue] = []
        if let last, let lastDay = CalendarDay.day(last) {
            let from = max(lastDay - options.overlapDays, today - EnableBankingWindows.maxDays + 1)
            if lastDay - options.overlapDays < from { notes.append("transactions between \(last) and \(CalendarDay.text(from)) were not asked for: the bank serves 90 days") }
            for w in EnableBankingWindows.split(from: from, to: today) {
                raw += try await fetchWindow(uid: uid, from: w.from, to: w.to, status: status, strategy: nil, link, account, app.client, psu: psu, notes: &notes)
            }
        } else {
            // A new account: the deepest history now (many banks serve more than 90 days
            // only in the first minutes after consent), else the last 90 days.
            do {
                raw = try await fetchWindow(uid: uid, from: CalendarDay.text(today - options.deepHistoryDays + 1), to: CalendarDay.text(today), status: status,
                                            strategy: "longest", link, account, app.client, psu: psu, notes: &notes)
            } catch let e as EnableBankingError where e.code == .wrongPeriod || e.code == .invalidRequest {
                notes.append("\(link.bankLabel) refused \(options.deepHistoryDays) days of history (\(e.errorCode ?? e.code.rawValue)); fetched the last 90 days")
                for w in EnableBankingWindows.split(from: today - EnableBankingWindows.maxDays + 1, to: today) {
                    raw += try await fetchWindow(uid: uid, from: w.from, to: w.to, status: status, strategy: nil, link, account, app.client, psu: psu, notes: &notes)
                }
            }
        }
        var booked: [EnableBankingTransaction] = [], pending: [EnableBankingTransaction] = [], problems: [String] = []
        for (i, item) in raw.enumerated() {
            if let nul = item.nulProblem() { problems.append("item \(i) \(nul)"); continue }
            do {
                let t = try EnableBankingTransaction(item)
                if t.isBooked { booked.append(t) } else if t.isPending { pending.append(t) }
            } catch {
                problems.append("item \(i) (\(item["entry_reference"]?.string ?? "no entry_reference")): \(error.description)")
            }
        }
        var events: [NewEvent] = []
        var newest = last
        for (t, n) in zip(booked, EnableBankingTransaction.occurrences(booked)) {
            if let d = t.date, d > (newest ?? "") { newest = d }
            events.append(ctx.event(EventCatalog.enablebankingTransactionBooked,
                                    .object(["account_key": .string(account.key), "transaction": t.item, "occurrence": .number(String(n))]),
                                    endpoint: endpoint, occurredAt: t.date.flatMap { ExtractorTimestamp.parse($0) }))
        }
        if !events.isEmpty { _ = try await ctx.sink.append(events, to: StreamName.enablebankingAccount(account.key, .transactions)) }
        if app.configuration.pending {
            _ = try await ctx.sink.appendSnapshot(ctx.event(EventCatalog.enablebankingPendingObserved,
                                                            .object(["account_key": .string(account.key), "pending": .array(pending.map(\.item))]), endpoint: endpoint),
                                                  to: StreamName.enablebankingAccount(account.key, .pending), ignoring: [])
        }
        if problems.isEmpty, let newest, newest != last {
            try await ctx.cursors.set(newest, provider: name, subject: account.key, name: "last_booked_date")
        } else if problems.isEmpty, last == nil {
            try await ctx.cursors.set(CalendarDay.text(today), provider: name, subject: account.key, name: "last_booked_date")
        }
        guard !problems.isEmpty else { return nil }
        let said = problems.prefix(10).joined(separator: "; ")
        return "\(problems.count) item\(problems.count == 1 ? "" : "s") from \(endpoint) for account \(account.key) at \(link.bankLabel) could not be normalised and \(problems.count == 1 ? "was" : "were") not stored: \(said)"
    }

    /// Every page of one window. Follow-up pages repeat the window and status exactly; a
    /// page that answers with a continuation key seen before is the bank repeating itself:
    /// it is dropped and the loop ends. Identical items with the same `entry_reference` on
    /// two pages are kept once.
    func fetchWindow(uid: String, from: String, to: String, status: String?, strategy: String?, _ link: EnableBankingLink, _ account: EnableBankingLink.Account,
                     _ client: EnableBankingClient, psu: [(name: String, value: String)], notes: inout [String]) async throws -> [JSONValue] {
        var out: [JSONValue] = []
        var seenItems = Set<JSONValue>()
        var seenKeys = Set<String>()
        var key: String? = nil
        for page in 1...max(1, options.maxPages) {
            let p = try await client.transactions(uid: uid, dateFrom: from, dateTo: to, status: status, strategy: strategy, continuationKey: key,
                                                  bank: link.bankLabel, account: account.key, psu: psu)
            if let next = p.continuationKey, seenKeys.contains(next) {
                notes.append("\(link.bankLabel) repeated continuation key on page \(page) of \(from)…\(to); that page was a repeat and was not stored")
                break
            }
            for t in p.transactions {
                if t["entry_reference"]?.string != nil {
                    guard seenItems.insert(t).inserted else { continue }
                }
                out.append(t)
            }
            guard let next = p.continuationKey else { break }
            if p.transactions.isEmpty {
                notes.append("\(link.bankLabel) sent an empty page with a continuation key (history still being prepared); stopped there")
                break
            }
            if page == options.maxPages { notes.append("stopped after \(page) pages of \(from)…\(to)") }
            seenKeys.insert(next)
            key = next
        }
        return out
    }

    static func day(_ d: Date) -> String { CalendarDay.text(CalendarDay.day(of: d)) }
}
