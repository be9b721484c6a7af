import CanonicalJSON
import EventLog
import Clocks
import Foundation
import Logging

/// Extracts a Vanguard UK Investor account through a browser session (no official API).
///
/// Entry point: ``run(runID:)``. For each sub-account in the session it asks for the
/// current valuation, cash balance, sub-account performance, instrument valuation,
/// holdings and monthly performance; only when all six answered does it append
/// `vanguard.subaccount.observed` and `vanguard.holdings.observed` snapshots (so a
/// sub-account is never half-updated).
///
/// On 401/403 the session is spent: the connection is stored as `auth_required` with
/// the session's fingerprint, a `connection.health.observed` event says in words that a
/// new session is needed, what was stored before stays, and later runs make no request
/// at all until a session with another fingerprint is handed over.
public struct VanguardSessionExtractor: Sendable {
    /// The connection name (`vanguard` by default; streams are `vanguard/<name>/…`).
    public let connection: String
    let session: VanguardSession
    let client: VanguardClient
    let sink: any EventSink
    let store: any VanguardConnectionStore
    let clock: any FinsyncClock
    let logger: Logger
    /// How many months of monthly performance to ask for.
    public var monthlyPerformanceMonths = 24

    public init(connection: String = "vanguard", session: VanguardSession, transport: ProviderHTTPTransport = ProviderHTTPTransport(), sink: any EventSink,
                store: any VanguardConnectionStore, clock: any FinsyncClock = SystemClock(),
                logger: Logger = Logger(label: "finsync.vanguard")) {
        self.connection = connection
        self.session = session
        self.client = VanguardClient(connection: connection, session: session, transport: transport)
        self.sink = sink
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    /// The words shown when a new session is needed.
    var newSessionNeeded: String {
        "Vanguard no longer accepts the session of connection \(connection). Log in at vanguardinvestor.co.uk in your browser, export a new session file and run `finsync connect vanguard --session FILE`; finsync will not call Vanguard for this connection until then. The data synced earlier is kept."
    }

    public func run(runID: UUID) async throws -> ExtractorOutcome {
        var outcome = ExtractorOutcome(step: "vanguard/\(connection)")
        if let state = try await store.state(of: connection), state.status == "auth_required", state.rejectedSHA256 == session.fingerprint {
            outcome.skipped = true
            outcome.connectionStatus = "auth_required"
            outcome.warnings.append(newSessionNeeded)
            return outcome
        }
        var failure: VanguardError?
        var subAccountsSynced = 0
        for sub in session.subAccounts {
            do {
                try await extract(sub, runID: runID, outcome: &outcome)
                subAccountsSynced += 1
            } catch let e as VanguardError where e.code == .sessionRejected {
                try await store.markAuthRequired(name: connection, sessionSHA256: session.fingerprint, message: newSessionNeeded)
                let health = ConnectionHealthSnapshot(provider: "vanguard", connectionID: connection, status: .authRequired, message: newSessionNeeded)
                outcome.record(try await health.record(in: sink, stamp: RunStamp(runID: runID)))
                outcome.connectionStatus = "auth_required"
                outcome.error = "\(e.description). \(newSessionNeeded)"
                return outcome
            } catch let e as VanguardError {
                failure = failure ?? e
                outcome.warnings.append(e.description)
            }
        }
        let health = failure.map { ConnectionHealthSnapshot(provider: "vanguard", connectionID: connection, status: .error, message: $0.description) }
            ?? ConnectionHealthSnapshot(provider: "vanguard", connectionID: connection, status: .active, message: "Vanguard connection \(connection) is working.")
        outcome.record(try await health.record(in: sink, stamp: RunStamp(runID: runID)))
        if let state = try await store.state(of: connection), state.status == "auth_required" {
            try await store.register(name: connection, sessionPath: state.sessionPath, sessionSHA256: session.fingerprint)
        }
        outcome.connectionStatus = health.status.rawValue
        outcome.error = failure?.description
        outcome.partial = failure != nil && subAccountsSynced > 0
        return outcome
    }

    func extract(_ sub: VanguardSession.SubAccount, runID: UUID, outcome: inout ExtractorOutcome) async throws {
        let h = sub.hierarchyID
        let base = "/en-GB/SubAccount/\(h)/Api"
        let valuation = try await client.get("\(base)/Valuations/CurrentValuation/Get")
        let cash = try await client.get("\(base)/Portfolio/CashBalance/Get?hierarchyId=\(h)")
        let performance = try await client.get("\(base)/Performance/SubaccountPerformance/Get?hierarchyId=\(h)&grossReturnOnly=true")
        let instruments = try await client.post("\(base)/Portfolio/InstrumentValuation/Post",
                                                body: ["query": ["Sorting": ["Direction": 1, "Field": 0]], "hierarchyId": .string(h)])
        let holdings = try await client.get("\(base)/Holdings/SubAccountHoldings/Get?hierarchyId=\(h)")
        let (from, to) = monthRange()
        let monthly = try await client.get("/en-GB/Api/Performance/InvestmentMonthlyPerformance/Get?hierarchyId=\(h)&fromDate=\(from)&toDate=\(to)")

        let subPayload: JSONValue = ["hierarchy_id": .string(h), "name": .string(sub.name), "wrapper": .string(sub.wrapper),
                                     "valuation": valuation, "cash": cash, "performance": performance, "monthly_performance": monthly]
        let holdingsPayload: JSONValue = ["hierarchy_id": .string(h), "holdings": instruments, "positions": holdings]
        // What PostgreSQL could never store as sent (a NUL character) is refused here, before
        // anything of the sub-account is appended, and named in the step's error.
        for (what, payload) in [("sub-account \(h)", subPayload), ("holdings of sub-account \(h)", holdingsPayload)] {
            if let problem = payload.nulProblem() {
                outcome.refused.append("the answer for \(what) \(problem)")
                return
            }
        }
        let stamp = RunStamp(runID: runID)
        let subEvent = stamp.event(EventCatalog.vanguardSubaccountObserved.latest, subPayload, endpoint: "\(base)/Valuations/CurrentValuation/Get")
        outcome.record(try await sink.appendSnapshot(subEvent, to: StreamName.vanguardSubaccount(connection, h), ignoring: []))
        let hold = stamp.event(EventCatalog.vanguardHoldingsObserved.latest, holdingsPayload, endpoint: "\(base)/Portfolio/InstrumentValuation/Post")
        outcome.record(try await sink.appendSnapshot(hold, to: StreamName.vanguardHoldings(connection, h), ignoring: []))
    }

    /// From the first day of the month `monthlyPerformanceMonths` ago to the first day of
    /// this month (whole months only, so the answer changes once a month, not daily).
    func monthRange() -> (String, String) {
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(secondsFromGMT: 0) ?? cal.timeZone
        let c = cal.dateComponents([.year, .month], from: clock.date)
        // Both exist for any instant a clock gives; fall back to the instant itself rather than trap.
        let thisMonth = cal.date(from: c) ?? clock.date
        let start = cal.date(byAdding: .month, value: -monthlyPerformanceMonths, to: thisMonth) ?? thisMonth
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withFullDate]
        return (f.string(from: start), f.string(from: thisMonth))
    }
}
