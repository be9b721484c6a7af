import CanonicalJSON
import EventLog
import Foundation
import Ingest
import Postgres
import Projections
import ProviderFakes
import Testing

/// Issue 18 (1): what a bank sends that cannot be normalised is found by the extractor, with
/// the projections' own normalisers, before anything is appended; only the account it
/// belongs to reports it, and the books never see it.
@Suite("GoCardless items that cannot be normalised")
struct GoCardlessNormalisationTests {
    typealias IDs = GoCardlessScenario.DefaultIDs

    @Test func areNotAppendedAndOnlyTheirAccountReportsThem() async throws {
        try await SyncHarness.with { h in
            let f = DateFormatter()
            f.locale = Locale(identifier: "en_US_POSIX")
            f.timeZone = TimeZone(identifier: "UTC")
            f.dateFormat = "yyyy-MM-dd"
            let day = f.string(from: h.scenario.now())
            let good = h.scenario.booked(account: IDs.johnAccount).count
            h.scenario.addBooked(GoCardlessHostileItem.allCases.map { $0.item(day: day) }, account: IDs.johnAccount)
            h.scenario.setBalances([["balanceAmount": ["amount": "N/A", "currency": "EUR"], "balanceType": "closingBooked"]], account: IDs.janeAccount)

            let run = try await h.sync()
            let john = try #require(h.step(run, IDs.johnAccount))
            #expect(john.status == .partiallyFailed)
            let error = try #require(john.error)
            #expect(error.contains("GET /accounts/{id}/transactions/") && error.contains(IDs.johnAccount))
            for kind in GoCardlessHostileItem.allCases { #expect(error.contains("hostile-\(kind.rawValue)"), "\(error)") }
            #expect(error.contains("2026-02-30") && error.contains("1e1000000") && error.contains("NUL"))
            // John's good transactions are stored, the hostile ones are not.
            let johns = try await h.events(stream: StreamName.gocardlessAccount(IDs.johnAccount, .transactions))
            #expect(johns.count == good)
            #expect(try johns.allSatisfy { try !$0.json().canonicalString.contains("hostile") })

            let jane = try #require(h.step(run, IDs.janeAccount))
            #expect(jane.status == .partiallyFailed)
            #expect(jane.error?.contains("GET /accounts/{id}/balances/") == true && jane.error?.contains("\"N/A\"") == true)
            #expect(try await h.events(stream: StreamName.gocardlessAccount(IDs.janeAccount, .balances)).isEmpty)
            #expect(try await h.events(stream: StreamName.gocardlessAccount(IDs.janeAccount, .transactions)).count == h.scenario.booked(account: IDs.janeAccount).count)
            // Other connections are untouched; the run says it partly failed.
            #expect(h.step(run, IDs.monzoAccount)?.status == .succeeded)
            #expect(run.status == .partiallyFailed)

            // The books see only what could be normalised: every projection reaches the head
            // and nothing needs parking.
            let results = try await ProjectionRunner(connection: h.connection).catchUp(ProjectionCatalog.liveTargets)
            #expect(results.allSatisfy { $0.outcome == .caughtUp && $0.parked.isEmpty })

            // The next sync reads the same window again (the cursor did not move past the
            // refused items) and appends nothing new.
            let before = try await h.total()
            let second = try await h.sync()
            #expect(h.step(second, IDs.johnAccount)?.error?.contains("hostile-missingAmount") == true)
            #expect(try await h.total() == before)
        }
    }
}
