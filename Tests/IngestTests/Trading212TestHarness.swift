import AsyncHTTPClient
import CanonicalJSON
import Clocks
import EventLog
import FinsyncTestSupport
import Foundation
import Ingest
import Postgres
import ProviderFakes
import Synchronization

/// A fake Trading212 server, a test database and the pieces an extractor needs.
struct Trading212Harness {
    let fake: FakeTrading212Server
    /// Shared with the fake: sleeping moves both to the wake-up time at once, and is recorded.
    let clock: ManualClock
    let connection: PostgresConnection
    let log: EventLog
    let cache: PostgresTrading212InstrumentCache
    let progress: PostgresTrading212HistoryProgress

    static func with(scenario: FakeTrading212Scenario = .isa(), generation: FakeTrading212Server.Generation = .current,
                     _ body: (Trading212Harness) async throws -> Void) async throws {
        let manual = ManualClock()
        let fake = try await FakeTrading212Server.start(scenario: scenario, generation: generation, clock: manual)
        do {
            try await TestDatabase.with { db in
                let conn = try await db.connect()
                defer { conn.close() }
                try await body(Trading212Harness(fake: fake, clock: manual, connection: conn, log: EventLog(connection: conn),
                                                 cache: PostgresTrading212InstrumentCache(connection: conn),
                                                 progress: PostgresTrading212HistoryProgress(connection: conn)))
            }
        } catch {
            await fake.stop()
            throw error
        }
        await fake.stop()
    }

    var configuration: Trading212Configuration {
        Trading212Configuration(name: "ISA", baseURL: fake.baseURL, apiKey: .environment("T212_ISA_KEY"), apiSecret: .environment("T212_ISA_SECRET"))
    }

    func extractor(pageLimit: Int = 3, withSecret: Bool = true, key: String? = nil) -> Trading212Extractor {
        var options = Trading212Extractor.Options()
        options.pageLimit = pageLimit
        return Trading212Extractor(configuration: configuration,
                                   credentials: Trading212Credentials(apiKey: key ?? fake.apiKey, apiSecret: withSecret ? fake.apiSecret : nil),
                                   sink: log, instrumentCache: cache, historyProgress: progress, clock: clock, options: options)
    }

    func events() async throws -> [RecordedEvent] { try await log.readBatch(after: 0, limit: 100_000) }

    func events(type: String) async throws -> [RecordedEvent] { try await events().filter { $0.type.name == type } }
}

/// Every stored payload and metadata as text, for scanning for secrets.
func storedText(_ events: [RecordedEvent]) throws -> String {
    try events.map { String(decoding: try $0.payload(), as: UTF8.self) + "\n" + String(decoding: $0.metadataJSON, as: UTF8.self) }.joined(separator: "\n")
}
