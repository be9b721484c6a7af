import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import Testing

/// What happens while the data changes under the server: ETags move, pages neither repeat
/// nor skip, syncs start or collide.
@Suite struct ServeChangeTests {
    @Test func anUnchangedAnswerIs304AndADifferentQueryADifferentTag() async throws {
        let data = try await SandboxDatabase.shared.value
        try await ServeProcess.with(data.database) { server in
            let first = try await server.request("/v1/accounts", token: data.readToken)
            let tag = try #require(first.headers.first(name: "ETag"))
            let again = try await server.request("/v1/accounts", token: data.readToken, headers: [("If-None-Match", tag)])
            #expect(again.status == 304)
            #expect(again.body.isEmpty)
            #expect(again.headers.first(name: "ETag") == tag)
            let other = try await server.request("/v1/accounts?type=bank", token: data.readToken)
            #expect(other.headers.first(name: "ETag") != tag)
            let stale = try await server.request("/v1/accounts", token: data.readToken, headers: [("If-None-Match", "\"0000\"")])
            #expect(stale.status == 200)
        }
    }

    @Test func pagingAllTransactionsWhileEventsAreAppendedGivesNoDuplicatesAndNoGaps() async throws {
        let data = try await SandboxDatabase.make()
        defer { Task { try? await data.database.drop() } }
        let account = try #require(try await data.rows("SELECT provider_account_id FROM accounts WHERE provider = 'gocardless' ORDER BY 1 LIMIT 1").first?[0])
        let before = Set(try await data.rows("SELECT id::text FROM transactions").compactMap { $0[0] })
        try await ServeProcess.with(data.database, ["--no-schedule", "--poll", "1"]) { server in
            let tagBefore = try await server.request("/v1/transactions?limit=5", token: data.readToken).headers.first(name: "ETag")
            var seen: [String] = []
            var cursor: String?
            var round = 0
            repeat {
                let page = try await server.request("/v1/transactions?limit=9" + (cursor.map { "&cursor=\($0)" } ?? ""), token: data.readToken)
                #expect(page.status == 200)
                seen += page.items.compactMap { $0["id"] as? String }
                cursor = page.json["next_cursor"] as? String
                if round < 4 {
                    // New bookings: one newer than everything, one deep in the past, one on a day the pages are walking through.
                    try await Self.appendBookings(account: account, round: round, to: data.database)
                    try await Self.waitUntilCaughtUp(server, token: data.readToken)
                }
                round += 1
            } while cursor != nil
            #expect(Set(seen).count == seen.count, "a transaction was listed twice")
            #expect(before.isSubset(of: Set(seen)), "transactions present before paging were skipped: \(before.subtracting(seen).count)")
            let tagAfter = try await server.request("/v1/transactions?limit=5", token: data.readToken).headers.first(name: "ETag")
            #expect(tagBefore != nil && tagBefore != tagAfter, "the ETag follows the projection's checkpoint")
        }
    }

    static func appendBookings(account: String, round: Int, to database: TestDatabase) async throws {
        let conn = try await database.connect()
        defer { conn.close() }
        let days = ["2031-0\(round + 1)-15", "2001-0\(round + 1)-15", "2024-0\(round + 1)-10"]
        let events = days.enumerated().map { n, day in
            NewEvent(type: EventType("gocardless.transaction.booked"), json: .object([
                "account_id": .string(account),
                "occurrence": .number("0"),
                "transaction": .object([
                    "transactionId": .string("serve-test-\(round)-\(n)"),
                    "bookingDate": .string(day), "valueDate": .string(day),
                    "transactionAmount": .object(["amount": .string("-\(round + 1).0\(n)"), "currency": .string("GBP")]),
                    "remittanceInformationUnstructured": .string("paging test \(round)/\(n)"),
                ]),
            ]))
        }
        _ = try await EventLog(connection: conn).append(events, to: "gocardless/account/\(account)/transactions")
    }

    /// Waits until the follower has applied everything (a condition, polled).
    static func waitUntilCaughtUp(_ server: ServeProcess, token: String) async throws {
        for _ in 0..<600 {
            let status = try await server.request("/v1/status", token: token)
            let projections = (status.json["projections"] as? [[String: Any]]) ?? []
            if !projections.isEmpty, projections.allSatisfy({ $0["lag"] as? Int == 0 }) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ServeTestError("the projections did not catch up")
    }

    @Test func postSyncStartsARunAndASecondIsRefusedNamingTheFirst() async throws {
        let data = try await SandboxDatabase.make()
        defer { Task { try? await data.database.drop() } }
        try await ServeProcess.with(data.database, ["--no-schedule", "--sandbox"]) { server in
            let started = try await server.request("/v1/sync", method: .POST, token: data.writeToken)
            #expect(started.status == 202, "\(started.text)")
            let runID = try #require(started.json["run_id"] as? String)
            var status = "running"
            for _ in 0..<1200 where status == "running" {
                status = try await server.request("/v1/runs/\(runID)", token: data.readToken).json["status"] as? String ?? "?"
                if status == "running" { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(["succeeded", "partially_failed"].contains(status), "run ended \(status)")

            // Another process holds the run lock with a run in progress: 409 naming it.
            let conn = try await data.database.connect()
            defer { conn.close() }
            let busy = UUID()
            try await conn.withSession { s in
                _ = try s.query("SELECT pg_advisory_lock(7357004)")
                _ = try s.query("INSERT INTO ingest.runs (run_id, trigger, status, dry_run, started_at) VALUES ($1, 'manual', 'running', false, now())", [PostgresParameter(busy)])
            }
            let refused = try await server.request("/v1/sync", method: .POST, token: data.writeToken)
            #expect(refused.status == 409, "\(refused.text)")
            #expect(refused.json["run_id"] as? String == busy.uuidString.lowercased())
            try await conn.withSession { s in _ = try s.query("SELECT pg_advisory_unlock(7357004)") }
        }
    }

    @Test func sigtermDuringARequestFinishesItAndExitsZero() async throws {
        // A database of its own: on the shared one, another test's server could be the one
        // waiting on the lock below, and SIGTERM would then come before this request is sent.
        let data = try await SandboxDatabase.make()
        defer { Task { try? await data.database.drop() } }
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let server = try await ServeProcess.start(data.database, ["--no-schedule", "--no-follow"], directory: dir)
        let lock = try await data.database.connect()
        defer { lock.close() }
        // Hold the accounts table, so the request below is in flight (waiting on the lock) when SIGTERM arrives.
        try await lock.withSession { s in _ = try s.execute("BEGIN; LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE") }
        let request = Task { try await server.request("/v1/accounts", token: data.readToken) }
        // Watched from another session: pg_stat_activity is a snapshot taken once per transaction.
        let watch = try await data.database.connect()
        defer { watch.close() }
        var waiting = false
        for _ in 0..<600 where !waiting {
            waiting = try await watch.withSession { s in
                try s.query("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%FROM accounts a%'")[0].int(0) ?? 0
            } > 0
            if !waiting { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(waiting, "the request never reached the database")
        kill(server.process.processIdentifier, SIGTERM)
        try await lock.withSession { s in _ = try s.execute("COMMIT") }
        let answer = try await request.value
        #expect(answer.status == 200)
        #expect(answer.items.count > 0)
        let ended = await server.stop()
        #expect(ended.exited && ended.status == 0, "\(ended)")
    }

    @Test func sigtermDuringASyncRecordsTheRunAndExitsZero() async throws {
        let data = try await SandboxDatabase.make()
        defer { Task { try? await data.database.drop() } }
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let server = try await ServeProcess.start(data.database, ["--no-schedule", "--sandbox"], directory: dir)
        let started = try await server.request("/v1/sync", method: .POST, token: data.writeToken)
        #expect(started.status == 202, "\(started.text)")
        let runID = try #require(started.json["run_id"] as? String)
        let ended = await server.stop()
        #expect(ended.exited && ended.status == 0, "\(ended)")
        // The run either finished before the signal or stopped between steps, recorded as cancelled: never left running.
        let row = try #require(try await data.rows("SELECT status, coalesce(message, '') FROM ingest.runs WHERE run_id = '\(runID)'").first)
        #expect(row[0] != "running")
        if row[0] == "failed" { #expect(row[1]?.contains("cancelled") == true, "\(row)") }
        #expect(try await data.rows("SELECT count(*) FROM ingest.run_steps WHERE status = 'running'").first?[0] == "0")
    }

    @Test func metricsCountRequestsByRouteAndStatus() async throws {
        let data = try await SandboxDatabase.shared.value
        try await ServeProcess.with(data.database) { server in
            _ = try await server.request("/v1/accounts", token: data.readToken)
            _ = try await server.request("/v1/accounts/\(UUID().uuidString.lowercased())", token: data.readToken)
            let metrics = try await server.request("/metrics", token: data.readToken)
            #expect(metrics.status == 200)
            let text = metrics.text
            #expect(text.contains(#"finsync_http_requests_total{route="/v1/accounts",method="GET",status="200"} 1"#), "\(text.prefix(2000))")
            #expect(text.contains(#"route="/v1/accounts/{id}",method="GET",status="404""#))
            #expect(text.contains("finsync_http_request_duration_seconds_bucket"))
            #expect(text.contains(#"finsync_events_appended{type="gocardless.transaction.booked"}"#))
            #expect(text.contains(#"finsync_projection_lag_positions{projection="unified"} 0"#))
            #expect(text.contains("finsync_sync_runs{status="))
            #expect(text.contains("finsync_consent_days_left{"))
        }
    }
}
