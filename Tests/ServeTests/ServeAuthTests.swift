import FinsyncTestSupport
import Foundation
import Testing

/// Bearer tokens: none or unknown → 401, read scope on an action → 403, revoked → 401.
@Suite struct ServeAuthTests {
    @Test func tokensAreCheckedAndScoped() async throws {
        let data = try await SandboxDatabase.shared.value
        try await ServeProcess.with(data.database) { server in
            let none = try await server.request("/v1/accounts")
            #expect(none.status == 401)
            #expect(none.headers.first(name: "WWW-Authenticate")?.hasPrefix("Bearer") == true)
            #expect(none.headers.first(name: "Content-Type") == "application/problem+json")
            #expect(none.json["status"] as? Int == 401)

            let unknown = try await server.request("/v1/accounts", token: "fst_" + String(repeating: "A", count: 43))
            #expect(unknown.status == 401)
            let garbage = try await server.request("/v1/accounts", headers: [("Authorization", "Basic dXNlcjpwYXNz")])
            #expect(garbage.status == 401)

            let forbidden = try await server.request("/v1/sync", method: .POST, token: data.readToken)
            #expect(forbidden.status == 403, "\(forbidden.text)")
            #expect(forbidden.json["type"] as? String == "https://finsync.dev/problems/forbidden")
            let connect = try await server.request("/v1/connections", method: .POST, token: data.readToken, body: #"{"institution_id":"SANDBOXFINANCE_SFIN0000"}"#)
            #expect(connect.status == 403)

            #expect(try await server.request("/v1/accounts", token: data.writeToken).status == 200)
            #expect(try await server.request("/healthz").status == 200)
            // /metrics needs a token by default ([server] metrics = "token").
            #expect(try await server.request("/metrics").status == 401)
            #expect(try await server.request("/metrics", token: data.readToken).status == 200)
        }
    }

    @Test func aRevokedTokenIsRefused() async throws {
        let data = try await SandboxDatabase.shared.value
        let dir = try ScratchDirectory()
        defer { dir.remove() }
        let env = ["DATABASE_URL": data.database.configuration.connectionString]
        let name = "revoke-\(UUID().uuidString.prefix(8))"
        let created = try await FinsyncExecutable.run(["token", "create", "--name", name], environment: env, directory: dir.url)
        let token = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let listed = try await FinsyncExecutable.run(["token", "list"], environment: env, directory: dir.url)
        #expect(listed.stdout.contains(name) && !listed.stdout.contains(token), "only a prefix is listed, never the token")
        try await ServeProcess.with(data.database) { server in
            #expect(try await server.request("/v1/accounts", token: token).status == 200)
            let revoked = try await FinsyncExecutable.run(["token", "revoke", name], environment: env, directory: dir.url)
            #expect(revoked.status == 0, "\(revoked)")
            #expect(try await server.request("/v1/accounts", token: token).status == 401)
        }
        let stored = try await data.rows("SELECT count(*) FROM api.tokens WHERE encode(token_sha256, 'escape') LIKE '%' || \(PostgresQuote.literal(String(token.dropFirst(4).prefix(20)))) || '%'")
        #expect(stored.first?[0] == "0", "the token itself is never stored")
    }
}

/// RFC 9457 problems naming the parameter; never SQL or internals.
@Suite struct ServeProblemTests {
    @Test(arguments: [
        ("/v1/transactions?limit=0", "limit"),
        ("/v1/transactions?limit=501", "limit"),
        ("/v1/transactions?limit=abc", "limit"),
        ("/v1/transactions?cursor=not-a-cursor", "cursor"),
        ("/v1/transactions?booked_from=2024-02-30", "booked_from"),
        ("/v1/transactions?booked_from=2024-03-02&booked_to=2024-03-01", "booked_from"),
        ("/v1/transactions?amount_min=12,50", "amount_min"),
        ("/v1/transactions?account_id=42", "account_id"),
        ("/v1/transactions?status=settled", "status"),
        ("/v1/accounts?type=savings", "type"),
        ("/v1/accounts/not-a-uuid", "id"),
        ("/v1/analytics/net-worth?from=yesterday", "from"),
        ("/v1/runs?limit=-1", "limit"),
    ])
    func malformedParametersAreNamed(path: String, parameter: String) async throws {
        let data = try await SandboxDatabase.shared.value
        try await ServeProcess.with(data.database) { server in
            let r = try await server.request(path, token: data.readToken)
            #expect(r.status == 400, "\(path): \(r.text)")
            #expect(r.headers.first(name: "Content-Type") == "application/problem+json")
            #expect(r.json["parameter"] as? String == parameter, "\(path): \(r.text)")
            #expect(!r.text.localizedCaseInsensitiveContains("select") && !r.text.contains("Postgres"), "\(r.text)")
        }
    }

    @Test func unknownIdsAre404() async throws {
        let data = try await SandboxDatabase.shared.value
        try await ServeProcess.with(data.database) { server in
            for path in ["/v1/accounts/", "/v1/transactions/", "/v1/runs/"] {
                let r = try await server.request(path + UUID().uuidString.lowercased(), token: data.readToken)
                #expect(r.status == 404, "\(path): \(r.text)")
                #expect(r.json["title"] is String)
            }
            let route = try await server.request("/v2/nothing", token: data.readToken)
            #expect(route.status == 404)
        }
    }
}

/// Text quoted as a PostgreSQL literal (for test queries).
enum PostgresQuote {
    static func literal(_ s: String) -> String { "'" + s.replacingOccurrences(of: "'", with: "''") + "'" }
}
