import CanonicalJSON
import EventLog
import Foundation
import Ingest
import ProviderFakes
import Testing

/// Issue 18 item 11: one failing list endpoint degrades per connection instead of stopping
/// every connection.
@Suite("A failing GoCardless listing degrades per connection")
struct GoCardlessListingTests {
    typealias IDs = GoCardlessScenario.DefaultIDs

    @Test func aBrokenAgreementsEndpointStillSyncsEveryAccountAndReportsItPerConnection() async throws {
        try await SyncHarness.with(maxAttempts: 1) { h in
            h.scenario.inject(.serverError(500), on: .agreements, times: 1_000)
            let run = try await h.sync()
            #expect(run.status == .partiallyFailed)
            #expect(!run.steps.contains { $0.key == "connections" })
            // Everything that can be synced is.
            for account in [IDs.johnAccount, IDs.janeAccount, IDs.monzoAccount] {
                #expect(h.step(run, account)?.status == .succeeded)
                #expect(try await h.events(stream: StreamName.gocardlessAccount(account, .transactions)).count == h.scenario.booked(account: account).count)
            }
            // The failure is reported against each linked connection's consent step.
            for requisition in [IDs.sandboxRequisition, IDs.monzoRequisition] {
                let consent = try #require(run.steps.first { $0.connectionID == requisition && $0.key == "connection" })
                #expect(consent.status == .partiallyFailed)
                #expect(consent.error?.contains("end-user agreement") == true)
                #expect(consent.error?.contains("could not be read") == true)
                #expect(consent.error?.contains("server-error") == true)
            }
            // The list and one agreement were asked; an outage is not asked again per agreement.
            #expect(h.scenario.calls(.agreements) == 2)
        }
    }

    @Test func whenOnlyTheAgreementsListingFailsEachAgreementIsReadOnItsOwn() async throws {
        try await SyncHarness.with { h in
            h.scenario.inject(.malformedBody, on: .agreements)
            let run = try await h.sync()
            let consent = try #require(run.steps.first { $0.connectionID == IDs.monzoRequisition && $0.key == "connection" })
            #expect(consent.status == .succeeded)
            #expect(consent.notes.contains { $0.contains("listing end-user agreements failed") })
            #expect(try await h.events(stream: StreamName.gocardlessAgreement(IDs.monzoAgreement)).count == 1)
            #expect(h.step(run, IDs.monzoAccount)?.status == .succeeded)
        }
    }
}
