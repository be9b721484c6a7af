import CanonicalJSON
import EventLog
import Foundation
import Ingest
import Postgres
import ProviderFakes
import Testing

@Suite("GoCardless sync against the fake server")
struct GoCardlessSyncTests {
    typealias IDs = GoCardlessScenario.DefaultIDs

    @Test func fullSyncAppendsTheCatalogueEventsAndRecordsTheRun() async throws {
        try await SyncHarness.with { h in
            let run = try await h.sync()
            let counts = try await h.counts()

            // Every booked item of the three readable accounts, once each.
            #expect(counts[EventCatalog.gocardlessTransactionBooked.name] == h.bookedInScenario())
            #expect(counts[EventCatalog.gocardlessAccountObserved.name] == 3)
            #expect(counts[EventCatalog.gocardlessAccountDetailsObserved.name] == 3)
            #expect(counts[EventCatalog.gocardlessBalancesObserved.name] == 3)
            #expect(counts[EventCatalog.gocardlessPendingObserved.name] == 3)
            #expect(counts[EventCatalog.gocardlessRequisitionObserved.name] == 5)
            #expect(counts[EventCatalog.gocardlessAgreementObserved.name] == 3)
            #expect(counts[EventCatalog.gocardlessInstitutionObserved.name] == 5)
            #expect(counts[EventCatalog.connectionHealthObserved.name] == 5)

            // Record: 5 connection steps + 3 account steps; the expired (EX) and rejected (RJ)
            // connections fail, the unfinished one (CR) is skipped, so the run is partially failed.
            #expect(run.steps.count == 8)
            #expect(run.status == .partiallyFailed)
            #expect(run.eventsAppended == (try await h.total()))
            let connectionSteps = run.steps.filter { $0.key == "connection" }
            #expect(connectionSteps.first { $0.connectionID == IDs.nationwideRequisition }?.status == .failed)
            #expect(connectionSteps.first { $0.connectionID == IDs.nationwideRequisition }?.error?.contains("reconnect") == true)
            #expect(connectionSteps.first { $0.connectionID == IDs.starlingRequisition }?.status == .skipped)
            #expect(connectionSteps.first { $0.connectionID == IDs.revolutRequisition }?.status == .failed)
            #expect(connectionSteps.first { $0.connectionID == IDs.monzoRequisition }?.notes.contains { $0.contains("consent expires on") } == true)
            for account in [IDs.johnAccount, IDs.janeAccount, IDs.monzoAccount] {
                let step = try #require(h.step(run, account))
                #expect(step.status == .succeeded)
                #expect(step.quota.first { $0.scope == "transactions" }?.remaining == 3)
            }

            // The stored record says the same.
            let stored = try #require(try await RunStore(connection: h.connection).run(run.runID.uuidString))
            #expect(stored.status == .partiallyFailed)
            #expect(stored.steps.count == 8)
            #expect(stored.eventsAppended == run.eventsAppended)
            #expect(stored.steps.first { $0.key == IDs.johnAccount }?.quota.count == 3)

            // Events carry the run id as correlation id and {run_id, endpoint} metadata.
            let tx = try await h.events(stream: StreamName.gocardlessAccount(IDs.johnAccount, .transactions))
            #expect(tx.allSatisfy { $0.correlationID == run.runID })
            #expect(tx.first?.metadata()["run_id"]?.string == run.runID.uuidString.lowercased())
            #expect(tx.first?.metadata()["endpoint"]?.string == "GET /accounts/{id}/transactions/")

            // The two identical coffees stay two (occurrence 0 and 1).
            let coffees = try tx.map { try $0.json() }.filter {
                $0["transaction"]?["remittanceInformationUnstructured"]?.string == "PAYMENT Alderaan Coffe" && $0["transaction"]?["transactionAmount"]?["amount"]?.string == "-15.00"
            }
            #expect(coffees.count == 2)
            #expect(Set(coffees.compactMap { $0["occurrence"]?.int }) == [0, 1])

            // Health: Monzo active with an expiry warning; Nationwide expired.
            let monzoHealth = try #require(try await h.events(stream: StreamName.connectionHealth(provider: "gocardless", IDs.monzoRequisition)).last?.json())
            #expect(monzoHealth["status"]?.string == "active")
            #expect(monzoHealth["expires_at"]?.string != nil)
            let nwHealth = try #require(try await h.events(stream: StreamName.connectionHealth(provider: "gocardless", IDs.nationwideRequisition)).last?.json())
            #expect(nwHealth["status"]?.string == "expired")
            #expect(nwHealth["message"]?.string?.contains("finsync connect gocardless") == true)
        }
    }

    @Test func secondSyncAppendsNothing() async throws {
        try await SyncHarness.with { h in
            let first = try await h.sync()
            #expect(first.eventsAppended > 0)
            let before = try await h.total()
            let second = try await h.sync()
            #expect(second.eventsAppended == 0)
            #expect(second.duplicatesSkipped > 0)
            #expect(try await h.total() == before)
            // Details were not spent again: fetched less than 30 days ago.
            #expect(h.scenario.calls(.details, account: IDs.johnAccount) == 1)
            #expect(h.step(second, IDs.johnAccount)?.notes.contains { $0.contains("details not fetched") } == true)
        }
    }

    @Test func incrementalSyncPicksUpNewDaysAndPendingThatBooksUnderANewID() async throws {
        try await SyncHarness.with { h in
            _ = try await h.sync()
            let bookedBefore = h.bookedInScenario()
            #expect(try await h.counts()[EventCatalog.gocardlessTransactionBooked.name] == bookedBefore)

            h.scenario.advance(days: 2)
            let newBooked = h.bookedInScenario() - bookedBefore
            #expect(newBooked > 0)
            let run = try await h.sync()
            #expect(try await h.counts()[EventCatalog.gocardlessTransactionBooked.name] == bookedBefore + newBooked)
            #expect(h.step(run, IDs.johnAccount)?.status == .succeeded)

            // The incremental call asked from the last booked date minus 7 days.
            // The burger that was pending on day 0 is now booked under its new id…
            let tx = try await h.events(stream: StreamName.gocardlessAccount(IDs.johnAccount, .transactions)).map { try $0.json() }
            #expect(tx.contains { $0["transaction"]?["transactionId"]?.string?.hasSuffix("EMP0001-1") == true })
            // …and the pending set changed (a new snapshot).
            let pending = try await h.events(stream: StreamName.gocardlessAccount(IDs.johnAccount, .pending))
            #expect(pending.count == 2)
            #expect(try pending.last!.json()["date_from"]?.string != nil)
            #expect(try pending.first!.json()["date_from"]?.isNull == true)

            // Balances moved with the new bookings: a new snapshot.
            #expect(try await h.events(stream: StreamName.gocardlessAccount(IDs.johnAccount, .balances)).count == 2)

            // The access token was refreshed (a day passed), not re-minted.
            let tokens = await h.client.tokenCounts()
            #expect(tokens.minted == 1)
            #expect(tokens.refreshed >= 1)
            #expect(h.scenario.calls(.tokenNew) == 1)
        }
    }

    @Test func dryRunReportsWhatWouldBeAppendedAndWritesNothing() async throws {
        try await SyncHarness.with { h in
            let dry = try await h.sync(.init(dryRun: true))
            #expect(dry.dryRun)
            #expect(dry.eventsAppended > 0)
            #expect(try await h.total() == 0)
            let quotas = try await PostgresQuotaBook(connection: h.connection).all()
            #expect(quotas.isEmpty)
            let real = try await h.sync()
            #expect(real.eventsAppended == dry.eventsAppended)
        }
    }

    @Test func providerAndConnectionFiltersLimitTheRun() async throws {
        try await SyncHarness.with { h in
            let run = try await h.sync(.init(connection: IDs.monzoRequisition))
            #expect(run.steps.count == 2)
            #expect(run.status == .succeeded)
            #expect(Set(run.steps.map(\.connectionID)) == [IDs.monzoRequisition])
            let none = try await h.sync(.init(provider: "trading212"))
            #expect(none.steps.isEmpty)
        }
    }

    @Test func afterAppendHookRunsOnlyForRealRuns() async throws {
        try await SyncHarness.with { h in
            let calls = SleepRecorder()
            let hook: @Sendable () async throws -> String? = { calls.record(.zero); return nil }
            _ = try await h.runner(afterAppend: hook).run(.init(dryRun: true))
            #expect(calls.all.isEmpty)
            _ = try await h.runner(afterAppend: hook).run(.init())
            #expect(calls.all.count == 1)
            struct Boom: Error {}
            let failing = try await h.runner(afterAppend: { () async throws -> String? in throw Boom() }).run(.init(connection: IDs.monzoRequisition))
            #expect(failing.status == .partiallyFailed)
            #expect(failing.message?.contains("after-append hook") == true)
        }
    }
}
