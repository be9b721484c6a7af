import CanonicalJSON
import Clocks
import EventLog
import FinsyncTestSupport
import Foundation
import Ingest
import Logging
import Notify
import Postgres
import ProviderFakes
import Testing

@Suite("Notifications after a run ([notify] webhooks)")
struct RunNotifierTests {
    static let runID = "0193a5f0-0000-7000-8000-000000000001"

    @Test func aPartiallyFailedRunIsToldExactlyAsJSONAndAsAPlainTextLine() async throws {
        try await NotifyHarness.with { h in
            let run = h.run(.partiallyFailed, steps: [("gocardless", "req-1", .failed, "account acc-1: consent expired"), ("gocardless", "req-1", .succeeded, nil)])
            let report = await h.notifier(h.bothFormats).notify(after: run)
            #expect(report.deliveries.map(\.accepted) == [true, true])
            let message = "sync run \(Self.runID) partially failed (1 of 2 steps did not complete) — gocardless req-1: step 1: account acc-1: consent expired. See `finsync runs show \(Self.runID)`."
            let requests = h.server.recorded
            try #require(requests.count == 2)
            #expect(requests[0].method == "POST" && requests[0].uri == "/hook")
            #expect(requests[0].headers["content-type"] == "application/json")
            #expect(try JSONValue.parse(Array(requests[0].body.utf8)) == [
                "source": "finsync", "kind": "run_partially_failed", "severity": "warning", "title": "finsync: sync partially failed",
                "message": .string(message), "at": "2026-03-02T09:00:00Z", "run_id": .string(Self.runID),
            ])
            #expect(requests[1].uri == "/ntfy")
            #expect(requests[1].headers["content-type"] == "text/plain; charset=utf-8")
            #expect(requests[1].headers["title"] == "finsync: sync partially failed")
            #expect(requests[1].body == message)
        }
    }

    @Test func aFailedRunNamesItsFirstThreeFailingStepsAndItsMessage() async throws {
        try await NotifyHarness.with { h in
            let steps: [(String, String, StepStatus, String?)] = (1...4).map { ("trading212", "isa", .failed, "boom \($0)") }
            let run = h.run(.failed, steps: steps, message: "the projections parked 1 event")
            await h.notifier().notify(after: run)
            let body = try JSONValue.parse(Array(try #require(h.server.recorded.first).body.utf8))
            #expect(body["kind"] == "run_failed")
            #expect(body["severity"] == "error")
            #expect(body["title"] == "finsync: sync failed")
            #expect(body["message"]?.string == "sync run \(Self.runID) failed (4 of 4 steps failed) — trading212 isa: step 1: boom 1; trading212 isa: step 2: boom 2; trading212 isa: step 3: boom 3; and 1 more; the projections parked 1 event. See `finsync runs show \(Self.runID)`.")
        }
    }

    @Test func anExpiringConsentIsToldOnceADayPerConnection() async throws {
        try await NotifyHarness.with { h in
            let expires = NotifyHarness.start.addingTimeInterval(5 * 86_400 + 3 * 3600)   // 2026-03-07T12:00:00Z
            let said = "consent expires on 2026-03-07; reconnect with `finsync connect gocardless --institution MONZO_MONZGB2L` before then"
            try await h.health("gocardless", "req-m", .active, said, expiresAt: expires)
            let run = h.run(.succeeded, steps: [("gocardless", "req-m", .succeeded, nil)])
            let notifier = h.notifier()

            let first = await notifier.notify(after: run)
            #expect(first.deliveries.map(\.kind) == [.consentExpiring])
            try #require(h.server.recorded.count == 1)
            #expect(try JSONValue.parse(Array(h.server.recorded[0].body.utf8)) == [
                "source": "finsync", "kind": "consent_expiring", "severity": "warning", "title": "finsync: consent expires in 5 days",
                "message": .string("gocardless connection req-m: the consent expires on 2026-03-07 (in 5 days): \(said)"),
                "at": "2026-03-02T09:00:00Z", "run_id": .string(Self.runID), "provider": "gocardless", "connection_id": "req-m",
                "expires_at": "2026-03-07T12:00:00Z",
            ])
            #expect(try await h.ledger() == ["consent_expiring gocardless req-m 2026-03-02"])

            // Later runs of the same day tell nothing more.
            h.clock.advance(by: 6 * 3600)
            let second = await notifier.notify(after: run)
            #expect(second.deliveries.isEmpty)
            #expect(second.toldAlreadyToday.map(\.kind) == [.consentExpiring])
            #expect(h.server.recorded.count == 1)

            // The next day it is told again, with the days left.
            h.clock.advance(by: 18 * 3600)
            await notifier.notify(after: run)
            try #require(h.server.recorded.count == 2)
            #expect(try JSONValue.parse(Array(h.server.recorded[1].body.utf8))["title"] == "finsync: consent expires in 4 days")
            #expect(try await h.ledger() == ["consent_expiring gocardless req-m 2026-03-02", "consent_expiring gocardless req-m 2026-03-03"])
        }
    }

    @Test func expiredConsentsAndConnectionsThatNeedThePersonAreTold() async throws {
        try await NotifyHarness.with { h in
            try await h.health("gocardless", "req-n", .expired, "consent expired on 2026-02-01; reconnect", expiresAt: NotifyHarness.start.addingTimeInterval(-29 * 86_400 - 9 * 3600))
            try await h.health("gocardless", "req-s", .authRequired, "consent not completed (the requisition was created); open the requisition's link to finish linking")
            try await h.health("vanguard", "vanguard", .authRequired, "Vanguard no longer accepts the session")
            try await h.health("trading212", "isa", .active, "Trading212 connection ISA is working.")
            try await h.health("gocardless", "req-r", .error, "requisition RJ (rejected); reconnect")
            let run = h.run(.partiallyFailed, steps: [("gocardless", "req-n", .failed, "connection req-n: consent expired"), ("gocardless", "req-s", .skipped, nil),
                                                      ("gocardless", "req-r", .failed, "connection req-r: rejected"), ("trading212", "isa", .succeeded, nil),
                                                      ("vanguard", "vanguard", .skipped, nil)])
            await h.notifier().notify(after: run)
            let bodies = try h.server.recorded.map { try JSONValue.parse(Array($0.body.utf8)) }
            #expect(bodies.map { $0["kind"]?.string } == ["run_partially_failed", "consent_expired", "connection_needs_attention", "connection_needs_attention"])
            #expect(bodies[1]["message"]?.string == "gocardless connection req-n: the consent expired on 2026-02-01: consent expired on 2026-02-01; reconnect")
            #expect(bodies[1]["severity"] == "error")
            #expect(bodies[2]["message"]?.string == "gocardless connection req-s needs you (auth_required): consent not completed (the requisition was created); open the requisition's link to finish linking")
            #expect(bodies[3]["connection_id"] == "vanguard")
            #expect(try await h.ledger() == ["connection_needs_attention gocardless req-s 2026-03-02", "connection_needs_attention vanguard vanguard 2026-03-02",
                                            "consent_expired gocardless req-n 2026-03-02"])
        }
    }

    @Test func aWebhookAnswering500ThenSucceedsOnTheRetry() async throws {
        try await NotifyHarness.with(status: { $0 == 0 ? 500 : 200 }) { h in
            let report = await h.notifier().notify(after: h.run(.failed, steps: [("gocardless", "req-1", .failed, "boom")]))
            #expect(report.deliveries.map(\.accepted) == [true])
            #expect(report.deliveries.map(\.attempts) == [2])
            #expect(h.server.recorded.count == 2)
            #expect(h.server.recorded[0].body == h.server.recorded[1].body)
            #expect(h.clock.waits == [.seconds(1)])
        }
    }

    @Test func aWebhookThatAlwaysFailsIsRetriedBoundedLoggedWithoutItsURLAndToldAgainLater() async throws {
        try await NotifyHarness.with(status: { _ in 503 }) { h in
            let port = try await FakeRecordingServer.closedLoopbackPort()
            try await h.health("gocardless", "req-m", .active, "consent expires soon", expiresAt: NotifyHarness.start.addingTimeInterval(86_400))
            let webhooks: [NotifyConfiguration.Webhook] = [.init(url: h.server.baseURL + "/hook/token-in-path-1234"), .init(url: "http://127.0.0.1:\(port)/t/token-in-path-5678", format: .text)]
            let report = await h.notifier(webhooks).notify(after: h.run(.failed, steps: [("gocardless", "req-m", .failed, "boom")]))
            // Two notices × two webhooks, none taken, each after at most four attempts.
            #expect(report.deliveries.count == 4)
            #expect(report.deliveries.allSatisfy { !$0.accepted && $0.attempts == 4 })
            #expect(h.server.recorded.count == 8)
            #expect(h.clock.waits == Array(repeating: [Duration.seconds(1), .seconds(2), .seconds(4)], count: 4).flatMap { $0 })
            let logged = h.logs.all.joined(separator: "\n")
            #expect(logged.contains("notify.webhooks[0] on 127.0.0.1:\(h.server.server.port) answered HTTP 503 (4 attempts)"))
            #expect(logged.contains("could not connect to 127.0.0.1:\(port)"))
            #expect(logged.contains("notify.webhooks[1]"))
            #expect(!logged.contains("token-in-path"))
            // Not told means not recorded: the next run tries again.
            #expect(try await h.ledger().isEmpty)
        }
    }

    @Test func noSecretReachesAnyMessage() async throws {
        try await NotifyHarness.with { h in
            let secret = "sk-live-0123456789abcdef"
            try await h.health("trading212", "isa", .authRequired, "Trading212 rejected the key \(secret)")
            let run = h.run(.failed, steps: [("trading212", "isa", .failed, "No active account found for secret_id \(secret)\nsecond line")])
            await h.notifier(h.bothFormats, secrets: [secret]).notify(after: run)
            let all = h.server.requests.joined(separator: "\n")
            #expect(h.server.recorded.count == 4)
            #expect(!all.contains(secret))
            #expect(all.contains("[redacted]"))
            // One line each, whatever the provider sent.
            #expect(h.server.recorded.filter { $0.uri == "/ntfy" }.allSatisfy { !$0.body.contains("\n") })
        }
    }

    @Test func dryRunsAndSkippedRunsTellNothing() async throws {
        try await NotifyHarness.with { h in
            var dry = h.run(.failed, steps: [("gocardless", "req-1", .failed, "boom")])
            dry.dryRun = true
            await h.notifier().notify(after: dry)
            await h.notifier().notify(after: h.run(.skipped, steps: []))
            #expect(h.server.recorded.isEmpty)
        }
    }

    /// A real sync of the fake GoCardless bank (an expiring Monzo consent, an expired
    /// Nationwide one, an unfinished Starling link, a rejected Revolut one) tells what a
    /// person must act on, and a webhook nothing listens on changes nothing of the run.
    @Test func afterARealSyncTheConnectionsThatNeedThePersonAreTold() async throws {
        try await NotifyHarness.with { h in
            let scenario = GoCardlessScenario.standard(secretID: "sid-" + UUID().uuidString, secretKey: "skey-" + UUID().uuidString)
            let bank = try await FakeGoCardlessServer.start(scenario: scenario)
            let client = GoCardlessClient(baseURL: bank.baseURL, credentials: GoCardlessCredentials(secretID: scenario.secretID, secretKey: scenario.secretKey))
            let provider = GoCardlessProvider(client: client)
            let run: RunRecord
            do { run = try await SyncRunner(connection: h.connection, providers: [provider]).run() } catch {
                await bank.stop()
                throw error
            }
            await bank.stop()
            #expect(run.status == .partiallyFailed)

            let dead = try await FakeRecordingServer.closedLoopbackPort()
            let clock = ManualClock(Date())
            let notifier = RunNotifier(webhooks: [.init(url: h.server.baseURL + "/hook"), .init(url: "http://127.0.0.1:\(dead)/hook")], connection: h.connection,
                                       redactor: await SecretRedactor.of([provider]), clock: clock)
            let report = await notifier.notify(after: run)
            let bodies = try h.server.recorded.map { try JSONValue.parse(Array($0.body.utf8)) }
            typealias IDs = GoCardlessScenario.DefaultIDs
            #expect(bodies.map { "\($0["kind"]?.string ?? "") \($0["connection_id"]?.string ?? "")" } == [
                "run_partially_failed ", "consent_expiring \(IDs.monzoRequisition)", "consent_expired \(IDs.nationwideRequisition)",
                "connection_needs_attention \(IDs.starlingRequisition)",
            ])
            #expect(bodies[1]["title"] == "finsync: consent expires in 4 days" || bodies[1]["title"] == "finsync: consent expires in 5 days")
            let all = h.server.requests.joined(separator: "\n")
            #expect(!all.contains(scenario.secretID) && !all.contains(scenario.secretKey))
            #expect(report.deliveries.filter { $0.webhook == "notify.webhooks[1]" }.allSatisfy { !$0.accepted })
            // The run stands as it was recorded.
            let stored = try await h.connection.withSession { s in
                try s.query("SELECT status FROM ingest.runs WHERE run_id = $1::uuid", [.text(run.runID.uuidString.lowercased())]).rows.map { try $0.decode(String.self, 0) }
            }
            #expect(stored == ["partially_failed"])
        }
    }
}
