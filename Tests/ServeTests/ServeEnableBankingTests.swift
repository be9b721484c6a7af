import AsyncHTTPClient
import FinsyncTestSupport
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Enable Banking through `POST /v1/connections` and `POST /v1/connections/{connection}/finish`,
/// over real HTTP against `finsync serve --sandbox` (whose fake Enable Banking API serves
/// the consent page a browser would open).
@Suite("API: Enable Banking connections")
struct ServeEnableBankingTests {
    /// What a browser does with the consent link: open it; the fake consent page redirects
    /// (not followed here) to the application's redirect URL with `code` and `state`.
    static func consent(_ link: String) async throws -> String {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
        let response: HTTPClientResponse
        do { response = try await client.execute(HTTPClientRequest(url: link), timeout: .seconds(30)) } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
        guard response.status == .found, let location = response.headers.first(name: "Location") else {
            throw ServeTestError("the consent page answered \(response.status) without a redirect")
        }
        return location
    }

    @Test func startFinishAndSyncAnEnableBankingConnectionOverTheAPI() async throws {
        let data = try await SandboxDatabase.make()
        defer { Task { try? await data.database.drop() } }
        try await ServeProcess.with(data.database, ["--no-schedule", "--sandbox"]) { server in
            // GoCardless stays the default for bodies without a provider.
            let gc = try await server.request("/v1/connections", method: .POST, token: data.writeToken, body: #"{"institution_id":"SANDBOXFINANCE_SFIN0000"}"#)
            #expect(gc.status == 201, "\(gc.text)")
            #expect(gc.json["provider"] as? String == "gocardless" && gc.json["requisition_id"] is String)

            let started = try await server.request("/v1/connections", method: .POST, token: data.writeToken,
                                                   body: #"{"provider":"enablebanking","bank":"monzo","country":"gb","days":30}"#)
            #expect(started.status == 201, "\(started.text)")
            #expect(started.json["provider"] as? String == "enablebanking" && started.json["connection_id"] as? String == "monzo-gb")
            #expect(started.json["bank"] as? String == "Monzo" && started.json["country"] as? String == "GB")
            #expect(started.json["finish"] as? String == "/v1/connections/monzo-gb/finish")
            let link = try #require(started.json["link"] as? String)
            let redirect = try await Self.consent(link)
            #expect(redirect.hasPrefix("https://127.0.0.1:8765/callback?code="), "\(redirect)")
            let body = String(decoding: try JSONSerialization.data(withJSONObject: ["redirect_url": redirect]), as: UTF8.self)

            // Refusals name the parameter: a read token, another connection's path, a bank that does not exist.
            #expect(try await server.request("/v1/connections/monzo-gb/finish", method: .POST, token: data.readToken, body: body).status == 403)
            let other = try await server.request("/v1/connections/nordea-fi/finish", method: .POST, token: data.writeToken, body: body)
            #expect(other.status == 400 && other.json["parameter"] as? String == "redirect_url", "\(other.text)")
            #expect(other.text.contains("for connection monzo-gb"), "\(other.text)")
            let unknown = try await server.request("/v1/connections", method: .POST, token: data.writeToken, body: #"{"provider":"enablebanking","bank":"Nope","country":"GB"}"#)
            #expect(unknown.status == 404 && unknown.json["parameter"] as? String == "bank", "\(unknown.text)")
            let mixed = try await server.request("/v1/connections", method: .POST, token: data.writeToken,
                                                 body: #"{"provider":"enablebanking","bank":"Monzo","country":"GB","institution_id":"X"}"#)
            #expect(mixed.status == 400 && mixed.json["parameter"] as? String == "institution_id", "\(mixed.text)")

            let finished = try await server.request("/v1/connections/monzo-gb/finish", method: .POST, token: data.writeToken, body: body)
            #expect(finished.status == 201, "\(finished.text)")
            #expect(finished.json["connection_id"] as? String == "monzo-gb")
            let accounts = (finished.json["accounts"] as? [[String: Any]]) ?? []
            #expect(accounts.count == 1 && accounts.first?["iban"] as? String == "GB33BUKB20201555555555", "\(finished.text)")
            // A code works once.
            let again = try await server.request("/v1/connections/monzo-gb/finish", method: .POST, token: data.writeToken, body: body)
            #expect(again.status == 409, "\(again.text)")

            // The next run syncs the new connection (an API-started run: no PSU headers).
            let sync = try await server.request("/v1/sync", method: .POST, token: data.writeToken)
            let runID = try #require(sync.json["run_id"] as? String)
            var run: [String: Any] = [:]
            for _ in 0..<1200 {
                run = try await server.request("/v1/runs/\(runID)", token: data.readToken).json
                if run["status"] as? String != "running" { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            let steps = (run["steps"] as? [[String: Any]]) ?? []
            let monzo = steps.filter { $0["connection_id"] as? String == "monzo-gb" }
            #expect(monzo.count == 2 && monzo.allSatisfy { $0["status"] as? String == "succeeded" }, "\(monzo)")
            #expect(monzo.contains { ($0["notes"] as? [String])?.contains { $0.contains("no person is present") } == true }, "\(monzo)")

            // A transaction of an Enable Banking account explains itself to the events that made it.
            let accounts2 = try await server.request("/v1/accounts?provider=enablebanking", token: data.readToken).items
            let accountID = try #require(accounts2.first?["id"] as? String)
            let transactions = try await server.request("/v1/transactions?account_id=\(accountID)", token: data.readToken).items
            let transactionID = try #require(transactions.first { $0["status"] as? String == "booked" }?["id"] as? String)
            let detail = try await server.request("/v1/transactions/\(transactionID)", token: data.readToken)
            let lineage = (detail.json["lineage"] as? [[String: Any]]) ?? []
            #expect(!lineage.isEmpty && lineage.allSatisfy { $0["event_type"] as? String == "enablebanking.transaction.booked" && ($0["position"] as? Int ?? 0) > 0 }, "\(detail.text)")
            #expect(lineage.allSatisfy { ($0["stream"] as? String)?.hasPrefix("enablebanking/account/") == true }, "\(detail.text)")
        }
    }
}
