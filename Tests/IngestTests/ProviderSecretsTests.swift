import FinsyncTestSupport
import Foundation
import Ingest
import Logging
import Postgres
import ProviderFakes
import Synchronization
import Testing

/// Issue 18 items 5 and 6 beyond GoCardless: secrets echoed by any provider are redacted
/// before they are stored, reported or logged; credentialed requests are never redirected.
@Suite("Provider secrets stay out of run records, progress and logs")
struct ProviderSecretsTests {
    static let key = AllProvidersHarness.t212Environment["T212_ISA_KEY"] ?? ""
    static let secret = AllProvidersHarness.t212Environment["T212_ISA_SECRET"] ?? ""

    @Test func aTrading212KeyEchoedInAnErrorIsRedactedEverywhere() async throws {
        try await AllProvidersHarness.with { h in
            // A 500 (retried twice, each retry logged) and then a 400, all echoing the key and secret.
            h.trading212.echoCredentialsNext(matching: "/equity/account/summary", status: 500, times: 3)
            let logs = LogRecorder(), reported = Mutex<[String]>([])
            let runner = SyncRunner(connection: h.connection, providers: h.providers, logger: Logger(label: "test") { _ in RecordingLogHandler(recorder: logs) })
            let run = try await runner.run(.init(provider: "trading212")) { p in reported.withLock { $0.append("\(p)") } }
            let step = try #require(h.steps(run, provider: "trading212").first)
            let error = try #require(step.error)
            #expect(error.contains("request with key \(SecretRedactor.placeholder)"))
            #expect(logs.all.contains { $0.contains("retrying after a server error") })
            let stored = try #require(try await RunStore(connection: h.connection).run(run.runID.uuidString))
            let texts = [error] + stored.steps.compactMap(\.error) + stored.steps.flatMap(\.notes) + logs.all + reported.withLock { $0 }
            for secret in [Self.key, Self.secret] { #expect(!texts.contains { $0.contains(secret) }) }
        }
    }

    @Test func aTrading212RedirectToAnotherHostIsRefusedAndSendsTheKeyNowhere() async throws {
        let elsewhere = try await FakeRecordingServer.start()
        do {
            try await AllProvidersHarness.with { h in
                h.trading212.redirectNext(matching: "/equity/positions", to: elsewhere.otherHostURL + "/api/v0/equity/positions")
                let run = try await h.sync(.init(provider: "trading212"))
                let step = try #require(h.steps(run, provider: "trading212").first)
                #expect(step.error?.contains("redirect") == true)
                #expect(step.error?.contains("GET /api/v0/equity/positions") == true)
                #expect(elsewhere.requests.isEmpty)
            }
        } catch {
            await elsewhere.stop()
            throw error
        }
        await elsewhere.stop()
    }

    /// A provider whose step repeats its own secret (and another provider's) in what it reports.
    struct Echoing: Provider {
        let name = "echo"
        let secret: String
        func connections() async throws -> [ProviderConnection] {
            [ProviderConnection(provider: name, id: "one", displayName: "echo \(secret)", health: .active, providerStatus: "ok", statusDescription: "ok")]
        }
        func steps(for c: ProviderConnection) async throws -> [SyncStep] {
            [SyncStep(key: "step", label: "echo: \(c.displayName)") { [secret] _ in
                StepOutcome(status: .failed, notes: ["the server said \(secret) and \(ProviderSecretsTests.key)"], error: "rejected \(secret)")
            }]
        }
        func secrets() async -> [String] { [secret] }
    }

    @Test func theRunnerRedactsEverySecretOfEveryProviderBeforeStoringOrReporting() async throws {
        try await AllProvidersHarness.with { h in
            let echo = Echoing(secret: "echo-secret-" + UUID().uuidString)
            let reported = Mutex<[String]>([])
            let run = try await SyncRunner(connection: h.connection, providers: h.providers + [echo]).run(.init(provider: "echo")) { p in
                reported.withLock { $0.append("\(p)") }
            }
            let stored = try #require(try await RunStore(connection: h.connection).run(run.runID.uuidString))
            let step = try #require(stored.steps.first)
            #expect(step.error == "rejected \(SecretRedactor.placeholder)")
            #expect(step.notes == ["the server said \(SecretRedactor.placeholder) and \(SecretRedactor.placeholder)"])
            for secret in [echo.secret, Self.key] {
                #expect(!(reported.withLock { $0 }).contains { $0.contains(secret) })
                #expect(!step.label.contains(secret))
            }
        }
    }
}
