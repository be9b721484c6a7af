import AsyncHTTPClient
import CanonicalJSON
import Clocks
import EventLog
import FinsyncTestSupport
import Foundation
import Ingest
import Postgres
import ProviderFakes
import Testing

/// A fake Vanguard server and a test database.
struct VanguardHarness {
    let fake: FakeVanguardServer
    let connection: PostgresConnection
    let log: EventLog
    let store: PostgresVanguardConnectionStore

    static func with(scenario: FakeVanguardScenario = .isaAndGia(), _ body: (VanguardHarness) async throws -> Void) async throws {
        let fake = try await FakeVanguardServer.start(scenario: scenario)
        do {
            try await TestDatabase.with { db in
                let conn = try await db.connect()
                defer { conn.close() }
                try await body(VanguardHarness(fake: fake, connection: conn, log: EventLog(connection: conn), store: PostgresVanguardConnectionStore(connection: conn)))
            }
        } catch {
            await fake.stop()
            throw error
        }
        await fake.stop()
    }

    /// Logs in on the fake, writes the session file and registers it, as `finsync connect vanguard` does.
    func connect() async throws -> (session: VanguardSession, credentials: FakeVanguardServer.Session) {
        let credentials = fake.issueSession()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("vg-session-\(UUID().uuidString).json").path
        try fake.sessionFileJSON(for: credentials).write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let session = try VanguardSession.load(path: path)
        try await store.register(name: "vanguard", sessionPath: path, sessionSHA256: session.fingerprint)
        return (session, credentials)
    }

    func extractor(_ session: VanguardSession) -> VanguardSessionExtractor {
        VanguardSessionExtractor(session: session, sink: log, store: store,
                                 clock: ManualClock(ISO8601DateFormatter().date(from: "2026-11-25T12:00:00Z")!))
    }

    func events() async throws -> [RecordedEvent] { try await log.readBatch(after: 0, limit: 100_000) }
}

@Suite("Vanguard session client against the fake")
struct VanguardSessionTests {
    @Test("a sync stores each sub-account and its holdings; a second sync appends nothing")
    func syncStoresSubAccounts() async throws {
        try await VanguardHarness.with { h in
            let (session, _) = try await h.connect()
            let runID = UUID()
            let outcome = try await h.extractor(session).run(runID: runID)
            #expect(outcome.error == nil)
            #expect(outcome.connectionStatus == "active")
            #expect(outcome.eventsAppended == 5)  // 2 sub-accounts × 2 + health
            let events = try await h.events()
            #expect(events.map(\.streamID) == [
                StreamName.vanguardSubaccount("vanguard", "1234567-ISA01"), StreamName.vanguardHoldings("vanguard", "1234567-ISA01"),
                StreamName.vanguardSubaccount("vanguard", "1234567-GIA01"), StreamName.vanguardHoldings("vanguard", "1234567-GIA01"),
                StreamName.connectionHealth(provider: "vanguard", "vanguard"),
            ])
            let isa = try events[0].json()
            #expect(isa["wrapper"]?.string == "ISA")
            #expect(isa["name"]?.string == "Stocks & Shares ISA")
            #expect(isa["valuation"]?["Value"]?["Amount"] == .number("24131.58"))
            #expect(isa["cash"]?["Amount"] == .number("112.40"))
            #expect(isa["performance"]?["AmountChange"]?["Amount"] == .number("3581.58"))
            #expect(isa["monthly_performance"]?[0]?["Month"]?.string == "Oct 2026")
            #expect(try events[2].json()["wrapper"]?.string == "GIA")
            let holdings = try events[1].json()
            #expect(holdings["holdings"]?.array?.map { $0["Name"]?.string ?? "" } == ["FTSE Global All Cap Index Fund - Accumulation", "LifeStrategy 80% Equity Fund - Accumulation", "Cash"])
            #expect(holdings["positions"]?["Holdings"]?[0]?["Quantity"] == .number("83.5621"))
            #expect(events.allSatisfy { $0.correlationID == runID })
            #expect(h.fake.requests.contains("POST /en-GB/SubAccount/1234567-ISA01/Api/Portfolio/InstrumentValuation/Post"))

            let head = try await h.log.headPosition()
            let second = try await h.extractor(session).run(runID: UUID())
            #expect(second.eventsAppended == 0)
            #expect(try await h.log.headPosition() == head)
        }
    }

    /// Issue 18 (1): an answer PostgreSQL could never store as sent is refused before anything
    /// of its sub-account is appended; the other sub-account is stored and the step says which.
    @Test("a sub-account whose answer holds a NUL character is refused; the others are stored")
    func nulInAnAnswerIsRefused() async throws {
        var scenario = FakeVanguardScenario.isaAndGia()
        scenario.subAccounts[1].funds[0].name = "Hostile\u{0}Fund"
        try await VanguardHarness.with(scenario: scenario) { h in
            let (session, _) = try await h.connect()
            let outcome = try await h.extractor(session).run(runID: UUID())
            #expect(outcome.status == .partiallyFailed)
            let error = try #require(outcome.stepOutcome.error)
            #expect(error.contains(scenario.subAccounts[1].hierarchyID) && error.contains("NUL character"), "\(error)")
            let streams = try await h.events().map(\.streamID)
            #expect(streams.contains(StreamName.vanguardHoldings("vanguard", scenario.subAccounts[0].hierarchyID)))
            #expect(!streams.contains { $0.contains(scenario.subAccounts[1].hierarchyID) })
        }
    }

    @Test("session expiry keeps earlier data, records auth_required, and stops calling until a new session")
    func sessionExpiry() async throws {
        try await VanguardHarness.with { h in
            let (session, credentials) = try await h.connect()
            _ = try await h.extractor(session).run(runID: UUID())
            let stored = try await h.events()

            // The value changes, but the session has expired.
            h.fake.updateScenario { $0.subAccounts[0].value = "24500.00" }
            h.fake.expireSessions()
            let expired = try await h.extractor(session).run(runID: UUID())
            #expect(expired.failed)
            #expect(expired.connectionStatus == "auth_required")
            #expect(expired.error?.contains("finsync connect vanguard --session") == true)
            let after = try await h.events()
            #expect(after.count == stored.count + 1)
            #expect(Array(after.prefix(stored.count)).map(\.eventID) == stored.map(\.eventID))
            let health = try after.last!.json()
            #expect(health["status"]?.string == "auth_required")
            #expect(health["message"]?.string?.contains("new session") == true)
            #expect(try await h.store.state(of: "vanguard")?.status == "auth_required")
            #expect(try await h.store.state(of: "vanguard")?.rejectedSHA256 == session.fingerprint)

            // The same session again: no request at all.
            let requests = h.fake.requests.count
            let skipped = try await h.extractor(session).run(runID: UUID())
            #expect(skipped.skipped)
            #expect(skipped.connectionStatus == "auth_required")
            #expect(h.fake.requests.count == requests)
            #expect(try await h.events().count == after.count)

            // A new session: data flows again and the connection is active.
            let (fresh, freshCredentials) = try await h.connect()
            #expect(fresh.fingerprint != session.fingerprint)
            let resumed = try await h.extractor(fresh).run(runID: UUID())
            #expect(resumed.error == nil)
            #expect(resumed.connectionStatus == "active")
            let final = try await h.events()
            #expect(try final.filter { $0.type.name == EventCatalog.connectionHealthObserved.name }.map { try $0.json()["status"]?.string ?? "" } == ["active", "auth_required", "active"])
            #expect(try final.filter { $0.streamID == StreamName.vanguardSubaccount("vanguard", "1234567-ISA01") }.last?.json()["valuation"]?["Value"]?["Amount"] == .number("24500.00"))
            #expect(try await h.store.state(of: "vanguard")?.status == "active")

            // Cookies and tokens never reach the log.
            let text = try storedText(final)
            for secret in [credentials.cookieValue, credentials.antiForgeryToken, freshCredentials.cookieValue, freshCredentials.antiForgeryToken] {
                #expect(!text.contains(secret))
                #expect(!(expired.error ?? "").contains(secret))
            }
            #expect(!"\(session)".contains(credentials.cookieValue))
        }
    }

    @Test("expiry in the middle of a run keeps the sub-accounts already stored")
    func expiryMidRun() async throws {
        try await VanguardHarness.with { h in
            let (session, _) = try await h.connect()
            h.fake.expireSessions(afterRequests: 8)  // the ISA's six requests succeed, the GIA's third fails
            let outcome = try await h.extractor(session).run(runID: UUID())
            #expect(outcome.connectionStatus == "auth_required")
            let streams = try await h.events().map(\.streamID)
            #expect(streams == [StreamName.vanguardSubaccount("vanguard", "1234567-ISA01"), StreamName.vanguardHoldings("vanguard", "1234567-ISA01"), StreamName.connectionHealth(provider: "vanguard", "vanguard")])
        }
    }

    @Test("the sandbox fake and its session file")
    func sandbox() async throws {
        let (fake, json) = try await FakeVanguardServer.startSandbox()
        do {
            try await TestDatabase.with { db in
                let conn = try await db.connect()
                defer { conn.close() }
                let session = try VanguardSession.parse(Array(json.utf8))
                #expect(session.baseURL == fake.baseURL)
                let outcome = try await VanguardSessionExtractor(session: session, sink: EventLog(connection: conn),
                                                                 store: InMemoryVanguardConnectionStore()).run(runID: UUID())
                #expect(outcome.error == nil)
                #expect(outcome.eventsAppended == 5)
            }
        } catch {
            await fake.stop()
            throw error
        }
        await fake.stop()
    }

    @Test("session files are validated with messages that name what is missing")
    func sessionFileValidation() throws {
        func message(_ json: String) -> String? {
            do { _ = try VanguardSession.parse(Array(json.utf8)); return nil } catch let e as VanguardError { return e.message } catch { return "\(error)" }
        }
        #expect(message("[]")?.contains("not a JSON object") == true)
        #expect(message(#"{"cookies":[{"name":"a","value":"b"}]}"#)?.contains("account_id") == true)
        #expect(message(#"{"account_id":"1","cookies":[]}"#)?.contains("cookies") == true)
        #expect(message(#"{"account_id":"1","cookies":[{"name":"a","value":"b"}],"sub_accounts":[{"hierarchy_id":"1-ISA"}]}"#)?.contains("anti_forgery_token") == true)
        #expect(message(#"{"account_id":"1","anti_forgery_token":"t","cookies":[{"name":"a","value":"b"}]}"#)?.contains("sub_accounts") == true)
        #expect(message(#"{"account_id":"1","anti_forgery_token":"t","cookies":[{"name":"a","value":"b"}],"sub_accounts":[{"hierarchy_id":"../x"}]}"#)?.contains("hierarchy_id") == true)
        // A Playwright storageState with the XSRF-TOKEN cookie and the ids added.
        let s = try VanguardSession.parse(Array(#"{"account_id":"1","cookies":[{"name":"XSRF-TOKEN","value":"xsrf-value-42"}],"origins":[],"sub_accounts":[{"hierarchy_id":"1-A","name":"Junior ISA"},{"hierarchy_id":"1-B","name":"Personal Pension (SIPP)"},{"hierarchy_id":"1-C","name":"General Account"}]}"#.utf8))
        #expect(s.subAccounts.map(\.wrapper) == ["JISA", "SIPP", "GIA"])
        #expect(s.baseURL == VanguardSession.defaultBaseURL)
        #expect(!"\(s)".contains("xsrf-value-42"))
    }
}
