import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import Projections
import ProviderSamples
import Testing

@Suite struct ProjectionRunnerTests {
    static let allTables = ["public.gc_institutions", "public.gc_agreements", "public.gc_requisitions", "public.gc_bank_accounts", "public.gc_balances", "public.gc_transactions",
                            "public.institutions", "public.consents", "public.connections", "public.accounts", "public.holdings", "public.transactions",
                            "public.t212_accounts", "public.t212_positions", "public.t212_orders", "public.t212_dividends", "public.instrument_metadata", "public.trading212_position_state",
                            "analytics.daily_balances", "analytics.monthly_cashflow", "analytics.net_worth_daily", "analytics.portfolio_value_daily", "analytics.cashflow_entries"]

    /// Appends a realistic generated log (snapshots as snapshots), `count` events.
    static func appendHousehold(_ h: ProjectionHarness, count: Int, seed: UInt64 = 3) async throws {
        var byStream: [(String, [NewEvent], Bool)] = []
        var index: [String: Int] = [:]
        for s in HouseholdLog(seed: seed, bankAccounts: 3, transactionsPerAccountPerDay: 6).prefix(count) {
            let e = NewEvent(type: EventType(s.type), json: s.payload, occurredAt: s.occurredAt)
            if s.isSnapshot { byStream.append((s.stream, [e], true)); continue }
            if let i = index[s.stream], i == byStream.count - 1 { byStream[i].1.append(e) } else { index[s.stream] = byStream.count; byStream.append((s.stream, [e], false)) }
        }
        for (stream, events, snapshot) in byStream {
            if snapshot { _ = try await h.log.appendSnapshot(events[0], to: stream) } else { _ = try await h.log.append(events, to: stream) }
        }
    }

    static func dump(_ h: ProjectionHarness, schemaMap: [String: String] = [:]) async throws -> [String: [String]] {
        var out: [String: [String]] = [:]
        for t in allTables {
            let parts = t.split(separator: ".").map(String.init)
            let schema = schemaMap[parts[0]] ?? parts[0]
            out[t] = try await h.rows("SELECT x::text FROM \"\(schema)\".\(parts[1]) x ORDER BY 1").map { $0[0] ?? "" }
        }
        return out
    }

    @Test func foldingTwiceChangesNothing() async throws {
        try await TestDatabase.with { db in
            let h = try await ProjectionHarness.make(db)
            try await Self.appendHousehold(h, count: 1500)
            let first = try await h.fold(batchSize: 400)
            #expect(first.allSatisfy { $0.outcome == .caughtUp && $0.eventsApplied > 0 })
            let before = try await Self.dump(h)
            #expect(before["public.transactions"]!.count > 500)
            // Catching up again applies nothing.
            #expect(try await h.fold().allSatisfy { $0.eventsApplied == 0 })
            // Re-applying every event over the existing rows changes nothing either.
            _ = try await h.rows("UPDATE projections.checkpoints SET position = 0 RETURNING 1")
            let again = try await h.fold(batchSize: 333)
            #expect(again.map(\.eventsApplied) == first.map(\.eventsApplied))
            #expect(try await Self.dump(h) == before)
        }
    }

    /// A prepared target gets no DDL at catch-up, so the runner never queues behind another
    /// session's open write to one of its tables (`CREATE INDEX IF NOT EXISTS` would wait
    /// for a SHARE lock there, and could deadlock with a second runner).
    @Test func catchUpDoesNotWaitForOpenWritesToItsTables() async throws {
        try await TestDatabase.with { db in
            let h = try await ProjectionHarness.make(db)
            try await Self.appendHousehold(h, count: 600)
            try await h.fold(batchSize: 200)
            let writer = try await db.connect()
            defer { writer.close() }
            // An open transaction holding ROW EXCLUSIVE on gc_transactions (which has a partial index).
            try await writer.withSession { s in _ = try s.execute("BEGIN; UPDATE public.gc_transactions SET status = status WHERE false") }
            // The runner gives up instead of waiting long (a bound on failure, not a timing).
            _ = try await h.rows("SET lock_timeout = '10s'")
            try await Self.appendHousehold(h, count: 900)
            let results = try await h.fold(batchSize: 200)
            #expect(results.allSatisfy { $0.outcome == .caughtUp }, "\(results.map { "\($0.projection): \($0.outcome) \($0.error.map { "\($0)" } ?? "")" })")
            #expect(results.first { $0.projection == "gocardless_raw" }!.eventsApplied > 0)
            try await writer.withSession { s in _ = try s.execute("ROLLBACK") }
            // A target that lost a table is prepared again.
            _ = try await h.rows("DROP TABLE public.gc_balances")
            #expect(try await h.fold().allSatisfy { $0.outcome == .caughtUp })
            #expect(try await h.rows("SELECT to_regclass('public.gc_balances') IS NOT NULL") == [["t"]])
        }
    }

    @Test func batchBoundariesAndTargetSchemaDoNotChangeTheResult() async throws {
        try await TestDatabase.with { db in
            let h = try await ProjectionHarness.make(db)
            try await Self.appendHousehold(h, count: 1200, seed: 11)
            try await h.fold(batchSize: 5000)
            let shadow = ProjectionCatalog.all.map { ProjectionTarget($0, schema: $0.liveSchema == "analytics" ? "scratch_analytics" : "scratch_main") }
            // Small batches, and the projections folding concurrently on their own connections.
            let results = try await h.fold(batchSize: 37, targets: shadow, workers: 3)
            #expect(results.allSatisfy { $0.outcome == .caughtUp })
            let live = try await Self.dump(h)
            let scratch = try await Self.dump(h, schemaMap: ["public": "scratch_main", "analytics": "scratch_analytics"])
            for t in Self.allTables { #expect(live[t] == scratch[t], "table \(t) differs between batch sizes") }
        }
    }

    @Test(arguments: [0, 3]) func anEventThatCannotBeAppliedStopsOnlyItsProjectionsExactlyThere(workers: Int) async throws {
        try await TestDatabase.with { db in
            let h = try await ProjectionHarness.make(db)
            let positions = try await h.append([
                GC.booked(GC.item("-1.00", date: "2024-12-01", id: "ok-1")),
                GC.balancesEvent([GC.balance("100.00", "closingBooked", "2024-12-01")]),
                GC.booked(GC.item("12,50", date: "2024-12-02", id: "bad-amount")),  // not a decimal
                GC.booked(GC.item("-3.00", date: "2024-12-03", id: "ok-2")),
                ("gocardless/requisition/x", NewEvent(type: EventType("gocardless.requisition.observed"), json: ["status": "LN"])),  // no id
                GC.balancesEvent([GC.balance("90.00", "closingBooked", "2024-12-03")]),
            ])
            let results = try await h.fold(workers: workers)
            for name in ["gocardless_raw", "unified", "analytics"] {
                let r = results.first { $0.projection == name }!
                #expect(r.outcome == .failed, "\(name) must stop")
                #expect(r.position == positions[2] - 1, "\(name) stops right before the bad event")
                #expect(r.error?.position == positions[2])
                #expect(r.error?.eventType == "gocardless.transaction.booked")
                #expect(r.error?.description.contains("position \(positions[2])") == true)
            }
            // Everything before the bad event is applied, nothing after it.
            #expect(try await h.rows("SELECT provider_transaction_key FROM transactions ORDER BY 1") == [["tid:ok-1"]])
            #expect(try await h.rows("SELECT balance_amount::text FROM accounts") == [["100.00"]])
            #expect(try await h.rows("SELECT transaction_count FROM analytics.monthly_cashflow") == [["1"]])
            let status = try await ProjectionRunner(connection: h.connection).status(ProjectionCatalog.liveTargets)
            let readers: Set<String> = ["gocardless_raw", "unified", "analytics"]
            #expect(status.filter { readers.contains($0.projection) }.allSatisfy { $0.position == positions[2] - 1 && $0.errorPosition == positions[2] && $0.lastError != nil })
            // A projection that does not read these events is at the head.
            #expect(status.first { $0.projection == "investments_raw" }?.position == positions.last)
            // Running again does not skip it or half-apply anything.
            let rerun = try await h.fold(workers: workers)
            #expect(rerun.filter { readers.contains($0.projection) }.allSatisfy { $0.outcome == .failed && $0.position == positions[2] - 1 && $0.eventsApplied == 0 })
        }
    }

    /// Also with workers and one event a batch: the next batch, read ahead while the bad one
    /// was applied, assumed every projection would pass it and must be read again.
    @Test(arguments: [(5000, 0), (1, 3)]) func aProjectionNotReadingTheBadEventGoesOn(batchSize: Int, workers: Int) async throws {
        try await TestDatabase.with { db in
            let h = try await ProjectionHarness.make(db)
            let positions = try await h.append([
                GC.balancesEvent([GC.balance("100.00", "closingBooked", "2024-12-01")]),
                ("gocardless/requisition/x", NewEvent(type: EventType("gocardless.requisition.observed"), json: ["status": "LN"])),  // no id
                GC.balancesEvent([GC.balance("90.00", "closingBooked", "2024-12-03")]),
            ])
            let results = try await h.fold(batchSize: batchSize, workers: workers)
            #expect(results.first { $0.projection == "unified" }?.outcome == .failed)
            #expect(results.first { $0.projection == "unified" }?.position == positions[1] - 1)
            // Analytics does not read requisitions: it is at the head with both balances.
            let analytics = results.first { $0.projection == "analytics" }!
            #expect(analytics.outcome == .caughtUp && analytics.position == positions[2])
            #expect(try await h.rows("SELECT date::text, balance::text, observed FROM analytics.daily_balances ORDER BY date") == [
                ["2024-12-01", "100.00", "t"], ["2024-12-02", "100.00", "f"], ["2024-12-03", "90.00", "t"],
            ])
        }
    }
}

@Suite struct ProjectionFollowTests {
    /// The follower's poll fallback is an hour: only NOTIFY can wake it within the time limit.
    @Test(.timeLimit(.minutes(1))) func followerIsWokenByAppendsAndAppliesThem() async throws {
        try await TestDatabase.with { db in
            let h = try await ProjectionHarness.make(db)
            let runner = ProjectionRunner(connection: try await db.connect())
            let (stream, continuation) = AsyncStream.makeStream(of: [CatchUpResult].self)
            let follower = Task {
                try await runner.follow(ProjectionCatalog.liveTargets, pollInterval: .seconds(3600), onCatchUp: { continuation.yield($0) })
            }
            var iterator = stream.makeAsyncIterator()
            let first = await iterator.next()
            #expect(first?.allSatisfy { $0.eventsApplied == 0 } == true)
            try await h.append([GC.booked(GC.item("-4.20", date: "2024-12-01", id: "woken"))])
            var applied = 0
            while applied == 0, let next = await iterator.next() {
                applied = next.first { $0.projection == "unified" }?.eventsApplied ?? 0
            }
            #expect(applied == 1)
            #expect(try await h.rows("SELECT provider_transaction_key FROM transactions") == [["tid:woken"]])
            follower.cancel()
            // Wake the follower (its own connection is busy waiting) so it sees the cancellation.
            try await h.connection.withSession { try $0.notify(EventLog.notificationChannel) }
            _ = await follower.result
            continuation.finish()
        }
    }
}
