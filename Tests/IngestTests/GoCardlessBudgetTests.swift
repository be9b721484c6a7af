import EventLog
import Foundation
import Ingest
import Postgres
import ProviderFakes
import Testing

/// Issue 18 item 4: no quota state can stop an account's syncing for longer than the
/// bank's documented window (a rolling 24 hours).
@Suite("GoCardless budgets never block an account for good")
struct GoCardlessBudgetTests {
    typealias IDs = GoCardlessScenario.DefaultIDs

    func stored(_ h: SyncHarness, _ account: String, _ scope: String = "transactions") async throws -> QuotaStatus? {
        try await PostgresQuotaBook(connection: h.connection).status(provider: "gocardless", subject: account, scope: scope)
    }

    @Test func aSuccessWithoutAccountHeadersAfterTheResetLeavesNoEndlessBlock() async throws {
        try await SyncHarness.with { h in
            let account = IDs.monzoAccount, only = SyncRunner.Options(connection: IDs.monzoRequisition)
            // A 429 with the account-success headers: spent until its reset.
            h.scenario.spendQuota(account: account, .transactions)
            let first = try await h.sync(only)
            #expect(h.step(first, account)?.notes.contains { $0.contains("transactions skipped: rate-limited") } == true)
            #expect(try await stored(h, account)?.remaining == 0)

            // The reset passes; the bank's next answers come without the account-success headers.
            h.scenario.advance(days: 1)
            h.scenario.setAccountSuccessHeaders(false)
            let calls = h.scenario.calls(.transactions, account: account)
            _ = try await h.sync(only)
            #expect(h.scenario.calls(.transactions, account: account) == calls + 1)
            let after = try await stored(h, account)
            #expect(after?.remaining == nil)      // unknown again, not "0 left"
            #expect(after?.nextAllowedAt == nil)

            // And every later sync still asks.
            h.scenario.advance(days: 1)
            let third = try await h.sync(only)
            #expect(h.scenario.calls(.transactions, account: account) == calls + 2)
            #expect(h.step(third, account)?.notes.contains { $0.contains("transactions skipped") } == false)
        }
    }

    @Test func aStoredSpentBudgetWithoutAResetTimeBlocksNothing() async throws {
        try await SyncHarness.with { h in
            // What the old code left behind: 0 remaining, no reset ("next allowed at unknown").
            try await PostgresQuotaBook(connection: h.connection).record(
                QuotaStatus(provider: "gocardless", subject: IDs.monzoAccount, scope: "transactions", limit: 4, remaining: 0, nextAllowedAt: nil, lastSuccessAt: h.scenario.now()))
            let run = try await h.sync(.init(connection: IDs.monzoRequisition))
            #expect(h.scenario.calls(.transactions, account: IDs.monzoAccount) == 1)
            #expect(h.step(run, IDs.monzoAccount)?.notes.contains { $0.contains("unknown") } == false)
            #expect(try await h.events(stream: StreamName.gocardlessAccount(IDs.monzoAccount, .transactions)).count == h.scenario.booked(account: IDs.monzoAccount).count)
        }
    }

    @Test func aResetBeyondTheWindowIsCappedToTheWindow() async throws {
        try await SyncHarness.with { h in
            // The bank says "come back in ten years".
            h.scenario.inject(.accountRateLimited(reset: 10 * 365 * 86_400), on: .transactions, account: IDs.monzoAccount)
            _ = try await h.sync(.init(connection: IDs.monzoRequisition))
            let next = try #require(try await stored(h, IDs.monzoAccount)?.nextAllowedAt)
            #expect(next <= h.scenario.now().addingTimeInterval(GoCardlessProvider.accountBudgetWindow))

            // A row with such a reset already stored (by an older finsync) is not believed either.
            try await PostgresQuotaBook(connection: h.connection).record(
                QuotaStatus(provider: "gocardless", subject: IDs.monzoAccount, scope: "transactions", limit: 4, remaining: 0,
                            nextAllowedAt: h.scenario.now().addingTimeInterval(10 * 365 * 86_400)))
            let calls = h.scenario.calls(.transactions, account: IDs.monzoAccount)
            _ = try await h.sync(.init(connection: IDs.monzoRequisition))
            #expect(h.scenario.calls(.transactions, account: IDs.monzoAccount) == calls + 1)
        }
    }

    @Test func aBudgetCountedDownToZeroWithoutHeadersEndsWithTheWindow() async throws {
        try await SyncHarness.with { h in
            h.scenario.setAccountSuccessHeaders(false)
            try await PostgresQuotaBook(connection: h.connection).record(
                QuotaStatus(provider: "gocardless", subject: IDs.monzoAccount, scope: "transactions", limit: 4, remaining: 1))
            _ = try await h.sync(.init(connection: IDs.monzoRequisition))
            let q = try #require(try await stored(h, IDs.monzoAccount))
            #expect(q.remaining == 0)
            let next = try #require(q.nextAllowedAt)
            #expect(next <= h.scenario.now().addingTimeInterval(GoCardlessProvider.accountBudgetWindow))
        }
    }
}
