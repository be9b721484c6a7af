import FinsyncTestSupport
import Foundation
@testable import Serve
import Testing

/// The read endpoints answer exactly the unified rows, for every sandbox provider (two banks
/// through GoCardless and Enable Banking, the Trading212 ISA, Vanguard funds).
@Suite struct ServeReadTests {
    @Test func accountsHoldingsInstitutionsAndConnectionsAreTheUnifiedRows() async throws {
        let data = try await SandboxDatabase.shared.value
        try await ServeProcess.with(data.database) { server in
            let accounts = try await server.request("/v1/accounts", token: data.readToken)
            #expect(accounts.status == 200, "\(accounts.text)")
            let expected = try await data.rows("SELECT id::text, provider, account_type, balance_amount::text, currency, total_value::text, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') FROM accounts ORDER BY id")
            let got = accounts.items.sorted { ($0["id"] as? String ?? "") < ($1["id"] as? String ?? "") }
            #expect(got.map { $0["id"] as? String } == expected.map { $0[0] })
            #expect(Set(got.compactMap { $0["provider"] as? String }) == ["gocardless", "enablebanking", "trading212", "vanguard"])
            for (row, item) in zip(expected, got) {
                #expect(item["provider"] as? String == row[1])
                #expect(item["type"] as? String == row[2])
                let balance = (item["balance"] as? [String: Any])?["money"] as? [String: Any]
                #expect(balance?["amount"] as? String == row[3], "balance of \(row[0] ?? "")")
                if row[3] != nil { #expect(balance?["currency"] as? String == row[4]) }
                #expect((item["total_value"] as? [String: Any])?["amount"] as? String == row[5])
                // Times as PostgreSQL keeps them: UTC, to the microsecond.
                #expect(item["updated_at"] as? String == row[6])
                // One account by id answers the same object.
                let one = try await server.request("/v1/accounts/\(row[0] ?? "")", token: data.readToken)
                #expect(one.status == 200)
                #expect(one.json["id"] as? String == row[0])
            }
            let banks = try await server.request("/v1/accounts?type=bank", token: data.readToken)
            #expect(banks.items.count == expected.filter { $0[2] == "bank" }.count)
            #expect(banks.items.allSatisfy { $0["type"] as? String == "bank" })
            for provider in ["vanguard", "enablebanking"] {
                let some = try await server.request("/v1/accounts?provider=\(provider)", token: data.readToken)
                #expect(some.items.count == expected.filter { $0[1] == provider }.count && !some.items.isEmpty, "\(provider)")
            }

            let holdings = try await server.request("/v1/holdings", token: data.readToken)
            let holdingRows = try await data.rows("SELECT id::text, quantity::text FROM holdings ORDER BY id")
            #expect(holdings.items.compactMap { $0["id"] as? String }.sorted() == holdingRows.compactMap { $0[0] })
            #expect(!holdingRows.isEmpty)
            for item in holdings.items {
                #expect(holdingRows.first { $0[0] == item["id"] as? String }?[1] == item["quantity"] as? String)
            }

            let institutions = try await server.request("/v1/institutions", token: data.readToken)
            #expect(institutions.items.compactMap { $0["id"] as? String }.sorted() == (try await data.rows("SELECT id::text FROM institutions ORDER BY id")).compactMap { $0[0] })
            let connections = try await server.request("/v1/connections", token: data.readToken)
            let connectionRows = try await data.rows("SELECT id::text, status FROM connections ORDER BY id")
            #expect(connections.items.compactMap { $0["id"] as? String }.sorted() == connectionRows.compactMap { $0[0] })
            #expect(connections.items.allSatisfy { $0["status_text"] is String && $0["quotas"] is [Any] })
        }
    }

    @Test func transactionPagesWalkEveryRowInOrderAndCarryLineage() async throws {
        let data = try await SandboxDatabase.shared.value
        try await ServeProcess.with(data.database) { server in
            let expected = try await data.rows("""
                SELECT id::text, amount::text, currency FROM transactions
                ORDER BY coalesce(booking_date, value_date, '-infinity'::date) DESC, id DESC
                """)
            #expect(expected.count > 20)
            var seen: [String] = []
            var cursor: String?
            repeat {
                let page = try await server.request("/v1/transactions?limit=17" + (cursor.map { "&cursor=\($0)" } ?? ""), token: data.readToken)
                #expect(page.status == 200, "\(page.text)")
                // Written by TransactionPageRoute (JSONText, not JSONEncoder): its bytes are the text of what they say.
                let decoded = try JSONDecoder().decode(Components.Schemas.TransactionPage.self, from: page.body)
                #expect(Data(decoded.jsonText) == page.body && page.headers["Content-Type"] == ["application/json; charset=utf-8"])
                for item in page.items {
                    seen.append(item["id"] as? String ?? "?")
                    let money = item["money"] as? [String: Any]
                    let row = expected.first { $0[0] == item["id"] as? String }
                    #expect(money?["amount"] as? String == row?[1] && money?["currency"] as? String == row?[2])
                }
                cursor = page.json["next_cursor"] as? String
            } while cursor != nil
            #expect(seen == expected.map { $0[0] ?? "" })

            let booked = try await server.request("/v1/transactions?status=booked&limit=500", token: data.readToken)
            #expect(booked.items.allSatisfy { $0["status"] as? String == "booked" } && !booked.items.isEmpty)

            let gcID = try #require(try await data.rows("""
                SELECT t.id::text FROM transactions t JOIN accounts a ON a.id = t.account_id WHERE a.provider = 'gocardless' AND t.status = 'booked' LIMIT 1
                """).first?[0])
            let detail = try await server.request("/v1/transactions/\(gcID)", token: data.readToken)
            #expect(detail.status == 200)
            let lineage = (detail.json["lineage"] as? [[String: Any]]) ?? []
            #expect(lineage.contains { $0["event_type"] as? String == "gocardless.transaction.booked" })
            #expect(lineage.allSatisfy { ($0["position"] as? Int ?? 0) > 0 })
        }
    }

    @Test func analyticsRunsAndStatusAnswerTheirTables() async throws {
        let data = try await SandboxDatabase.shared.value
        try await ServeProcess.with(data.database) { server in
            for (path, table) in [("net-worth", "analytics.net_worth_daily"), ("cashflow", "analytics.monthly_cashflow"),
                                  ("balances", "analytics.daily_balances"), ("portfolio", "analytics.portfolio_value_daily")] {
                let r = try await server.request("/v1/analytics/\(path)", token: data.readToken)
                #expect(r.status == 200, "\(path): \(r.text)")
                let n = try await data.rows("SELECT count(*) FROM \(table)").first?[0].flatMap { Int($0 ?? "") }
                #expect(r.items.count == n, "\(path)")
            }
            let ranged = try await server.request("/v1/analytics/balances?from=2024-01-01&to=2024-01-31", token: data.readToken)
            #expect(ranged.items.allSatisfy { ($0["date"] as? String ?? "").hasPrefix("2024-01") })

            let runs = try await server.request("/v1/runs", token: data.readToken)
            let runID = try #require(runs.items.first?["id"] as? String)
            let run = try await server.request("/v1/runs/\(runID)", token: data.readToken)
            #expect(run.status == 200)
            #expect(((run.json["steps"] as? [Any]) ?? []).count > 2)

            let status = try await server.request("/v1/status", token: data.readToken)
            let head = try await data.rows("SELECT last_position FROM eventlog.head").first?[0].flatMap { Int($0 ?? "") }
            #expect(status.json["log_head"] as? Int == head)
            #expect(((status.json["projections"] as? [[String: Any]]) ?? []).contains { $0["projection"] as? String == "unified" && $0["lag"] as? Int == 0 })

            let health = try await server.request("/healthz")
            #expect(health.status == 200)
            let ready = try await server.request("/readyz")
            #expect(ready.status == 200, "\(ready.text)")
        }
    }
}
