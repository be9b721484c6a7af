import Clocks
import _CryptoExtras
import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Ingest
import Logging
import Postgres
import Projections
import ProviderFakes

/// A migrated test database, a throwaway RSA key (written to a private file, as the control
/// panel's download would be), the fake Enable Banking API verifying tokens against its
/// public half, and a provider/linker wired to them, all on one manual clock.
struct EnableBankingHarness {
    let connection: PostgresConnection
    let fake: FakeEnableBankingServer
    let clock: ManualClock
    let keyFile: String
    let privateKeyPEM: String
    let configuration: EnableBankingConfiguration
    let client: EnableBankingClient
    let store: PostgresEnableBankingLinkStore
    let provider: EnableBankingProvider
    let logs: LogRecorder

    static let applicationID = "5f7d1e2a-3b4c-4d5e-8f90-a1b2c3d4e5f6"
    static let redirect = "https://127.0.0.1:8765/callback"

    /// A new 2048-bit key per harness: no key is shared between tests or stored in the repository.
    static func throwawayKey() throws -> _RSA.Signing.PrivateKey { try _RSA.Signing.PrivateKey(keySize: .bits2048) }

    static func with(pending: Bool = false, psu: EnableBankingPSUHeaders = EnableBankingPSUHeaders(), tweak: @Sendable (inout FakeEnableBankingScenario) -> Void = { _ in },
                     _ body: @escaping (EnableBankingHarness) async throws -> Void) async throws {
        let key = try throwawayKey()
        var scenario = FakeEnableBankingScenario.standard(applicationID: applicationID, publicKeyPEM: key.publicKey.pemRepresentation, redirectURLs: [redirect])
        tweak(&scenario)
        let clock = ManualClock(ISO8601DateFormatter().date(from: "2026-11-25T12:00:00Z")!)
        let fake = try await FakeEnableBankingServer.start(scenario: scenario, clock: clock)
        let keyFile = FileManager.default.temporaryDirectory.appendingPathComponent("eb-\(UUID().uuidString).pem").path
        _ = FileManager.default.createFile(atPath: keyFile, contents: Data(key.pemRepresentation.utf8), attributes: [.posixPermissions: 0o600])
        defer { try? FileManager.default.removeItem(atPath: keyFile) }
        do {
            try await TestDatabase.with { db in
                let conn = try await db.connect()
                defer { conn.close() }
                let logs = LogRecorder()
                let logger = Logger(label: "test.eb") { _ in RecordingLogHandler(recorder: logs) }
                let configuration = EnableBankingConfiguration(applicationID: applicationID, privateKeyFile: keyFile, redirectURL: redirect, baseURL: fake.baseURL, pending: pending, psu: psu)
                let client = EnableBankingClient(baseURL: fake.baseURL, signer: try configuration.signer(),
                                                 retry: RetryPolicy(maxAttempts: 3, random: { 0.5 }),
                                                 clock: clock, logger: logger)
                let store = PostgresEnableBankingLinkStore(connection: conn)
                let provider = EnableBankingProvider(applications: [.init(configuration: configuration, client: client)], store: store, clock: clock)
                try await body(EnableBankingHarness(connection: conn, fake: fake, clock: clock, keyFile: keyFile, privateKeyPEM: key.pemRepresentation,
                                                    configuration: configuration, client: client, store: store, provider: provider, logs: logs))
            }
        } catch {
            await fake.stop()
            throw error
        }
        await fake.stop()
    }

    var linker: EnableBankingLinker { EnableBankingLinker(application: .init(configuration: configuration, client: client), store: store, clock: clock) }

    /// Links `bank` end to end: `POST /auth`, the consent page's redirect, `POST /sessions`.
    @discardableResult
    func link(_ bank: String, _ country: String, name: String? = nil, days: Int? = nil) async throws -> EnableBankingLink {
        let started = try await linker.start(bank: bank, country: country, days: days, connection: name)
        guard let redirect = fake.consentRedirect(for: started.url) else { throw FakeServerErrorForTests(message: "no redirect for \(started.url)") }
        return try await linker.finish(redirect: redirect, expectedState: started.state)
    }

    func runner() -> SyncRunner {
        let logs = self.logs
        return SyncRunner(connection: connection, providers: [provider], clock: clock,
                          logger: Logger(label: "test.run") { _ in RecordingLogHandler(recorder: logs) })
    }

    func sync(_ options: SyncRunner.Options = .init()) async throws -> RunRecord { try await runner().run(options) }

    func counts() async throws -> [String: Int] {
        try await connection.withSession { s in
            var out: [String: Int] = [:]
            for row in try s.query("SELECT event_type, count(*) FROM eventlog.events GROUP BY 1").rows { out[row.string(0)!] = row.int(1)! }
            return out
        }
    }

    func total() async throws -> Int { try await counts().values.reduce(0, +) }

    func project() async throws {
        _ = try await ProjectionRunner(connection: connection).catchUp(ProjectionCatalog.liveTargets)
    }

    /// Rows of a query as text, in order.
    func rows(_ sql: String, _ params: [PostgresParameter] = []) async throws -> [[String?]] {
        try await connection.withSession { s in
            let r = try s.query(sql, params)
            return r.rows.map { row in (0..<r.columnCount).map { row.string($0) } }
        }
    }

    func health(_ connection: String) async throws -> JSONValue? {
        try await EventLog(connection: self.connection).readStream(StreamName.connectionHealth(provider: "enablebanking", connection)).last.map { try $0.json() }
    }
}

struct FakeServerErrorForTests: Error { var message: String }
