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

    /// Folds every projection into scratch schemas with `batchSize` and `workers`, and expects
    /// the same rows as the live tables hold.
    static func expectScratchFoldEqualsLive(_ h: ProjectionHarness, batchSize: Int, workers: Int) async throws {
        let scratch = ProjectionCatalog.all.map { ProjectionTarget($0, schema: $0.liveSchema == "analytics" ? "scratch_analytics" : "scratch_main") }
        let results = try await h.fold(batchSize: batchSize, targets: scratch, workers: workers)
        #expect(results.allSatisfy { $0.outcome == .caughtUp })
        let live = try await Self.dump(h)
        let folded = try await Self.dump(h, schemaMap: ["public": "scratch_main", "analytics": "scratch_analytics"])
        for t in Self.allTables { #expect(live[t] == folded[t], "table \(t) differs between batch sizes") }
    }

    @Test func foldingTwiceChangesNothing() async throws {
        try await TestDatabase.with { db in
            let h = try await ProjectionHarness.make(db)
            try await Self.appendHousehold(h, count: 1500)
            let first = try await h.fold(batchSize: 400)
            // (The household has no Enable Banking events: that projection only catches up.)
            #expect(first.allSatisfy { $0.outcome == .caughtUp && ($0.eventsApplied > 0 || $0.projection == "enablebanking_raw") })
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
            // Small batches, and the projections folding concurrently on their own connections.
            try await Self.expectScratchFoldEqualsLive(h, batchSize: 37, workers: 3)
        }
    }

    /// A log with every kind of bad observation a hostile provider can send, among good ones
    /// of two accounts. Returns the positions, in order.
    static func appendHostileLog(_ h: ProjectionHarness) async throws -> [Int64] {
        var missingAmount = GC.item("-2.00", date: "2024-12-02", id: "no-amount").object!
        missingAmount["transactionAmount"] = nil
        return try await h.append([
            GC.booked(GC.item("-1.00", date: "2024-12-01", id: "ok-1")),                                        // 0
            GC.balancesEvent([GC.balance("100.00", "closingBooked", "2024-12-01")]),                             // 1
            GC.booked(GC.item("12,50", date: "2024-12-02", id: "bad-amount")),                                  // 2 not a decimal
            GC.booked(.object(missingAmount)),                                                                   // 3 no amount
            GC.booked(GC.item("-2.00", date: "2026-02-30", id: "bad-date")),                                    // 4 no such day
            GC.booked(GC.item("-2.00", date: "2024-12-02", id: "nul", creditor: "Cafe\u{0}Nero")),             // 5 NUL
            GC.booked(GC.item("1e1000000", date: "2024-12-02", id: "huge")),                                    // 6 out of range
            GC.booked(GC.item("-3.00", date: "2024-12-03", id: "ok-2")),                                        // 7
            (StreamName.gocardlessRequisition("x"), NewEvent(type: EventCatalog.gocardlessRequisitionObserved.latest, json: ["status": "LN"])),  // 8 no id
            GC.balancesEvent([GC.balance("N/A", "closingBooked", "2024-12-02")]),                                // 9 not a number
            GC.balancesEvent([GC.balance("90.00", "closingBooked", "2024-12-03")]),                              // 10
            GC.booked(GC.item("-4.00", date: "2024-12-04", id: "ok-3"), account: GC.account2),                  // 11 another account
        ])
    }

    /// Issue 18 (1, 3): an event a projection cannot apply is parked for that projection, which
    /// goes on past it; the healthy events (and accounts) are applied; projections that do not
    /// read it are untouched; and the same events are parked whatever the batch size or the
    /// number of connections.
    @Test(arguments: [(5000, 0), (1, 0), (2, 3), (3, 0), (7, 3)])
    func eventsThatCannotBeAppliedAreParkedAndTheFoldGoesOn(batchSize: Int, workers: Int) async throws {
        try await TestDatabase.with { db in
            let h = try await ProjectionHarness.make(db)
            let p = try await Self.appendHostileLog(h)
            let results = try await h.fold(batchSize: batchSize, workers: workers)
            #expect(results.allSatisfy { $0.outcome == .caughtUp && $0.position == p.last }, "\(results.map { "\($0.projection): \($0.outcome) \($0.error.map { "\($0)" } ?? "")" })")
            let bookedBad = [2, 3, 4, 5, 6].map { p[$0] }
            let expected: [String: [Int64]] = [
                "gocardless_raw": bookedBad + [p[8], p[9]],
                "unified": bookedBad + [p[8], p[9]],
                "analytics": bookedBad + [p[9]],  // it does not read requisitions
                "investments_raw": [],
                "enablebanking_raw": [],
            ]
            for r in results { #expect(r.parked.map(\.position) == expected[r.projection], "\(r.projection) parked \(r.parked.map(\.position))") }
            let stored = try await h.rows("SELECT projection, position::text, event_type, code FROM projections.parked_events ORDER BY projection, position")
            #expect(stored.count == expected.values.reduce(0) { $0 + $1.count })
            // Each parked event says why, naming what it could not normalise.
            let messages = try await h.rows("SELECT message FROM projections.parked_events WHERE projection = 'gocardless_raw' ORDER BY position").map { $0[0] ?? "" }
            let why = ["transactionAmount.amount \"12,50\"", "transactionAmount.amount is missing", "2026-02-30", "NUL character (U+0000) at transaction.creditorName",
                       "1e1000000", "id is missing", "\"N/A\""]
            #expect(messages.count == why.count)
            for (m, w) in zip(messages, why) { #expect(m.contains(w), "\(m) should name \(w)") }
            // The healthy events of both accounts are applied.
            #expect(try await h.rows("SELECT provider_transaction_key FROM transactions ORDER BY 1") == [["tid:ok-1"], ["tid:ok-2"], ["tid:ok-3"]])
            #expect(try await h.rows("SELECT transaction_key FROM gc_transactions ORDER BY 1") == [["tid:ok-1"], ["tid:ok-2"], ["tid:ok-3"]])
            #expect(try await h.rows("SELECT balance_amount::text FROM accounts WHERE provider_account_id = '\(GC.account)'") == [["90.00"]])
            #expect(try await h.rows("SELECT date::text, balance::text, observed FROM analytics.daily_balances ORDER BY date") == [
                ["2024-12-01", "100.00", "t"], ["2024-12-02", "100.00", "f"], ["2024-12-03", "90.00", "t"],
            ])
            // Status names them; nothing is recorded as an error (the projections did not stop).
            let status = try await ProjectionRunner(connection: h.connection).status(ProjectionCatalog.liveTargets)
            for st in status {
                #expect(st.lastError == nil && st.position == p.last)
                #expect(st.parked.map(\.position) == expected[st.projection])
            }
            // Catching up again parks nothing twice and applies nothing.
            let again = try await h.fold(batchSize: batchSize, workers: workers)
            #expect(again.allSatisfy { $0.parked.isEmpty && $0.eventsApplied == 0 })
        }
    }

    /// Issue 18 (3): the tables and the parked events are the same for any batch size, bad
    /// events included (live in one batch vs. a scratch target in batches of one).
    @Test func batchBoundariesDoNotChangeWhatIsParkedOrApplied() async throws {
        try await TestDatabase.with { db in
            let h = try await ProjectionHarness.make(db)
            try await Self.appendHousehold(h, count: 300, seed: 5)
            _ = try await Self.appendHostileLog(h)
            try await Self.appendHousehold(h, count: 300, seed: 6)
            try await h.fold(batchSize: 5000)
            try await Self.expectScratchFoldEqualsLive(h, batchSize: 1, workers: 2)
            let parked = try await h.rows("""
                SELECT projection, position::text, code, message, (target_schema IN ('public', 'analytics')) FROM projections.parked_events
                ORDER BY 5, 1, 2
                """)
            let (inLive, inScratch) = (parked.filter { $0[4] == "t" }.map { Array($0[0..<4]) }, parked.filter { $0[4] == "f" }.map { Array($0[0..<4]) })
            #expect(!inLive.isEmpty)
            #expect(inLive == inScratch)
        }
    }

    /// A projection whose SQL refuses a value its Swift code let through still parks just that
    /// event (found by folding shorter prefixes), whatever the batch size; a failure that is not
    /// the event's (here: a dropped table) parks nothing and stops only that projection.
    @Test(arguments: [1, 4, 5000]) func aValueTheDatabaseRefusesIsTracedToItsEvent(batchSize: Int) async throws {
        try await TestDatabase.with { db in
            let h = try await ProjectionHarness.make(db)
            var events: [(String, NewEvent)] = []
            for i in 0..<9 { events.append(("probe/\(i)", NewEvent(type: EventType(IntegerProbeProjection.eventType), json: ["n": .string(i == 5 ? "abc" : String(i))]))) }
            let p = try await h.append(events)
            let probe = ProjectionTarget(IntegerProbeProjection())
            let r = try await h.fold(batchSize: batchSize, targets: [probe] + ProjectionCatalog.liveTargets)
            let pr = r[0]
            #expect(pr.outcome == .caughtUp && pr.position == p.last)
            #expect(pr.parked.map(\.position) == [p[5]])
            #expect(pr.parked.first?.message.contains("22P02") == true, "\(pr.parked)")
            #expect(try await h.rows("SELECT n::text FROM public.integer_probe ORDER BY position") == [["0"], ["1"], ["2"], ["3"], ["4"], ["6"], ["7"], ["8"]])
            // Not the events' fault: nothing is parked, the projection stops where it was with the
            // error recorded, and the others are not held up.
            let more = try await h.append([("probe/9", NewEvent(type: EventType(IntegerProbeProjection.eventType), json: ["n": "9"])), GC.booked(GC.item("-1.00", date: "2024-12-01", id: "after"))])
            // Another session holds the probe's table; waiting for it ends in a lock timeout.
            let holder = try await db.connect()
            defer { holder.close() }
            try await holder.withSession { s in _ = try s.execute("BEGIN; LOCK TABLE public.integer_probe IN ACCESS EXCLUSIVE MODE") }
            _ = try await h.rows("SET lock_timeout = '100ms'")
            let r2 = try await h.fold(batchSize: batchSize, targets: [probe] + ProjectionCatalog.liveTargets)
            #expect(r2[0].outcome == .failed && r2[0].position == p.last && r2[0].parked.isEmpty)
            #expect(r2[0].error?.code == .applyFailed)
            #expect(r2.dropFirst().allSatisfy { $0.outcome == .caughtUp && $0.position == more.last })
            #expect(try await h.rows("SELECT last_error IS NOT NULL FROM projections.checkpoints WHERE projection = 'integer_probe'") == [["t"]])
            try await holder.withSession { s in _ = try s.execute("ROLLBACK") }
            _ = try await h.rows("RESET lock_timeout")
            let r3 = try await h.fold(batchSize: batchSize, targets: [probe])
            #expect(r3[0].outcome == .caughtUp && r3[0].position == more.last && r3[0].parked.isEmpty)
            #expect(try await h.rows("SELECT last_error FROM projections.checkpoints WHERE projection = 'integer_probe'") == [[nil]])
        }
    }
}
