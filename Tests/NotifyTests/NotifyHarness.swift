import Clocks
import EventLog
import FinsyncTestSupport
import Foundation
import Ingest
import Logging
import Notify
import Postgres
import ProviderFakes

/// A test database, a recording webhook server and a manual clock for ``RunNotifier``.
struct NotifyHarness {
    let connection: PostgresConnection
    let server: FakeRecordingServer
    let clock: ManualClock
    let logs: LogRecorder

    /// 2026-03-02T09:00:00Z.
    static let start = Date(timeIntervalSince1970: 1_772_442_000)

    static func with(status: @escaping @Sendable (Int) -> Int = { _ in 200 }, _ body: (NotifyHarness) async throws -> Void) async throws {
        let server = try await FakeRecordingServer.start(status: status)
        do {
            try await TestDatabase.with { db in
                let connection = try await db.connect()
                defer { connection.close() }
                try await body(NotifyHarness(connection: connection, server: server, clock: ManualClock(start), logs: LogRecorder()))
            }
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    /// A JSON webhook at `/hook` and a text one at `/ntfy`, both on the recording server.
    var bothFormats: [NotifyConfiguration.Webhook] {
        [.init(url: server.baseURL + "/hook", format: .json), .init(url: server.baseURL + "/ntfy", format: .text)]
    }

    func notifier(_ webhooks: [NotifyConfiguration.Webhook]? = nil, secrets: [String] = []) -> RunNotifier {
        let logs = self.logs
        return RunNotifier(webhooks: webhooks ?? [.init(url: server.baseURL + "/hook")], connection: connection, redactor: SecretRedactor(secrets: secrets),
                           transport: ProviderHTTPTransport(limits: .init(requestDeadline: .seconds(120))), clock: clock,
                           logger: Logger(label: "test.notify") { _ in RecordingLogHandler(recorder: logs) })
    }

    /// Records a connection's health in the log, as a provider's step does.
    func health(_ provider: String, _ id: String, _ status: ConnectionHealth, _ message: String, expiresAt: Date? = nil) async throws {
        try await ConnectionHealthSnapshot(provider: provider, connectionID: id, status: status, message: message, expiresAt: expiresAt)
            .record(in: EventLog(connection: connection), stamp: RunStamp(runID: UUIDv7.make()))
    }

    /// A finished run whose steps have these (provider, connection, status, error).
    func run(_ status: StepStatus, id: UUID = UUID(uuidString: "0193a5f0-0000-7000-8000-000000000001") ?? UUID(),
             steps: [(String, String, StepStatus, String?)], message: String? = nil) -> RunRecord {
        RunRecord(runID: id, trigger: .scheduled, status: status, dryRun: false, startedAt: clock.date, finishedAt: clock.date, message: message,
                  steps: steps.enumerated().map { i, s in
                      StepRecord(stepNo: i + 1, provider: s.0, connectionID: s.1, key: "step\(i + 1)", label: "\(s.0) \(s.1): step \(i + 1)", status: s.2,
                                 startedAt: clock.date, finishedAt: clock.date, error: s.3)
                  })
    }

    /// Rows of `ingest.notifications_sent`: `kind provider connection day`.
    func ledger() async throws -> [String] {
        try await connection.withSession { s in
            try s.query("SELECT kind || ' ' || provider || ' ' || connection_id || ' ' || day::text FROM ingest.notifications_sent ORDER BY 1").rows.map {
                try $0.decode(String.self, 0)
            }
        }
    }
}

