import FinsyncTestSupport
import Foundation
import Postgres
import Testing

/// Annotations through the real server: user events with the token's name, `If-Match`
/// against the stream version (412, nothing appended), problems naming the field, and
/// transactions carrying and filtered by category, tags and note.
@Suite struct ServeAnnotationTests {
    @Test func editsThroughTheAPIAreUserEventsAndShowOnTransactions() async throws {
        let data = try await SandboxDatabase.make()
        defer { Task { try? await data.database.drop() } }
        let id = try #require(try await data.rows("SELECT id::text FROM transactions WHERE status = 'booked' ORDER BY id LIMIT 1").first?[0])
        try await ServeProcess.with(data.database, ["--no-schedule", "--poll", "1"]) { server in
            let w = data.writeToken
            // A read token may not edit.
            #expect(try await server.request("/v1/transactions/\(id)/tags/x", method: .PUT, token: data.readToken).status == 403)

            let created = try await server.request("/v1/categories", method: .POST, token: w, body: #"{"name": "Groceries"}"#)
            #expect(created.status == 201, "\(created.text)")
            let tagged = try await server.request("/v1/transactions/\(id)/tags/weekly", method: .PUT, token: w, headers: [("If-Match", "\"0\"")])
            #expect(tagged.status == 200, "\(tagged.text)")
            #expect(tagged.headers.first(name: "ETag") == "\"1\"")
            #expect(tagged.json["version"] as? Int == 1)
            let categorised = try await server.request("/v1/transactions/\(id)/category", method: .PUT, token: w, headers: [("If-Match", "\"1\"")], body: #"{"category": "groceries"}"#)
            #expect(categorised.status == 200, "\(categorised.text)")

            // A stale version: 412, and nothing appended.
            let head = try await data.rows("SELECT last_position FROM eventlog.head")
            let stale = try await server.request("/v1/transactions/\(id)/note", method: .PUT, token: w, headers: [("If-Match", "\"1\"")], body: #"{"note": "late"}"#)
            #expect(stale.status == 412, "\(stale.text)")
            #expect(stale.headers.first(name: "Content-Type") == "application/problem+json")
            #expect(try await data.rows("SELECT last_position FROM eventlog.head") == head)

            // Bad input names the field; unknown things are 404; nothing appended.
            let longTag = String(repeating: "x", count: 65)
            let bad = try await server.request("/v1/transactions/\(id)/tags/\(longTag)", method: .PUT, token: w)
            #expect(bad.status == 400 && bad.json["parameter"] as? String == "tag", "\(bad.text)")
            let regex = try await server.request("/v1/rules", method: .POST, token: w, body: #"{"description_regex": "(", "category": "Groceries"}"#)
            #expect(regex.status == 400 && regex.json["parameter"] as? String == "description_regex", "\(regex.text)")
            let empty = try await server.request("/v1/rules", method: .POST, token: w, body: #"{"category": "Groceries"}"#)
            #expect(empty.status == 400 && empty.json["parameter"] as? String == "rule", "\(empty.text)")
            let unknownCategory = try await server.request("/v1/transactions/\(id)/category", method: .PUT, token: w, body: #"{"category": "Nope"}"#)
            #expect(unknownCategory.status == 404 && unknownCategory.json["parameter"] as? String == "category", "\(unknownCategory.text)")
            let unknownTransaction = try await server.request("/v1/transactions/\(UUID().uuidString.lowercased())/tags/x", method: .PUT, token: w)
            #expect(unknownTransaction.status == 404 && unknownTransaction.json["parameter"] as? String == "transaction", "\(unknownTransaction.text)")
            #expect(try await data.rows("SELECT last_position FROM eventlog.head") == head)

            // The events name the token and sit in the transaction's annotation stream.
            let actors = try await data.rows("SELECT DISTINCT metadata->>'actor' FROM eventlog.events WHERE stream_id LIKE 'annotations/%'").compactMap { $0[0] }
            #expect(actors == ["writer"])

            try await ServeChangeTests.waitUntilCaughtUp(server, token: data.readToken)
            let one = try await server.request("/v1/transactions/\(id)", token: data.readToken)
            let t = (one.json["transaction"] as? [String: Any]) ?? [:]
            #expect(t["category"] as? String == "Groceries")
            #expect(t["category_source"] as? String == "user")
            #expect(t["tags"] as? [String] == ["weekly"])
            #expect(((one.json["lineage"] as? [[String: Any]]) ?? []).contains { $0["event_type"] as? String == "annotation.tag.added" })
            let byTag = try await server.request("/v1/transactions?tag=weekly", token: data.readToken)
            #expect(byTag.items.compactMap { $0["id"] as? String } == [id])
            let byCategory = try await server.request("/v1/transactions?category=Groceries", token: data.readToken)
            #expect(byCategory.items.compactMap { $0["id"] as? String } == [id])
            let uncategorised = try await server.request("/v1/transactions?uncategorised=true&limit=500", token: data.readToken)
            #expect(!uncategorised.items.isEmpty && !uncategorised.items.contains { $0["id"] as? String == id })
            let orphans = try await server.request("/v1/annotations/orphans", token: data.readToken)
            #expect(orphans.status == 200 && orphans.items.isEmpty, "\(orphans.text)")
            let spend = try await server.request("/v1/analytics/spend-by-category", token: data.readToken)
            #expect(spend.status == 200 && spend.items.contains { $0["category"] as? String == "Groceries" } == ((t["money"] as? [String: Any])?["amount"] as? String ?? "").hasPrefix("-"))
        }
    }
}
