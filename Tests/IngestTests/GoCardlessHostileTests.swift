import CanonicalJSON
import EventLog
import Foundation
import Ingest
import Postgres
import ProviderFakes
import Synchronization
import Testing

/// Issue 18: nothing a GoCardless server sends can stop the books (redirects, echoed
/// secrets, trickled bodies, nothing listening).
@Suite("A hostile GoCardless server cannot stop the books")
struct GoCardlessHostileTests {
    typealias IDs = GoCardlessScenario.DefaultIDs

    // Item 5
    @Test func redirectOfTheTokenCallToAnotherHostIsRefusedAndSendsTheSecretsNowhere() async throws {
        let elsewhere = try await FakeRecordingServer.start()
        do {
            try await SyncHarness.with { h in
                h.scenario.inject(.redirect(status: 307, to: elsewhere.otherHostURL + "/api/v2/token/new/"), on: .tokenNew)
                let run = try await h.sync()
                #expect(run.status == .failed)
                let listing = try #require(run.steps.first)
                #expect(listing.error?.contains("redirect-refused") == true)
                #expect(listing.error?.contains("POST /token/new/") == true)
                #expect(listing.error?.contains("localhost:\(elsewhere.server.port)") == true)
                #expect(elsewhere.requests.isEmpty)
                #expect(h.scenario.calls(.tokenNew) == 1)
            }
        } catch {
            await elsewhere.stop()
            throw error
        }
        await elsewhere.stop()
    }

    // Item 5
    @Test func redirectOfABearerCallIsRefusedNamingTheEndpoint() async throws {
        let elsewhere = try await FakeRecordingServer.start()
        do {
            try await SyncHarness.with { h in
                h.scenario.inject(.redirect(status: 302, to: elsewhere.otherHostURL + "/steal"), on: .balances, account: IDs.monzoAccount)
                let run = try await h.sync(.init(connection: IDs.monzoRequisition))
                let monzo = try #require(h.step(run, IDs.monzoAccount))
                #expect(monzo.status == .partiallyFailed)
                #expect(monzo.error?.contains("redirect-refused") == true)
                #expect(monzo.error?.contains("GET /accounts/{id}/balances/") == true)
                #expect(elsewhere.requests.isEmpty)
                // Not retried: a redirect is not a transient failure.
                #expect(h.scenario.calls(.balances, account: IDs.monzoAccount) == 1)
            }
        } catch {
            await elsewhere.stop()
            throw error
        }
        await elsewhere.stop()
    }

    // Item 6
    @Test func secretsEchoedBackAreRedactedFromStepErrorsProgressAndLogs() async throws {
        try await SyncHarness.with { h in
            h.scenario.inject(.echoCredentials, on: .tokenNew)
            let reported = Mutex<[String]>([])
            let run = try await h.runner().run(.init()) { p in reported.withLock { $0.append("\(p)") } }
            #expect(run.status == .failed)
            let stored = try #require(try await RunStore(connection: h.connection).run(run.runID.uuidString))
            let error = try #require(stored.steps.first?.error)
            #expect(error.contains("No active account found for secret_id \(SecretRedactor.placeholder)"))
            let texts = [error] + reported.withLock { $0 } + h.logs.all
            for secret in [h.scenario.secretID, h.scenario.secretKey] {
                #expect(!texts.contains { $0.contains(secret) })
            }
            // Stored anywhere in the run tables?
            let leaked = try await h.connection.withSession { s in
                try s.query("SELECT count(*) FROM ingest.run_steps WHERE error LIKE '%' || $1 || '%' OR notes::text LIKE '%' || $1 || '%'", [.text(h.scenario.secretID)])[0].int(0)
            }
            #expect(leaked == 0)
        }
    }

    // Item 6: the bearer token is a secret too.
    @Test func anEchoedTokenIsRedacted() async throws {
        try await SyncHarness.with(maxAttempts: 1) { h in
            _ = try await h.sync(.init(connection: IDs.monzoRequisition))
            // Both tries (the client re-mints once on 401) get the echo.
            h.scenario.inject(.echoCredentials, on: .balances, account: IDs.monzoAccount, times: 2)
            let run = try await h.sync(.init(connection: IDs.monzoRequisition))
            let error = try #require(h.step(run, IDs.monzoAccount)?.error)
            #expect(error.contains("Token \(SecretRedactor.placeholder) is invalid"))
            for token in h.scenario.issuedTokens { #expect(!error.contains(token)) }
        }
    }

    // Item 8
    @Test func aTricklingBodyHitsTheRequestDeadlineAndTheRunLockIsReleased() async throws {
        // The deadline leaves room for a loaded machine: only the trickled body exceeds it.
        try await SyncHarness.with(maxAttempts: 2, requestTimeout: .seconds(5)) { h in
            h.scenario.inject(.trickle(every: .milliseconds(200)), on: .transactions, account: IDs.monzoAccount, times: 2)
            let run = try await h.sync(.init(connection: IDs.monzoRequisition))
            let monzo = try #require(h.step(run, IDs.monzoAccount))
            #expect(monzo.status == .partiallyFailed)
            #expect(monzo.error?.contains("deadline of 5 s exceeded for GET /accounts/{id}/transactions/") == true)
            #expect(monzo.error?.contains(IDs.monzoAccount) == true)
            #expect(try await h.events(stream: StreamName.gocardlessAccount(IDs.monzoAccount, .balances)).count == 1)
            // The run ended and let go of the lock: the next one runs and gets the transactions.
            let next = try await h.sync(.init(connection: IDs.monzoRequisition))
            #expect(next.status == .succeeded)
            #expect(try await h.events(stream: StreamName.gocardlessAccount(IDs.monzoAccount, .transactions)).count == h.scenario.booked(account: IDs.monzoAccount).count)
        }
    }

    // Item 8: the step's own deadline, when one request may take long but the step may not.
    @Test func aStepPastItsDeadlineIsStoppedAndTheRunGoesOn() async throws {
        try await SyncHarness.with(maxAttempts: 1, requestTimeout: .seconds(600)) { h in
            h.scenario.inject(.trickle(every: .milliseconds(200)), on: .transactions, account: IDs.monzoAccount)
            // Room for the consent step on a loaded machine; only the trickling step exceeds it.
            let run = try await h.runner(stepDeadline: .seconds(20)).run(.init(connection: IDs.monzoRequisition))
            let monzo = try #require(h.step(run, IDs.monzoAccount))
            #expect(monzo.status == .failed)
            #expect(monzo.error?.contains("step deadline of 20 s exceeded") == true)
            #expect(h.step(run, "connection")?.status == .succeeded)
            #expect(run.status == .partiallyFailed)
            let next = try await h.sync(.init(connection: IDs.monzoRequisition))
            #expect(next.status == .succeeded)
        }
    }

    // Item 9
    @Test func nothingListeningFailsFastSayingWhereAndRetriesAreBoundedInTime() async throws {
        try await SyncHarness.with { h in
            let port = try await FakeRecordingServer.closedLoopbackPort()
            let sleeps = ScenarioClock(h.scenario)
            // Up to 50 attempts, but at most 10 s of waiting and trying in all.
            let client = GoCardlessClient(baseURL: "http://127.0.0.1:\(port)/api/v2",
                                          credentials: GoCardlessCredentials(secretID: h.scenario.secretID, secretKey: h.scenario.secretKey),
                                          retry: RetryPolicy(maxAttempts: 50, maxTotalTime: .seconds(10), random: { 0.5 }), clock: sleeps)
            let run = try await SyncRunner(connection: h.connection, providers: [GoCardlessProvider(client: client)]).run()
            #expect(run.status == .failed)
            let error = try #require(run.steps.first?.error)
            #expect(error.contains("could not connect to 127.0.0.1:\(port)"))
            #expect(error.contains("POST /token/new/"))
            #expect(!error.contains("IOError"))
            // A refused connection fails at once, so it is retried with backoff (0.375, 0.75,
            // 1.5, 3 s, …) until the 10 s budget of attempts and waits is used up: at most
            // those four waits, however fast the machine (the next, 6 s, would pass it).
            let backoff: [Duration] = [.milliseconds(375), .milliseconds(750), .milliseconds(1500), .milliseconds(3000)]
            #expect(!sleeps.all.isEmpty)
            #expect(sleeps.all.count <= backoff.count)
            #expect(Array(backoff.prefix(sleeps.all.count)) == sleeps.all)
        }
    }
}
