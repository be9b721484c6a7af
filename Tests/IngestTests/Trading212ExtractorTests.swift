import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Ingest
import Projections
import ProviderFakes
import Testing

@Suite("Trading212 extractor against the fake API")
struct Trading212ExtractorTests {
    @Test("a full sync stores the scenario exactly, with pagination and held/traded instruments only")
    func fullSyncMatchesScenario() async throws {
        try await Trading212Harness.with { h in
            let runID = UUID()
            let outcome = try await h.extractor(pageLimit: 3).run(runID: runID)
            #expect(outcome.error == nil)
            #expect(outcome.connectionStatus == "active")
            // 1 account + 1 positions + 7 orders + 4 dividends + 5 transactions + 4 instruments + 1 health
            #expect(outcome.eventsAppended == 23)

            let account = try await h.events(type: EventCatalog.trading212AccountObserved.name)
            #expect(account.count == 1)
            #expect(account.first?.streamID == StreamName.trading212("isa", .account))
            let summary = try #require(try account.first?.json())
            #expect(summary["api"]?.string == "summary")
            #expect(summary["summary"]?["totalValue"] == .number("4297.43"))
            #expect(summary["summary"]?["cash"]?["inPies"] == .number("0E-10"))
            #expect(summary["summary"]?["investments"]?["unrealizedProfitLoss"]?.decimal == Decimal(string: "289.98"))

            let positions = try #require(try await h.events(type: EventCatalog.trading212PositionsObserved.name).first?.json())
            #expect(positions["api"]?.string == "positions")
            let items = try #require(positions["positions"]?.array)
            #expect(items.map { $0["instrument"]?["ticker"]?.string ?? "" } == ["VODl_EQ", "BPl_EQ", "VUSAl_EQ", "AAPL_US_EQ"])
            #expect(items[0]["instrument"]?["currency"]?.string == "GBX")
            #expect(items[0]["currentPrice"] == .number("73.6"))
            #expect(items[0]["quantityInPies"] == .number("0E-10"))
            #expect(items[2]["quantity"] == .number("12.3456789012"))
            #expect(items[3]["walletImpact"]?["fxImpact"] == .number("-16.09"))

            let orders = try await h.events(type: EventCatalog.trading212OrderObserved.name)
            #expect(orders.count == 7)
            #expect(Set(orders.map(\.streamID)) == [StreamName.trading212("isa", .orders)])
            #expect(try orders.map { try $0.json()["order"]?["id"]?.numberText ?? "" } == (1...7).reversed().map { "912000000\($0)" })
            #expect(orders.first?.occurredAt == ISO8601DateFormatter().date(from: "2025-03-03T10:15:00Z"))
            #expect(try orders.first?.json()["fill"]?["quantity"] == .number("-50.0"))

            let dividends = try await h.events(type: EventCatalog.trading212DividendObserved.name)
            #expect(try dividends.map { try $0.json()["reference"]?.string ?? "" } == ["DIV-VUSA-2025-03", "DIV-AAPL-2025-02", "DIV-VOD-2024-08", "DIV-BP-2024-06"])
            let transactions = try await h.events(type: EventCatalog.trading212TransactionObserved.name)
            #expect(try transactions.map { try $0.json()["amount"] ?? .null } == [.number("-0.50"), .number("1000.00"), .number("-250.00"), .number("2000.00"), .number("1500.00")])

            let instruments = try await h.events(type: EventCatalog.trading212InstrumentObserved.name)
            #expect(instruments.map(\.streamID).sorted() == [StreamName.trading212Instrument("AAPL_US_EQ"), StreamName.trading212Instrument("BPl_EQ"), StreamName.trading212Instrument("VODl_EQ"), StreamName.trading212Instrument("VUSAl_EQ")])
            let vod = try #require(try instruments.first { $0.streamID.hasSuffix("VODl_EQ") }?.json())
            #expect(vod["currencyCode"]?.string == "GBX")

            let health = try #require(try await h.events(type: EventCatalog.connectionHealthObserved.name).first)
            #expect(health.streamID == StreamName.connectionHealth(provider: "trading212", "isa"))
            #expect(try health.json()["status"]?.string == "active")

            // Run id as correlation id and in metadata; no query strings in metadata.
            for e in try await h.events() {
                #expect(e.correlationID == runID)
                #expect(e.metadata()["run_id"]?.string == runID.uuidString.lowercased())
                #expect(e.metadata()["endpoint"]?.string?.contains("?") == false)
            }

            // Pagination followed nextPagePath verbatim (ms-epoch and UUID+time cursors) to null.
            let requests = h.fake.requests
            #expect(requests.filter { $0.contains("/history/orders") } == [
                "GET /api/v0/equity/history/orders?limit=3",
                "GET /api/v0/equity/history/orders?cursor=\(Self.ms("2024-02-20T15:45:10.000Z"))&limit=3&instrumentCode",
                "GET /api/v0/equity/history/orders?cursor=\(Self.ms("2023-04-20T08:30:00.000Z"))&limit=3&instrumentCode",
            ])
            #expect(requests.filter { $0.contains("/history/transactions") } == [
                "GET /api/v0/equity/history/transactions?limit=3",
                "GET /api/v0/equity/history/transactions?limit=3&cursor=e1cb0002-6f90-432f-b600-2d69d6468e39&time=2024-05-05T16:20:00.000Z",
            ])
            #expect(Set(h.fake.authSchemes) == ["basic"])
        }
    }

    static func ms(_ iso: String) -> Int64 {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return Int64(f.date(from: iso)!.timeIntervalSince1970 * 1000)
    }

    /// Issue 18 (1): items the projections could not normalise are refused before appending,
    /// named in the step's error; the rest of the history is stored, and the books see only it.
    @Test("history items that cannot be normalised are not stored, and the step says which")
    func unnormalisableItemsAreRefused() async throws {
        try await Trading212Harness.with(scenario: FakeTrading212Scenario.isa().withHostileTransactions()) { h in
            let outcome = try await h.extractor().run(runID: UUID())
            #expect(outcome.status == .partiallyFailed)
            let error = try #require(outcome.stepOutcome.error)
            for reference in FakeTrading212Scenario.hostileReferences { #expect(error.contains(reference), "\(error)") }
            #expect(error.contains("1e1000000") && error.contains("2025-02-30") && error.contains("NUL"))
            let stored = try await h.events(type: EventCatalog.trading212TransactionObserved.name).map { try $0.json()["reference"]?.string ?? "" }
            #expect(stored.count == FakeTrading212Scenario.isa().transactions.count)
            #expect(Set(stored).isDisjoint(with: FakeTrading212Scenario.hostileReferences))
            let results = try await ProjectionRunner(connection: h.connection).catchUp(ProjectionCatalog.liveTargets)
            #expect(results.allSatisfy { $0.outcome == .caughtUp && $0.parked.isEmpty })
        }
    }

    @Test("a second sync appends nothing and reuses the cached instrument list")
    func secondSyncAppendsNothing() async throws {
        try await Trading212Harness.with { h in
            _ = try await h.extractor().run(runID: UUID())
            let head = try await h.log.headPosition()
            h.clock.advance(by: 3600)
            let second = try await h.extractor().run(runID: UUID())
            #expect(second.error == nil)
            #expect(second.eventsAppended == 0)
            #expect(second.duplicates > 0)
            #expect(try await h.log.headPosition() == head)
            #expect(h.fake.requests.filter { $0.contains("/metadata/instruments") }.count == 1)
            // After a day the cache is stale and the list is fetched again.
            h.clock.advance(by: 25 * 3600)
            _ = try await h.extractor().run(runID: UUID())
            #expect(h.fake.requests.filter { $0.contains("/metadata/instruments") }.count == 2)
        }
    }

    @Test("an incremental sync stops at the first page holding a stored item")
    func incrementalStopsAtFirstStoredItem() async throws {
        try await Trading212Harness.with { h in
            _ = try await h.extractor(pageLimit: 3).run(runID: UUID())
            h.fake.updateScenario { s in
                s.orders.insert(.init(id: 9_120_000_008, ticker: "BPl_EQ", side: "BUY", quantity: "10.0", fillPrice: "480.00", value: "48.00",
                                      time: "2025-04-01T09:00:00.000Z", fxRate: "0.01", stampDuty: "0.24"), at: 0)
            }
            h.clock.advance(by: 3600)
            let before = h.fake.requests.count
            let outcome = try await h.extractor(pageLimit: 3).run(runID: UUID())
            #expect(outcome.error == nil)
            #expect(outcome.eventsAppended == 1)
            let orders = try await h.events(type: EventCatalog.trading212OrderObserved.name)
            #expect(orders.count == 8)
            #expect(try orders.last?.json()["order"]?["id"] == .number("9120000008"))
            let secondRun = h.fake.requests[before...]
            #expect(secondRun.filter { $0.contains("/history/orders") } == ["GET /api/v0/equity/history/orders?limit=3"])
            #expect(secondRun.filter { $0.contains("/history/dividends") }.count == 1)
        }
    }

    @Test("a first run interrupted mid-history is completed by the next run, which then stops incrementally")
    func interruptedFirstRunIsCompleted() async throws {
        try await Trading212Harness.with { h in
            h.fake.failNext(matching: "/history/orders?cursor=", times: 3)  // the first try and both retries
            let first = try await h.extractor(pageLimit: 3).run(runID: UUID())
            #expect(first.failed)
            #expect(first.connectionStatus == "error")
            #expect(try await h.events(type: EventCatalog.trading212OrderObserved.name).count == 3)
            #expect(try await h.events(type: EventCatalog.trading212DividendObserved.name).count == 4)  // other lists went on

            h.clock.advance(by: 3600)
            let second = try await h.extractor(pageLimit: 3).run(runID: UUID())
            #expect(second.error == nil)
            #expect(try await h.events(type: EventCatalog.trading212OrderObserved.name).count == 7)
            #expect(try await h.progress.isComplete(connection: "isa", list: "orders"))

            h.clock.advance(by: 3600)
            let before = h.fake.requests.count
            let third = try await h.extractor(pageLimit: 3).run(runID: UUID())
            #expect(third.eventsAppended == 0)
            #expect(h.fake.requests[before...].filter { $0.contains("/history/orders") } == ["GET /api/v0/equity/history/orders?limit=3"])
        }
    }

    @Test("a 5xx is retried after a backoff and the run succeeds")
    func serverErrorRetried() async throws {
        try await Trading212Harness.with { h in
            h.fake.failNext(matching: "/history/transactions?limit=3&cursor=", status: 503, times: 2)
            let start = h.clock.date
            let outcome = try await h.extractor().run(runID: UUID())
            #expect(outcome.error == nil)
            #expect(try await h.events(type: EventCatalog.trading212TransactionObserved.name).count == 5)
            #expect(h.clock.sleeps == [start.addingTimeInterval(1), start.addingTimeInterval(3)])
            #expect(h.fake.requests.filter { $0.contains("/history/transactions?limit=3&cursor=") }.count == 3)
        }
    }

    @Test("a 429 waits until x-ratelimit-reset through the injected clock and resumes")
    func rateLimitWaitsAndResumes() async throws {
        try await Trading212Harness.with { h in
            _ = try await h.extractor().run(runID: UUID())
            #expect(h.clock.sleeps.isEmpty)
            // Same instant, fresh client: every endpoint's window is still spent.
            let start = h.clock.date
            let outcome = try await h.extractor().run(runID: UUID())
            #expect(outcome.error == nil)
            #expect(outcome.eventsAppended == 0)
            let sleeps = h.clock.sleeps
            #expect(!sleeps.isEmpty)
            // The first wait is for /equity/account/summary (1 per 5 s): until the announced reset.
            #expect(sleeps.first == Date(timeIntervalSince1970: (start.timeIntervalSince1970 + 5).rounded(.up)))
            #expect(h.fake.requests.filter { $0 == "GET /api/v0/equity/account/summary" }.count == 3)
            #expect(h.fake.rateLimitedCount >= 1)
            // Every wait moved forward in time, none into the past.
            #expect(zip(sleeps, sleeps.dropFirst()).allSatisfy { $0 <= $1 })
        }
    }

    @Test("a long history waits out the 6-per-minute window before asking, without earning a 429")
    func waitsOutExhaustedWindow() async throws {
        try await Trading212Harness.with { h in
            let start = h.clock.date
            let outcome = try await h.extractor(pageLimit: 1).run(runID: UUID())
            #expect(outcome.error == nil)
            #expect(try await h.events(type: EventCatalog.trading212OrderObserved.name).count == 7)
            #expect(h.fake.rateLimitedCount == 0)
            // Orders: six pages in the first minute, then one wait for the announced reset.
            #expect(h.clock.sleeps.first == Date(timeIntervalSince1970: (start.timeIntervalSince1970 + 60).rounded(.up)))
            #expect(h.fake.requests.filter { $0.contains("/history/orders") }.count == 7)
        }
    }

    @Test("GBX prices convert to GBP; other currencies stay")
    func gbxPrices() {
        #expect(Trading212Price.inMajorUnit(Decimal(string: "73.6")!, currencyCode: "GBX") == (Decimal(string: "0.736")!, "GBP"))
        #expect(Trading212Price.inMajorUnit(Decimal(string: "91.05")!, currencyCode: "GBP") == (Decimal(string: "91.05")!, "GBP"))
        #expect(Trading212Price.inMajorUnit(Decimal(string: "229.87")!, currencyCode: "USD") == (Decimal(string: "229.87")!, "USD"))
    }

    @Test("the sandbox fake works with the wall clock")
    func sandbox() async throws {
        let fake = try await FakeTrading212Server.startSandbox()
        do {
            try await TestDatabase.with { db in
                let conn = try await db.connect()
                defer { conn.close() }
                let config = Trading212Configuration(name: "ISA", baseURL: fake.baseURL, apiKey: .environment("K"), apiSecret: .environment("S"))
                let extractor = Trading212Extractor(configuration: config, credentials: try config.credentials(environment: ["K": fake.apiKey, "S": fake.apiSecret]),
                                                    sink: EventLog(connection: conn), instrumentCache: InMemoryTrading212InstrumentCache(),
                                                    historyProgress: InMemoryTrading212HistoryProgress())
                let outcome = try await extractor.run(runID: UUID())
                #expect(outcome.error == nil)
                #expect(outcome.eventsAppended == 23)
            }
        } catch {
            await fake.stop()
            throw error
        }
        await fake.stop()
    }

    @Test("the legacy API generation with the bare-key scheme")
    func legacyGenerationWithBareKey() async throws {
        try await Trading212Harness.with(generation: .legacy) { h in
            let outcome = try await h.extractor(pageLimit: 50, withSecret: false).run(runID: UUID())
            #expect(outcome.error == nil)
            #expect(Set(h.fake.authSchemes) == ["key"])
            let account = try #require(try await h.events(type: EventCatalog.trading212AccountObserved.name).first?.json())
            #expect(account["api"]?.string == "legacy")
            #expect(account["cash"]?["pieCash"] == .number("0E-10"))
            #expect(account["info"]?["currencyCode"]?.string == "GBP")
            let positions = try #require(try await h.events(type: EventCatalog.trading212PositionsObserved.name).first?.json())
            #expect(positions["api"]?.string == "portfolio")
            #expect(positions["positions"]?[0]?["ticker"]?.string == "VODl_EQ")
            #expect(positions["positions"]?[0]?["pieQuantity"] == .number("0E-10"))
            #expect(try await h.events(type: EventCatalog.trading212OrderObserved.name).count == 7)
            let firstOrder = try #require(try await h.events(type: EventCatalog.trading212OrderObserved.name).first?.json())
            #expect(firstOrder["filledQuantity"] == .number("-50.0"))
            #expect(try await h.events(type: EventCatalog.trading212DividendObserved.name).count == 4)
            #expect(h.fake.requests.contains("GET /api/v0/history/dividends?limit=50"))
            #expect(h.fake.requests.contains("GET /api/v0/history/transactions?limit=50"))
            #expect(!h.fake.requests.contains { $0.hasPrefix("GET /api/v0/equity/positions") || $0.hasPrefix("GET /api/v0/equity/history/dividends") })
            #expect(try await h.events(type: EventCatalog.trading212InstrumentObserved.name).count == 4)
        }
    }

    @Test("a missing scope skips that endpoint, syncs the rest and marks the connection naming the scope")
    func missingScopeMarksConnection() async throws {
        try await Trading212Harness.with { h in
            h.fake.removeScope("history:dividends")
            let outcome = try await h.extractor().run(runID: UUID())
            #expect(outcome.failed)
            #expect(outcome.connectionStatus == "auth_required")
            #expect(outcome.error?.contains("history:dividends") == true)
            #expect(try await h.events(type: EventCatalog.trading212DividendObserved.name).isEmpty)
            #expect(try await h.events(type: EventCatalog.trading212OrderObserved.name).count == 7)
            #expect(try await h.events(type: EventCatalog.trading212TransactionObserved.name).count == 5)
            let health = try #require(try await h.events(type: EventCatalog.connectionHealthObserved.name).last?.json())
            #expect(health["status"]?.string == "auth_required")
            #expect(health["message"]?.string?.contains("history:dividends") == true)
            #expect(health["provider"]?.string == "trading212")
            #expect(health["connection_id"]?.string == "isa")

            // Scope granted again: the connection becomes active and dividends arrive.
            h.fake.restoreScopes()
            h.clock.advance(by: 3600)
            let again = try await h.extractor().run(runID: UUID())
            #expect(again.error == nil)
            #expect(try await h.events(type: EventCatalog.trading212DividendObserved.name).count == 4)
            let healths = try await h.events(type: EventCatalog.connectionHealthObserved.name)
            #expect(try healths.map { try $0.json()["status"]?.string ?? "" } == ["auth_required", "active"])
        }
    }

    @Test("a rejected key stops the step and marks the connection auth_required")
    func rejectedKeyMarksConnection() async throws {
        try await Trading212Harness.with { h in
            let outcome = try await h.extractor(withSecret: false, key: "WRONG-KEY").run(runID: UUID())
            #expect(outcome.failed)
            #expect(outcome.connectionStatus == "auth_required")
            let events = try await h.events()
            #expect(events.map(\.type.name) == [EventCatalog.connectionHealthObserved.name])
            let health = try events[0].json()
            #expect(health["status"]?.string == "auth_required")
            #expect(health["message"]?.string?.contains("rejected the API key") == true)
            #expect(h.fake.requests == ["GET /api/v0/equity/account/summary"])
            #expect(outcome.error?.contains("WRONG-KEY") == false)
        }
    }

    @Test("keys, secrets and the Authorization header never reach payloads, metadata or errors")
    func secretsNeverStored() async throws {
        try await Trading212Harness.with { h in
            h.fake.removeScope("metadata")
            let outcome = try await h.extractor().run(runID: UUID())
            let basic = Data("\(h.fake.apiKey):\(h.fake.apiSecret)".utf8).base64EncodedString()
            let text = try storedText(try await h.events())
            #expect(!text.isEmpty)
            for secret in [h.fake.apiKey, h.fake.apiSecret, basic] {
                #expect(!text.contains(secret))
                #expect(!(outcome.error ?? "").contains(secret))
                #expect(!outcome.warnings.joined().contains(secret))
            }
            let creds = Trading212Credentials(apiKey: h.fake.apiKey, apiSecret: h.fake.apiSecret)
            #expect(!"\(creds)".contains(h.fake.apiKey) && !"\(creds)".contains(h.fake.apiSecret))
        }
    }
}
