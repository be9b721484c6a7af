import CanonicalJSON
import Clocks
import EventLog
import FinsyncTestSupport
import Foundation
import Ingest
import Logging
import Postgres
import ProviderFakes
import Synchronization

/// A migrated test database, a running fake GoCardless server and a runner wired to both.
struct SyncHarness {
    let db: TestDatabase
    let connection: PostgresConnection
    let server: FakeGoCardlessServer
    let client: GoCardlessClient
    let provider: GoCardlessProvider
    /// The clients' and runner's clock (the scenario's time); its waits are recorded, never slept.
    let sleeps: ScenarioClock
    let logs: LogRecorder

    var scenario: GoCardlessScenario { server.scenario }
    typealias IDs = GoCardlessScenario.DefaultIDs

    static func with(scenario: GoCardlessScenario = .standard(secretID: "sid-" + UUID().uuidString, secretKey: "skey-" + UUID().uuidString),
                     maxAttempts: Int = 4, requestTimeout: Duration = .seconds(10),
                     _ body: @escaping (SyncHarness) async throws -> Void) async throws {
        try await TestDatabase.with { db in
            let server = try await FakeGoCardlessServer.start(scenario: scenario)
            let connection = try await db.connect()
            let sleeps = ScenarioClock(scenario), logs = LogRecorder()
            let logger = Logger(label: "test") { _ in RecordingLogHandler(recorder: logs) }
            let client = GoCardlessClient(baseURL: server.baseURL, credentials: GoCardlessCredentials(secretID: scenario.secretID, secretKey: scenario.secretKey),
                                          transport: ProviderHTTPTransport(limits: .init(requestDeadline: requestTimeout)),
                                          retry: RetryPolicy(maxAttempts: maxAttempts, random: { 0.5 }),
                                          clock: sleeps, logger: logger)
            let provider = GoCardlessProvider(client: client, clock: sleeps)
            let h = SyncHarness(db: db, connection: connection, server: server, client: client, provider: provider, sleeps: sleeps, logs: logs)
            do {
                try await body(h)
            } catch {
                connection.close()
                await server.stop()
                throw error
            }
            connection.close()
            await server.stop()
        }
    }

    func runner(connection: PostgresConnection? = nil, sink: (any EventSink)? = nil, afterAppend: (@Sendable () async throws -> String?)? = nil,
                stepDeadline: Duration = SyncRunner.defaultStepDeadline) -> SyncRunner {
        let logs = self.logs
        return SyncRunner(connection: connection ?? self.connection, providers: [provider], sink: sink, afterAppend: afterAppend, stepDeadline: stepDeadline, clock: sleeps,
                          logger: Logger(label: "test.run") { _ in RecordingLogHandler(recorder: logs) })
    }

    func sync(_ options: SyncRunner.Options = .init()) async throws -> RunRecord {
        try await runner().run(options)
    }

    /// Events per type in the log.
    func counts() async throws -> [String: Int] {
        try await connection.withSession { s in
            var out: [String: Int] = [:]
            for row in try s.query("SELECT event_type, count(*) FROM eventlog.events GROUP BY 1").rows { out[row.string(0)!] = row.int(1)! }
            return out
        }
    }

    func events(stream: String) async throws -> [RecordedEvent] {
        try await EventLog(connection: connection).readStream(stream)
    }

    func total() async throws -> Int { try await counts().values.reduce(0, +) }

    /// Booked items the fake holds for the synced (linked, active) accounts.
    func bookedInScenario() -> Int {
        [IDs.johnAccount, IDs.janeAccount, IDs.monzoAccount].reduce(0) { $0 + scenario.booked(account: $1).count }
    }

    func step(_ run: RunRecord, _ key: String) -> StepRecord? { run.steps.first { $0.key == key } }
}

/// The GoCardless tests' clock: the scenario's time (the days it advanced included), with
/// waits that return at once and are recorded (``all``).
final class ScenarioClock: FinsyncClock {
    let scenario: GoCardlessScenario
    private let manual = ManualClock()

    init(_ scenario: GoCardlessScenario) { self.scenario = scenario }

    var now: ManualClock.Instant { manual.now }
    var minimumResolution: Duration { .zero }
    var date: Date { scenario.now() }
    func sleep(until deadline: ManualClock.Instant, tolerance: Duration?) async throws { try await manual.sleep(until: deadline, tolerance: tolerance) }
    func sleep(untilDate target: Date) async throws { try await manual.sleep(for: .seconds(max(0, target.timeIntervalSince(date)))) }
    /// Every wait, in order.
    var all: [Duration] { manual.waits }
}

/// Records durations (or just calls, as `.zero`).
final class SleepRecorder: Sendable {
    private let list = Mutex<[Duration]>([])
    func record(_ d: Duration) { list.withLock { $0.append(d) } }
    var all: [Duration] { list.withLock { $0 } }
}

