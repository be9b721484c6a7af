import CanonicalJSON
import EventLog
import Foundation
import Ingest
import Postgres
import ProviderFakes
import Testing

@Suite("GoCardless faults end as the run record says")
struct GoCardlessFaultTests {
    typealias IDs = GoCardlessScenario.DefaultIDs

    @Test func spentQuotaIsSkippedAndReportedNotFailed() async throws {
        try await SyncHarness.with { h in
            h.scenario.spendQuota(account: IDs.johnAccount, .transactions)
            let run = try await h.sync()
            let john = try #require(h.step(run, IDs.johnAccount))
            #expect(john.status == .succeeded)
            #expect(john.notes.contains { $0.contains("transactions skipped") && $0.contains("next allowed at") })
            let q = try #require(john.quota.first { $0.scope == "transactions" })
            #expect(q.remaining == 0)
            #expect(q.nextAllowedAt != nil && q.nextAllowedAt! > h.scenario.now())
            // Balances and details were still fetched; other accounts synced in full.
            #expect(try await h.events(stream: StreamName.gocardlessAccount(IDs.johnAccount, .balances)).count == 1)
            #expect(try await h.events(stream: StreamName.gocardlessAccount(IDs.johnAccount, .transactions)).isEmpty)
            #expect(try await h.events(stream: StreamName.gocardlessAccount(IDs.janeAccount, .transactions)).count == h.scenario.booked(account: IDs.janeAccount).count)

            // The next run does not even call the spent scope: the quota is in PostgreSQL.
            let callsBefore = h.scenario.calls(.transactions, account: IDs.johnAccount)
            let second = try await h.sync()
            #expect(h.scenario.calls(.transactions, account: IDs.johnAccount) == callsBefore)
            #expect(h.step(second, IDs.johnAccount)?.notes.contains { $0.contains("transactions skipped") } == true)
            let stored = try await PostgresQuotaBook(connection: h.connection).status(provider: "gocardless", subject: IDs.johnAccount, scope: "transactions")
            #expect(stored?.remaining == 0)

            // A day later the budget has reset and the transactions arrive.
            h.scenario.advance(days: 1)
            let third = try await h.sync()
            #expect(h.step(third, IDs.johnAccount)?.status == .succeeded)
            #expect(try await h.events(stream: StreamName.gocardlessAccount(IDs.johnAccount, .transactions)).count == h.scenario.booked(account: IDs.johnAccount).count)
        }
    }

    @Test func budgetSpentPerHeadersIsNotCalledAgainUntilReset() async throws {
        let scenario = GoCardlessScenario.standard(secretID: "sid", secretKey: "skey", accountQuota: 2)
        try await SyncHarness.with(scenario: scenario) { h in
            _ = try await h.sync(.init(connection: IDs.monzoRequisition))
            let second = try await h.sync(.init(connection: IDs.monzoRequisition))
            // The second success left 0 according to HTTP_X_RATELIMIT_ACCOUNT_SUCCESS_REMAINING.
            let q = try #require(h.step(second, IDs.monzoAccount)?.quota.first { $0.scope == "transactions" })
            #expect(q.remaining == 0)
            #expect(q.limit == 2)
            let reset = try #require(q.nextAllowedAt)
            #expect(reset > h.scenario.now())
            #expect(reset <= h.scenario.now().addingTimeInterval(86_400))
            let third = try await h.sync(.init(connection: IDs.monzoRequisition))
            #expect(h.scenario.calls(.transactions, account: IDs.monzoAccount) == 2)
            #expect(h.scenario.calls(.balances, account: IDs.monzoAccount) == 2)
            #expect(h.step(third, IDs.monzoAccount)?.status == .skipped)
            #expect(third.status == .succeeded)
        }
    }

    @Test func serverErrorBurstIsRetriedWithBackoff() async throws {
        try await SyncHarness.with { h in
            h.scenario.inject(.serverError(503), on: .balances, account: IDs.johnAccount, times: 2)
            let run = try await h.sync()
            #expect(h.step(run, IDs.johnAccount)?.status == .succeeded)
            #expect(h.scenario.calls(.balances, account: IDs.johnAccount) == 3)
            // Two backoff waits, growing: 0.5 s·2^0 and 0.5 s·2^1 with equal jitter at 0.5.
            #expect(h.sleeps.all == [.milliseconds(375), .milliseconds(750)])
        }
    }

    @Test func exhaustedRetriesFailOnlyThatScope() async throws {
        try await SyncHarness.with(maxAttempts: 3) { h in
            h.scenario.inject(.serverError(500), on: .transactions, account: IDs.janeAccount, times: 3)
            let run = try await h.sync()
            let jane = try #require(h.step(run, IDs.janeAccount))
            #expect(jane.status == .partiallyFailed)
            #expect(jane.error?.contains("server-error") == true)
            #expect(jane.error?.contains(IDs.janeAccount) == true)
            #expect(h.scenario.calls(.transactions, account: IDs.janeAccount) == 3)
            // Nothing lost: Jane's balances stored, the other accounts complete.
            #expect(try await h.events(stream: StreamName.gocardlessAccount(IDs.janeAccount, .balances)).count == 1)
            #expect(h.step(run, IDs.johnAccount)?.status == .succeeded)
            #expect(h.step(run, IDs.monzoAccount)?.status == .succeeded)
            #expect(run.status == .partiallyFailed)
            // The next run fetches what was missed.
            _ = try await h.sync()
            #expect(try await h.events(stream: StreamName.gocardlessAccount(IDs.janeAccount, .transactions)).count == h.scenario.booked(account: IDs.janeAccount).count)
        }
    }

    @Test func timeoutIsRetriedThenReported() async throws {
        // The timeout leaves room for a loaded machine: only the injected delays exceed it.
        try await SyncHarness.with(maxAttempts: 2, requestTimeout: .seconds(5)) { h in
            h.scenario.inject(.delay(.seconds(12)), on: .transactions, account: IDs.monzoAccount, times: 2)
            let run = try await h.sync(.init(connection: IDs.monzoRequisition))
            let monzo = try #require(h.step(run, IDs.monzoAccount))
            #expect(monzo.status == .partiallyFailed)
            #expect(monzo.error?.contains("timeout") == true)
            // Asked twice (the timeout retried once), then reported. Counted at the fake, not by
            // the run's sleeps: on a loaded machine another request may be retried as well.
            #expect(h.scenario.calls(.transactions, account: IDs.monzoAccount) == 2)
            #expect(!h.sleeps.all.isEmpty)
            #expect(try await h.events(stream: StreamName.gocardlessAccount(IDs.monzoAccount, .balances)).count == 1)
        }
    }

    @Test func generalRateLimitWaitsForTheResetThenSucceeds() async throws {
        try await SyncHarness.with { h in
            h.scenario.inject(.rateLimited(reset: 7), on: .balances, account: IDs.janeAccount)
            let run = try await h.sync()
            #expect(h.step(run, IDs.janeAccount)?.status == .succeeded)
            #expect(h.sleeps.all == [.seconds(7)])
        }
    }

    @Test func generalRateLimitTooLongToWaitSkipsTheScopeWithoutSpendingTheBudget() async throws {
        try await SyncHarness.with { h in
            h.scenario.inject(.rateLimited(reset: 3600), on: .balances, account: IDs.janeAccount)
            let run = try await h.sync()
            let jane = try #require(h.step(run, IDs.janeAccount))
            #expect(jane.status == .succeeded)
            #expect(jane.notes.contains { $0.contains("balances skipped: GoCardless API rate limit") })
            #expect(h.sleeps.all.isEmpty)
            let q = try await PostgresQuotaBook(connection: h.connection).status(provider: "gocardless", subject: IDs.janeAccount, scope: "balances")
            #expect(q == nil)
            // Next run: balances fetched normally.
            _ = try await h.sync()
            #expect(try await h.events(stream: StreamName.gocardlessAccount(IDs.janeAccount, .balances)).count == 1)
        }
    }

    @Test func expiredAgreementMarksTheConnectionExpiredAndTellsToReconnect() async throws {
        try await SyncHarness.with { h in
            h.scenario.expireAgreement(ofRequisition: IDs.monzoRequisition)
            let run = try await h.sync()
            let monzo = try #require(h.step(run, IDs.monzoAccount))
            #expect(monzo.status == .failed)
            #expect(monzo.error?.contains("consent-expired") == true)
            #expect(monzo.error?.contains("Reconnect") == true)
            let health = try await h.events(stream: StreamName.connectionHealth(provider: "gocardless", IDs.monzoRequisition)).map { try $0.json() }
            #expect(health.last?["status"]?.string == "expired")
            #expect(health.last?["message"]?.string?.contains("reconnect") == true)
            // The other accounts synced.
            #expect(h.step(run, IDs.johnAccount)?.status == .succeeded)
            #expect(h.step(run, IDs.janeAccount)?.status == .succeeded)
        }
    }

    @Test func malformedBodyNamesEndpointAndAccountAndLosesNothing() async throws {
        try await SyncHarness.with { h in
            _ = try await h.sync()
            let stored = try await h.events(stream: StreamName.gocardlessAccount(IDs.johnAccount, .transactions)).count
            h.scenario.advance(days: 1)
            h.scenario.inject(.malformedBody, on: .transactions, account: IDs.johnAccount)
            let run = try await h.sync()
            let john = try #require(h.step(run, IDs.johnAccount))
            #expect(john.status == .partiallyFailed)
            #expect(john.error?.contains("malformed-response") == true)
            #expect(john.error?.contains("GET /accounts/{id}/transactions/") == true)
            #expect(john.error?.contains(IDs.johnAccount) == true)
            #expect(try await h.events(stream: StreamName.gocardlessAccount(IDs.johnAccount, .transactions)).count == stored)
            // Others got their new day.
            #expect(try await h.events(stream: StreamName.gocardlessAccount(IDs.monzoAccount, .transactions)).count == h.scenario.booked(account: IDs.monzoAccount).count)
            // The cursor did not advance, so the next run gets John's new day.
            _ = try await h.sync()
            #expect(try await h.events(stream: StreamName.gocardlessAccount(IDs.johnAccount, .transactions)).count == h.scenario.booked(account: IDs.johnAccount).count)
        }
    }

    @Test func revokedTokenIsReplacedOnceOn401() async throws {
        try await SyncHarness.with { h in
            _ = try await h.sync(.init(connection: IDs.monzoRequisition))
            h.scenario.revokeAccessTokens()
            let run = try await h.sync(.init(connection: IDs.monzoRequisition))
            #expect(run.status == .succeeded)
            let tokens = await h.client.tokenCounts()
            #expect(tokens.minted + tokens.refreshed == 2)
            #expect(h.scenario.calls(.tokenNew) == 1)
        }
    }

    @Test func wrongSecretsFailTheListingWithoutLeakingThem() async throws {
        try await SyncHarness.with { h in
            let bad = GoCardlessClient(baseURL: h.server.baseURL, credentials: GoCardlessCredentials(secretID: "wrong-id-123", secretKey: "wrong-key-456"),
                                       clock: ScenarioClock(h.scenario))
            let runner = SyncRunner(connection: h.connection, providers: [GoCardlessProvider(client: bad)])
            let run = try await runner.run()
            #expect(run.status == .failed)
            let step = try #require(run.steps.first)
            #expect(step.error?.contains("authentication-failed") == true)
            #expect(step.error?.contains("wrong-id-123") == false)
            #expect(step.error?.contains("wrong-key-456") == false)
        }
    }
}
