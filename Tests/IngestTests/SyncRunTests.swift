import CanonicalJSON
import EventLog
import Foundation
import Ingest
import Postgres
import ProviderFakes
import Synchronization

import Testing

@Suite("Ingestion runs")
struct SyncRunTests {
    typealias IDs = GoCardlessScenario.DefaultIDs

    @Test func aSecondConcurrentRunIsSkipped() async throws {
        try await SyncHarness.with { h in
            let other = try await h.db.connect()
            defer { other.close() }
            // Another process holds the run lock.
            try await other.withSession { s in _ = try s.query("SELECT pg_advisory_lock($1)", [PostgresParameter(RunStore.lockKey)]) }
            let run = try await h.sync()
            #expect(run.status == .skipped)
            #expect(run.message?.contains("in progress") == true)
            #expect(try await h.total() == 0)
            #expect(h.scenario.calls(.requisitions) == 0)
            let stored = try await RunStore(connection: h.connection).recent()
            #expect(stored.first?.status == .skipped)
            // Released: the next run goes ahead.
            try await other.withSession { s in _ = try s.query("SELECT pg_advisory_unlock($1)", [PostgresParameter(RunStore.lockKey)]) }
            #expect(try await h.sync().status == .partiallyFailed)
        }
    }

    @Test func aRunKilledHalfwayIsCompletedByTheNextWithoutDuplicates() async throws {
        try await SyncHarness.with { h in
            let doomed = try await h.db.connect()
            let sink = KillingSink(base: EventLog(connection: doomed), connection: doomed, limit: 12)
            await #expect(throws: (any Error).self) { try await h.runner(connection: doomed, sink: sink).run() }
            let afterKill = try await h.total()
            #expect(afterKill > 0)
            let firstRun = try #require(try await RunStore(connection: h.connection).recent().first)
            #expect(firstRun.status == .running)

            // Re-run (the lock died with the killed session).
            let rerun = try await h.sync()
            #expect(rerun.status == .partiallyFailed)
            let counts = try await h.counts()
            #expect(counts[EventCatalog.gocardlessTransactionBooked.name] == h.bookedInScenario())
            #expect(counts[EventCatalog.gocardlessBalancesObserved.name] == 3)
            #expect(counts[EventCatalog.gocardlessAccountObserved.name] == 3)
            #expect(counts[EventCatalog.connectionHealthObserved.name] == 5)
            // What the killed run appended is still there, under its run id.
            let kept = try await h.connection.withSession { s in
                try s.query("SELECT count(*) FROM eventlog.events WHERE correlation_id = $1", [PostgresParameter(firstRun.runID)])[0].int(0)!
            }
            #expect(kept == afterKill)
            #expect(try await h.total() == afterKill + rerun.eventsAppended)
            // The abandoned run is marked failed.
            let old = try #require(try await RunStore(connection: h.connection).run(firstRun.runID.uuidString))
            #expect(old.status == .failed)
            #expect(old.message?.contains("abandoned") == true)
            // And a further run appends nothing.
            #expect(try await h.sync().eventsAppended == 0)
        }
    }

    @Test func cancellingARunStopsBetweenStepsAndTheRerunCompletes() async throws {
        try await SyncHarness.with { h in
            let started = Mutex(0)
            let conn = try await h.db.connect()
            defer { conn.close() }
            // Cancel the run's own task once three steps finished (as SIGTERM does in `finsync schedule`).
            let task = Task { try await h.runner(connection: conn).run(.init()) { p in
                if case .stepFinished = p, started.withLock({ $0 += 1; return $0 }) == 3 {
                    withUnsafeCurrentTask { $0?.cancel() }
                }
            } }
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(started.withLock { $0 } == 3)
            _ = await task.result
            let cancelled = try #require(try await RunStore(connection: h.connection).recent().first)
            #expect(cancelled.status == .failed)
            #expect(cancelled.message?.contains("cancelled") == true)
            let rerun = try await h.sync()
            #expect(rerun.status == .partiallyFailed)
            #expect(try await h.counts()[EventCatalog.gocardlessTransactionBooked.name] == h.bookedInScenario())
        }
    }

    @Test func runRecordsEncodeAsJSONWithLowerCaseIDs() async throws {
        try await SyncHarness.with { h in
            let run = try await h.sync(.init(connection: IDs.monzoRequisition))
            let data = try JSONEncoder.runRecords.encode(run)
            let json = try JSONValue.parse(Array(data))
            #expect(json["run_id"]?.string == run.runID.uuidString.lowercased())
            #expect(json["steps"]?.array?.count == 2)
            #expect(json["steps"]?[1]?["quota"]?.array?.count == 3)
            let back = try JSONDecoder.runRecords.decode(RunRecord.self, from: data)
            #expect(back.runID == run.runID)
            // (ISO-8601 drops sub-second precision, so compare what is not a time.)
            #expect(back.steps.map(\.key) == run.steps.map(\.key))
            #expect(back.steps.map(\.status) == run.steps.map(\.status))
            #expect(back.steps.map(\.connectionID) == run.steps.map(\.connectionID))
            #expect(back.steps.map { $0.quota.map(\.remaining) } == run.steps.map { $0.quota.map(\.remaining) })
        }
    }

    @Test func secretsAndTokensNeverReachTheLogRecordsOrLogs() async throws {
        try await SyncHarness.with { h in
            h.scenario.inject(.serverError(502), on: .balances, account: IDs.janeAccount, times: 1)
            h.scenario.revokeAccessTokens()
            _ = try await h.sync()
            h.scenario.advance(days: 1)
            h.scenario.expireAgreement(ofRequisition: IDs.monzoRequisition)
            _ = try await h.sync()
            let secrets = [h.scenario.secretID, h.scenario.secretKey] + h.scenario.issuedTokens
            #expect(secrets.count >= 4)

            var haystack: [String] = []
            for batch in try await Array(EventLog(connection: h.connection).events()) {
                for e in batch {
                    haystack.append(String(decoding: try e.payload(), as: UTF8.self))
                    haystack.append(e.metadata().canonicalString)
                }
            }
            #expect(haystack.count > 100)
            let runsText = try await h.connection.withSession { s in
                try s.query("SELECT row_to_json(r)::text FROM ingest.runs r UNION ALL SELECT row_to_json(s)::text FROM ingest.run_steps s UNION ALL SELECT row_to_json(q)::text FROM ingest.quotas q UNION ALL SELECT row_to_json(c)::text FROM ingest.cursors c").rows.map { $0.string(0)! }
            }
            haystack += runsText
            haystack += h.logs.all
            #expect(!h.logs.all.isEmpty)
            for secret in secrets {
                #expect(!haystack.contains { $0.contains(secret) }, "a secret or token leaked")
            }
        }
    }
}
