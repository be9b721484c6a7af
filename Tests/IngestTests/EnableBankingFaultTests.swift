import CanonicalJSON
import EventLog
import Foundation
import Ingest
import Postgres
import Projections
import ProviderFakes
import Testing

/// Enable Banking faults: each ends as the run record says, and the other accounts and
/// connections are synced.
@Suite("Enable Banking faults")
struct EnableBankingFaultTests {
    @Test("429 ASPSP_RATE_LIMIT_EXCEEDED: the scope is skipped until the next UTC midnight (recorded), other accounts sync, the next run asks nothing")
    func rateLimit() async throws {
        try await EnableBankingHarness.with { h in
            let nordea = try await h.link("Nordea", "FI")
            try await h.link("Trade Republic", "DE")
            let savings = nordea.accounts[1]
            h.fake.inject(.rateLimit, matching: "\(try #require(savings.uid))/transactions")
            let run = try await h.sync()
            let step = try #require(run.steps.first { $0.key == savings.key })
            #expect(step.status == .succeeded)
            #expect(step.notes.contains { $0.contains("transactions skipped: rate-limited by Nordea (FI)") && $0.contains("2026-11-26T00:00:00Z") })
            let q = try #require(try await PostgresQuotaBook(connection: h.connection).status(provider: "enablebanking", subject: savings.key, scope: "transactions"))
            #expect(q.remaining == 0 && q.nextAllowedAt == ISO8601DateFormatter().date(from: "2026-11-26T00:00:00Z"))
            #expect(run.steps.filter { $0.provider == "enablebanking" && $0.key != savings.key }.allSatisfy { $0.status == .succeeded })
            // The next run before midnight does not ask the bank again for that scope.
            h.clock.advance(by: 3600)
            let asked = h.fake.requests.filter { $0.contains("\(savings.uid!)/transactions") }.count
            let second = try await h.sync()
            #expect(h.fake.requests.filter { $0.contains("\(savings.uid!)/transactions") }.count == asked)
            #expect(second.steps.first { $0.key == savings.key }?.notes.contains { $0.contains("next allowed at") } == true)
            // After midnight it is asked again: a budget never blocks forever.
            h.clock.advance(by: 86_400)
            _ = try await h.sync()
            #expect(h.fake.requests.filter { $0.contains("\(savings.uid!)/transactions") }.count > asked)
            #expect(EnableBankingProvider.nextAllowed(after: h.clock.date, message: "Access exceeded") == h.clock.date.addingTimeInterval(3600))
        }
    }

    @Test("EXPIRED_SESSION on a data call: the connection is marked for reconnection with the command; the other bank syncs")
    func expiredSession() async throws {
        try await EnableBankingHarness.with { h in
            try await h.link("Nordea", "FI")
            let tr = try await h.link("Trade Republic", "DE")
            h.fake.endSessionsEarly(bank: "Nordea")
            let run = try await h.sync()
            let nordeaSteps = run.steps.filter { $0.connectionID == "nordea-fi" && $0.key != "session" }
            #expect(nordeaSteps.count == 2 && nordeaSteps.allSatisfy { $0.status == .failed })
            #expect(nordeaSteps.first?.error?.contains("finsync connect enablebanking --bank \"Nordea\" --country FI --name nordea-fi") == true)
            #expect(run.steps.filter { $0.connectionID == tr.connection }.allSatisfy { $0.status == .succeeded })
            #expect(run.status == .partiallyFailed)
            let health = try #require(try await h.health("nordea-fi"))
            #expect(health["status"]?.string == "expired")
            #expect(health["message"]?.string?.contains("EXPIRED_SESSION") == true)
            #expect(try await h.store.all().first { $0.connection == "nordea-fi" }?.status == "reconnect")
            // The next run asks nothing of the ended session; re-linking brings it back.
            let before = h.fake.requests.count
            let second = try await h.sync()
            #expect(h.fake.requests.dropFirst(before).allSatisfy { !$0.contains("sessions/") || $0.contains(tr.sessionID) })
            #expect(second.steps.first { $0.connectionID == "nordea-fi" }?.status == .failed)
            try await h.link("Nordea", "FI")
            #expect(try await h.sync().status == .succeeded)
            try await h.project()
            #expect(try await h.rows("SELECT status FROM connections WHERE provider = 'enablebanking' ORDER BY provider_connection_id") == [["active"], ["active"]])
        }
    }

    @Test("a revoked session seen on GET /sessions: reconnection needed, no data calls")
    func revokedSession() async throws {
        try await EnableBankingHarness.with { h in
            try await h.link("Nordea", "FI")
            h.fake.setSessionStatus(bank: "Nordea", "REVOKED")
            let run = try await h.sync()
            #expect(run.steps.first { $0.key == "session" }?.status == .failed)
            #expect(run.steps.first { $0.key == "session" }?.error?.contains("REVOKED") == true)
            #expect(!h.fake.requests.contains { $0.contains("/accounts/") })
            try await h.project()
            #expect(try await h.rows("SELECT status FROM connections WHERE provider = 'enablebanking'") == [["expired"]])
        }
    }

    @Test("5xx is retried with bounded backoff; an HTML 502 and a malformed body end the scope naming bank, account and endpoint; the rest syncs")
    func serverErrorsAndMalformedBodies() async throws {
        try await EnableBankingHarness.with { h in
            let nordea = try await h.link("Nordea", "FI")
            let current = nordea.accounts[0], savings = nordea.accounts[1]
            // One 500, then success: retried once.
            h.fake.inject(.status(500), matching: "\(current.uid!)/balances")
            // Always 502 (more than the attempts): the scope fails.
            h.fake.inject(.html502, matching: "\(savings.uid!)/balances", times: 5)
            // A 200 that is not JSON.
            h.fake.inject(.malformed, matching: "\(savings.uid!)/transactions")
            let run = try await h.sync()
            #expect(run.steps.first { $0.key == current.key }?.status == .succeeded)
            #expect(h.clock.waits.count == 1 + 2)
            let s = try #require(run.steps.first { $0.key == savings.key })
            #expect(s.status == .failed)
            let error = try #require(s.error)
            #expect(error.contains("server-error (HTTP 502") && error.contains("GET /accounts/{uid}/balances") && error.contains("for account \(savings.key)") && error.contains("at Nordea (FI)"))
            #expect(error.contains("not JSON"))
            #expect(error.contains("malformed-response") && error.contains("GET /accounts/{uid}/transactions"))
            #expect(run.status == .partiallyFailed)
        }
    }

    @Test("an item that cannot be normalised is refused by name; the rest is stored")
    func hostileItem() async throws {
        try await EnableBankingHarness.with(tweak: { s in
            s.banks[0].accounts[0].transactions.append(.init(daysAgo: 1, amount: "1e999999", indicator: "DBIT", entryReference: "HOSTILE-1"))
        }) { h in
            try await h.link("Nordea", "FI")
            let run = try await h.sync()
            let step = try #require(run.steps.first { $0.error?.contains("HOSTILE-1") == true })
            #expect(step.status == .partiallyFailed)
            #expect(try await h.counts()[EventCatalog.enablebankingTransactionBooked.name] == 6)
            try await h.project()
            let results = try await ProjectionRunner(connection: h.connection).catchUp(ProjectionCatalog.liveTargets)
            #expect(results.allSatisfy { $0.parked.isEmpty })
        }
    }

    @Test("pending on: pending items appear, and leave when booked under the same entry_reference")
    func pendingReconciliation() async throws {
        try await EnableBankingHarness.with(pending: true) { h in
            let link = try await h.link("Nordea", "FI")
            _ = try await h.sync()
            try await h.project()
            #expect(try await h.rows("SELECT provider_transaction_key, amount::text FROM transactions WHERE status = 'pending'") == [["pending:tid:P-1", "-7.50"]])
            h.fake.updateScenario { s in
                s.banks[0].accounts[0].transactions[5].status = "BOOK"
                s.banks[0].accounts[0].transactions[5].undated = false
            }
            h.clock.advance(by: 3600)
            _ = try await h.sync()
            try await h.project()
            #expect(try await h.rows("SELECT count(*)::text FROM transactions WHERE status = 'pending'") == [["0"]])
            #expect(try await h.rows("SELECT amount::text FROM transactions WHERE provider_transaction_key = 'tid:P-1'") == [["-7.50"]])
            #expect(try await h.rows("SELECT count(*)::text FROM eb_transactions WHERE status = 'pending' AND account_key = $1", [.text(link.accounts[0].key)]) == [["0"]])
        }
    }

    @Test("rebuilding the Enable Banking tables from the log gives the same rows")
    func rebuildGivesSameRows() async throws {
        try await EnableBankingHarness.with { h in
            try await h.link("Nordea", "FI")
            try await h.link("Trade Republic", "DE")
            _ = try await h.sync()
            try await h.project()
            func query(_ schema: String) -> String {
                """
                SELECT (SELECT string_agg(t::text, '|' ORDER BY t.id) FROM \(schema).transactions t),
                       (SELECT string_agg(a::text, '|' ORDER BY a.id) FROM \(schema).accounts a),
                       (SELECT string_agg(c::text, '|' ORDER BY c.id) FROM \(schema).connections c),
                       (SELECT string_agg(i::text, '|' ORDER BY i.id) FROM \(schema).institutions i),
                       (SELECT string_agg(e::text, '|' ORDER BY e.id) FROM \(schema).eb_transactions e),
                       (SELECT string_agg(b::text, '|' ORDER BY b.account_key, b.balance_type, b.ordinal) FROM \(schema).eb_balances b),
                       (SELECT string_agg(a::text, '|' ORDER BY a.account_key) FROM \(schema).eb_accounts a)
                """
            }
            let live = try await h.rows(query("public"))
            #expect(live.first?.allSatisfy { $0 != nil } == true)
            // A second fold from position 0 into a fresh schema (what a rebuild's shadow does).
            _ = try await ProjectionRunner(connection: h.connection).catchUp([ProjectionTarget(EnableBankingRawProjection(), schema: "eb_again"),
                                                                              ProjectionTarget(UnifiedProjection(), schema: "eb_again")])
            #expect(try await h.rows(query("eb_again")) == live)
        }
    }

    @Test("no private key or token reaches the log, the run records, the logs or errors")
    func noSecretsLeak() async throws {
        try await EnableBankingHarness.with { h in
            let nordea = try await h.link("Nordea", "FI")
            h.fake.inject(.status(500), matching: "\(nordea.accounts[0].uid!)/balances", times: 5)
            h.fake.endSessionsEarly(bank: "Nordea")
            _ = try await h.sync()
            _ = try await h.sync()
            let keyBody = h.privateKeyPEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            let keyLines = h.privateKeyPEM.split(separator: "\n").filter { !$0.hasPrefix("-----") }.map(String.init)
            let events = try await EventLog(connection: h.connection).readBatch(after: 0, limit: 100_000)
            let log = events.map { String(decoding: $0.metadataJSON, as: UTF8.self) }
            let payloads = try events.map { String(decoding: try $0.payload(), as: UTF8.self) }
            let runs = try await h.rows("SELECT coalesce(error, '') || notes::text || label FROM ingest.run_steps").map { $0[0] ?? "" }
            let texts = log + payloads + runs + h.logs.all
            #expect(!texts.isEmpty)
            for t in texts {
                #expect(!t.contains("eyJ"), "a JWT in: \(t.prefix(200))")
                #expect(!t.contains(keyBody) && !keyLines.contains { t.contains($0) }, "the private key in: \(t.prefix(200))")
            }
        }
    }
}
