import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import Testing

/// `finsync tag`, `categorise`, `note`, `categories`, `rules` and `explain` against a real
/// database: edits become user events (actor `cli`), bad input fails naming the field and
/// appends nothing.
@Suite("CLI: annotations")
struct AnnotationCommandTests {
    @Test func annotationCommandsAppendUserEventsAndRefuseBadInput() async throws {
        try await TestDatabase.with { db in
            let conn = try await CLIDatabases.inspect(db)
            defer { conn.close() }
            let item: JSONValue = ["transactionId": "C1", "bookingDate": "2024-03-01", "valueDate": "2024-03-01", "transactionAmount": ["amount": "-7.50", "currency": "GBP"],
                                   "creditorName": "Pret", "remittanceInformationUnstructured": "PRET A MANGER"]
            _ = try await EventLog(connection: conn).append([NewEvent(type: EventType("gocardless.transaction.booked"), json: ["account_id": "cli-acc", "transaction": item, "occurrence": 0])],
                                                           to: "gocardless/account/cli-acc/transactions")
            let run = { (args: [String]) in try await CommandErrorTests.finsync(args, db: db) }
            #expect(try await run(["project"]).status == 0)
            let id = try #require(try await conn.withSession { s in try s.query("SELECT id::text FROM transactions")[0].string(0) })

            for args in [["categories", "add", "Lunch"], ["tag", id, "work", "food"], ["categorise", id, "lunch"], ["note", id, "with the team"],
                         ["rules", "add", "--counterparty", "pret", "--tag", "coffee-shop"]] {
                let r = try await run(args)
                #expect(r.exited && r.status == 0, "\(args): \(r)")
            }
            let preview = try await run(["rules", "preview", "--description", "manger", "--tag", "sandwich"])
            #expect(preview.status == 0 && preview.output.contains(id) && preview.output.contains("+tags sandwich"), "\(preview)")

            let head = try await EventLog(connection: conn).headPosition()
            for (args, field) in [(["tag", id, ""], "tag:"), (["tag", id, "bad\u{1}tag"], "tag:"), (["categorise", id, "Nope"], "category:"),
                                  (["rules", "add", "--regex", "(", "--category", "Lunch"], "description_regex:"), (["rules", "add", "--tag", "x"], "rule:"),
                                  (["tag", UUID().uuidString, "x"], "transaction:")] {
                let r = try await run(args)
                #expect(r.exited && r.status != 0 && r.output.contains(field), "\(args): \(r)")
            }
            #expect(try await EventLog(connection: conn).headPosition() == head)

            #expect(try await run(["project"]).status == 0)
            let actors = try await conn.withSession { s in try s.query("SELECT DISTINCT metadata->>'actor' FROM eventlog.events WHERE stream_id LIKE 'annotations/%'").rows.compactMap { $0.string(0) } }
            #expect(actors == ["cli"])
            let explained = try await run(["explain", "transactions", id])
            #expect(explained.status == 0 && explained.output.contains("annotation.category.set") && explained.output.contains("annotation.note.set"), "\(explained)")
            let rules = try await run(["rules"])
            #expect(rules.status == 0 && rules.output.contains("coffee-shop"), "\(rules)")
        }
    }
}
