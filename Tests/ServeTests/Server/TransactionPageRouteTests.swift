import FinsyncTestSupport
import Foundation
@testable import Serve
import Testing

/// `GET /v1/transactions` is answered by ``TransactionPageRoute`` rather than the generated
/// route: it must read every parameter the document declares, and answer as that route.
@Suite struct TransactionPageRouteTests {
    /// The `name:`s of the parameters declared inline under `path`'s `get:` in the document.
    static func queryParameters(of path: String) throws -> Set<String> {
        let text = try String(contentsOf: TestDatabase.repositoryRoot.appendingPathComponent("Sources/Serve/openapi.yaml"), encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex(of: "  \(path):"), "no path \(path)")
        var names: Set<String> = [], inGet = false
        for line in lines[(start + 1)...] {
            let indent = line.prefix { $0 == " " }.count
            if !line.trimmingCharacters(in: .whitespaces).isEmpty && indent <= 2 { break }
            if indent == 4 { inGet = line == "    get:" }
            if inGet, line.hasPrefix("        - name: ") { names.insert(String(line.dropFirst("        - name: ".count))) }
        }
        return names
    }

    @Test func itReadsEveryParameterTheDocumentDeclares() throws {
        let declared = try Self.queryParameters(of: TransactionPageRoute.path)
        #expect(declared.count > 5, "the document's parameters were found")
        #expect(Set(TransactionPageRoute.Parameter.allCases.map(\.rawValue)) == declared)
    }

    /// What the route does not write itself (a parameter the runtime refuses, an `Accept`
    /// without JSON) is answered by the generated route, as on every other list route.
    @Test func whatItCannotAnswerIsAnsweredAsByTheGeneratedRoutes() async throws {
        let data = try await SandboxDatabase.shared.value
        try await ServeProcess.with(data.database) { server in
            let csv = [("Accept", "text/csv")]
            let refused = try await server.request("/v1/transactions", token: data.readToken, headers: csv)
            let generated = try await server.request("/v1/accounts", token: data.readToken, headers: csv)
            #expect(refused.status == generated.status && refused.status >= 400, "\(refused.status) \(refused.text)")
            #expect(refused.json["type"] as? String == generated.json["type"] as? String)

            let status = try await server.request("/v1/transactions?status=cancelled", token: data.readToken)
            #expect(status.status == 400 && status.json["parameter"] as? String == "status", "\(status.text)")
            let flag = try await server.request("/v1/transactions?uncategorised=maybe", token: data.readToken)
            #expect(flag.status == 400 && flag.json["parameter"] as? String == "uncategorised", "\(flag.text)")

            let both = try await server.request("/v1/transactions?limit=5", token: data.readToken, headers: [("Accept", "text/csv, application/json;q=0.5")])
            #expect(both.status == 200 && both.items.count == 5, "\(both.text)")
        }
    }
}
