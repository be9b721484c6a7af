import AsyncHTTPClient
import CanonicalJSON
import Clocks
import EventLog
import FinsyncTestSupport
import Foundation
import Ingest
import Logging
import Postgres
import ProviderFakes

/// A test database and all three fakes (GoCardless bank, Trading212 ISA, Vanguard account
/// with a registered session), with a runner syncing the three providers together, as
/// `finsync sync` does.
struct AllProvidersHarness {
    let connection: PostgresConnection
    let gocardless: FakeGoCardlessServer
    let trading212: FakeTrading212Server
    let vanguard: FakeVanguardServer
    let vanguardStore: PostgresVanguardConnectionStore
    let providers: [any Provider]

    static let t212Environment = ["T212_ISA_KEY": "FAKE-T212-ISA-KEY", "T212_ISA_SECRET": "FAKE-T212-ISA-SECRET"]

    static func with(_ body: @escaping (AllProvidersHarness) async throws -> Void) async throws {
        let scenario = GoCardlessScenario.standard(secretID: "sid-" + UUID().uuidString, secretKey: "skey-" + UUID().uuidString)
        let manual = ManualClock()
        let gocardless = try await FakeGoCardlessServer.start(scenario: scenario)
        let trading212 = try await FakeTrading212Server.start(clock: manual)
        let vanguard = try await FakeVanguardServer.start()
        let sessionPath = FileManager.default.temporaryDirectory.appendingPathComponent("vg-all-\(UUID().uuidString).json").path
        func stopAll() async {
            try? FileManager.default.removeItem(atPath: sessionPath)
            await gocardless.stop(); await trading212.stop(); await vanguard.stop()
        }
        do {
            try vanguard.sessionFileJSON(for: vanguard.issueSession()).write(toFile: sessionPath, atomically: true, encoding: .utf8)
            try await TestDatabase.with { db in
                let conn = try await db.connect()
                defer { conn.close() }
                let store = PostgresVanguardConnectionStore(connection: conn)
                try await store.register(name: "vanguard", sessionPath: sessionPath, sessionSHA256: try VanguardSession.load(path: sessionPath).fingerprint)
                let client = GoCardlessClient(baseURL: gocardless.baseURL, credentials: GoCardlessCredentials(secretID: scenario.secretID, secretKey: scenario.secretKey),
                                              clock: ScenarioClock(scenario))
                let t212 = Trading212Configuration(name: "ISA", baseURL: trading212.baseURL, apiKey: .environment("T212_ISA_KEY"), apiSecret: .environment("T212_ISA_SECRET"))
                let providers: [any Provider] = [
                    GoCardlessProvider(client: client, clock: ScenarioClock(scenario)),
                    Trading212Provider(configurations: [t212], environment: t212Environment,
                                       instrumentCache: PostgresTrading212InstrumentCache(connection: conn),
                                       historyProgress: PostgresTrading212HistoryProgress(connection: conn), clock: manual),
                    VanguardProvider(store: store, clock: ManualClock(ISO8601DateFormatter().date(from: "2026-11-25T12:00:00Z")!)),
                ]
                try await body(AllProvidersHarness(connection: conn, gocardless: gocardless, trading212: trading212, vanguard: vanguard,
                                                   vanguardStore: store, providers: providers))
            }
        } catch {
            await stopAll()
            throw error
        }
        await stopAll()
    }

    func sync(_ options: SyncRunner.Options = .init()) async throws -> RunRecord {
        let scenario = gocardless.scenario
        return try await SyncRunner(connection: connection, providers: providers, clock: ScenarioClock(scenario), logger: Logger(label: "test.all")).run(options)
    }

    /// Events per type in the log.
    func counts() async throws -> [String: Int] {
        try await connection.withSession { s in
            var out: [String: Int] = [:]
            for row in try s.query("SELECT event_type, count(*) FROM eventlog.events GROUP BY 1").rows { out[row.string(0)!] = row.int(1)! }
            return out
        }
    }

    /// Events per provider (the first part of the stream id).
    func countsByProvider() async throws -> [String: Int] {
        try await connection.withSession { s in
            var out: [String: Int] = [:]
            for row in try s.query("SELECT split_part(stream_id, '/', 1), count(*) FROM eventlog.events GROUP BY 1").rows { out[row.string(0)!] = row.int(1)! }
            return out
        }
    }

    func lastHealth(_ stream: String) async throws -> JSONValue? {
        try await EventLog(connection: connection).readStream(stream).last?.json()
    }

    func steps(_ run: RunRecord, provider: String) -> [StepRecord] { run.steps.filter { $0.provider == provider } }
}
