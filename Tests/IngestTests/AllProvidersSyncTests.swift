import CanonicalJSON
import EventLog
import Foundation
import Ingest
import Postgres
import ProviderFakes
import Testing

/// GoCardless, Trading212 and Vanguard synced by one `SyncRunner`, against the fakes.
@Suite("All providers in one sync run")
struct AllProvidersSyncTests {
    /// What the fake ISA serves, so expectations follow the scenario.
    static let t212 = FakeTrading212Scenario.isa()
    static let vanguard = FakeVanguardScenario.isaAndGia()

    /// Tickers held or traded that are in the instrument list: the instrument events expected.
    static var t212Instruments: Int {
        let used = Set(t212.positions.map(\.ticker) + t212.orders.map(\.ticker) + t212.dividends.map(\.ticker))
        return Set(t212.instruments.compactMap { $0["ticker"]?.string }).intersection(used).count
    }

    @Test("one run appends every provider's catalogue events; a second run appends nothing")
    func oneRunSyncsAllThreeAndASecondAppendsNothing() async throws {
        try await AllProvidersHarness.with { h in
            let first = try await h.sync()
            let counts = try await h.counts()

            // GoCardless: its own suite checks the details; here it must simply be there.
            #expect((counts[EventCatalog.gocardlessTransactionBooked.name] ?? 0) > 0)
            #expect((counts[EventCatalog.gocardlessBalancesObserved.name] ?? 0) > 0)
            // Trading212: one snapshot each, every history item, instruments held or traded.
            #expect(counts[EventCatalog.trading212AccountObserved.name] == 1)
            #expect(counts[EventCatalog.trading212PositionsObserved.name] == 1)
            #expect(counts[EventCatalog.trading212OrderObserved.name] == Self.t212.orders.count)
            #expect(counts[EventCatalog.trading212DividendObserved.name] == Self.t212.dividends.count)
            #expect(counts[EventCatalog.trading212TransactionObserved.name] == Self.t212.transactions.count)
            #expect(counts[EventCatalog.trading212InstrumentObserved.name] == Self.t212Instruments)
            // Vanguard: each sub-account and its holdings.
            #expect(counts[EventCatalog.vanguardSubaccountObserved.name] == Self.vanguard.subAccounts.count)
            #expect(counts[EventCatalog.vanguardHoldingsObserved.name] == Self.vanguard.subAccounts.count)
            // Health for the two new providers, in words.
            #expect(try await h.lastHealth(StreamName.connectionHealth(provider: "trading212", "isa"))?["status"]?.string == "active")
            #expect(try await h.lastHealth(StreamName.connectionHealth(provider: "vanguard", "vanguard"))?["status"]?.string == "active")

            // The run record: one step per T212 / Vanguard connection, succeeded, with counts.
            let t212Steps = h.steps(first, provider: "trading212"), vgSteps = h.steps(first, provider: "vanguard")
            #expect(t212Steps.map(\.connectionID) == ["isa"])
            #expect(t212Steps.first?.status == .succeeded)
            #expect(t212Steps.first?.eventsAppended == (try await h.countsByProvider())["trading212"])
            #expect(vgSteps.map(\.connectionID) == ["vanguard"])
            #expect(vgSteps.first?.status == .succeeded)
            #expect(vgSteps.first?.eventsAppended == (try await h.countsByProvider())["vanguard"])
            // The standard GoCardless scenario has expired/rejected requisitions: partially failed.
            #expect(first.status == .partiallyFailed)
            #expect(first.steps.filter { $0.status == .failed }.allSatisfy { $0.provider == "gocardless" })
            #expect(first.eventsAppended == (try await h.counts()).values.reduce(0, +))
            // Every event of the run carries its id.
            let t212Events = try await EventLog(connection: h.connection).readStream(StreamName.trading212("isa", .orders))
            #expect(t212Events.allSatisfy { $0.correlationID == first.runID })

            let before = try await h.counts()
            let second = try await h.sync()
            #expect(second.eventsAppended == 0)
            #expect(second.duplicatesSkipped > 0)
            #expect(try await h.counts() == before)
            #expect(h.steps(second, provider: "trading212").first?.status == .succeeded)
            #expect(h.steps(second, provider: "vanguard").first?.status == .succeeded)
        }
    }

    @Test("--provider syncs only that provider")
    func providerFilter() async throws {
        try await AllProvidersHarness.with { h in
            let t212 = try await h.sync(.init(provider: "trading212"))
            #expect(!t212.steps.isEmpty)
            #expect(t212.steps.allSatisfy { $0.provider == "trading212" })
            #expect(t212.status == .succeeded)
            #expect(Set(try await h.countsByProvider().keys) == ["trading212"])
            #expect(h.vanguard.requests.isEmpty)

            let vg = try await h.sync(.init(provider: "vanguard"))
            #expect(vg.steps.map(\.provider) == ["vanguard"])
            #expect(vg.status == .succeeded)
            #expect(Set(try await h.countsByProvider().keys) == ["trading212", "vanguard"])
            #expect(h.gocardless.scenario.calls(.transactions, account: GoCardlessScenario.DefaultIDs.johnAccount) == 0)
        }
    }

    @Test("a missing Trading212 scope and an expired Vanguard session leave the other providers synced")
    func scopeErrorAndSessionExpiry() async throws {
        try await AllProvidersHarness.with { h in
            h.trading212.removeScope("history:dividends")
            h.vanguard.expireSessions()
            let first = try await h.sync()

            // Trading212: the rest synced, the step partially failed naming the scope.
            let t212 = try #require(h.steps(first, provider: "trading212").first)
            #expect(t212.status == .partiallyFailed)
            #expect(t212.error?.contains("history:dividends") == true)
            let counts = try await h.counts()
            #expect(counts[EventCatalog.trading212OrderObserved.name] == Self.t212.orders.count)
            #expect(counts[EventCatalog.trading212DividendObserved.name] == nil)
            let t212Health = try #require(try await h.lastHealth(StreamName.connectionHealth(provider: "trading212", "isa")))
            #expect(t212Health["status"]?.string == "auth_required")
            #expect(t212Health["message"]?.string?.contains("history:dividends") == true)

            // Vanguard: the step failed, the connection waits for a new session.
            let vg = try #require(h.steps(first, provider: "vanguard").first)
            #expect(vg.status == .failed)
            #expect(vg.error?.contains("connect vanguard --session") == true)
            #expect(counts[EventCatalog.vanguardSubaccountObserved.name] == nil)
            #expect(try await h.vanguardStore.state(of: "vanguard")?.status == "auth_required")

            // GoCardless: its linked accounts synced as usual.
            for account in [GoCardlessScenario.DefaultIDs.johnAccount, GoCardlessScenario.DefaultIDs.janeAccount] {
                #expect(first.steps.first { $0.key == account }?.status == .succeeded)
            }
            #expect(first.status == .partiallyFailed)

            // Listing says in words what to do; the next run skips Vanguard without a request.
            let vgConnection = try #require(try await h.providers[2].connections().first)
            #expect(vgConnection.health == .authRequired)
            #expect(vgConnection.statusDescription.contains("a new session is needed"))
            let requestsBefore = h.vanguard.requests.count
            let second = try await h.sync()
            let skipped = try #require(h.steps(second, provider: "vanguard").first)
            #expect(skipped.status == .skipped)
            #expect(skipped.notes.contains { $0.contains("connect vanguard --session") })
            #expect(h.vanguard.requests.count == requestsBefore)
            #expect(h.steps(second, provider: "trading212").first?.status == .partiallyFailed)
        }
    }

    @Test("a dry run writes no events and neither rejects the Vanguard session nor completes Trading212 history")
    func dryRunLeavesState() async throws {
        try await AllProvidersHarness.with { h in
            h.vanguard.expireSessions()
            let run = try await h.sync(.init(dryRun: true))
            #expect(run.eventsAppended > 0)
            #expect(h.steps(run, provider: "vanguard").first?.status == .failed)
            #expect(try await h.counts().isEmpty)
            #expect(try await h.vanguardStore.state(of: "vanguard")?.status == "active")
            #expect(try await PostgresTrading212HistoryProgress(connection: h.connection).isComplete(connection: "isa", list: "orders") == false)
        }
    }

    @Test("an unreadable Trading212 key fails only that connection, naming the variable")
    func missingSecretFailsOnlyThatConnection() async throws {
        try await AllProvidersHarness.with { h in
            let broken = Trading212Provider(configurations: [Trading212Configuration(name: "Invest", baseURL: h.trading212.baseURL, apiKey: .environment("T212_INVEST_KEY_UNSET"))],
                                            environment: [:], instrumentCache: InMemoryTrading212InstrumentCache(), historyProgress: InMemoryTrading212HistoryProgress())
            let listed = try await broken.connections()
            #expect(listed.map(\.health) == [.authRequired])
            #expect(listed.first?.statusDescription.contains("T212_INVEST_KEY_UNSET") == true)
            let run = try await SyncRunner(connection: h.connection, providers: h.providers + [broken]).run(.init(provider: "trading212"))
            let steps = h.steps(run, provider: "trading212")
            #expect(steps.map(\.connectionID) == ["isa", "invest"])
            #expect(steps.map(\.status) == [.succeeded, .failed])
            #expect(steps[1].error?.contains("T212_INVEST_KEY_UNSET") == true)
            #expect(run.status == .partiallyFailed)
        }
    }
}
