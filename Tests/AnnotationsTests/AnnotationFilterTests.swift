import Annotations
import CanonicalJSON
import FinsyncTestSupport
import Foundation
import Postgres
import Projections
import Testing

/// The annotation filters of a transactions page (``AnnotatedTransactionSQL/categoryIn(_:id:schema:)``,
/// ``AnnotatedTransactionSQL/categorised(id:schema:)``, ``AnnotatedTransactionSQL/tagged(_:id:schema:)``)
/// select exactly the transactions whose effective annotations (``AnnotatedTransactionSQL/join(schema:transaction:only:)``)
/// say so: person and rule categories, a person's category overriding a rule's, a cleared
/// one letting the rule's through, tags from both.
@Suite struct AnnotationFilterTests {
    typealias F = AnnotationFixture

    @Test func filtersSelectWhatTheEffectiveAnnotationsSay() async throws {
        try await F.withLog { conn, log, writer in
            let shops = [("Tesco", "TESCO STORES"), ("Costa", "REF COFFEE"), ("Shell", "FUEL"), ("Tesco", "REF TESCO")]
            var items: [JSONValue] = []
            for i in 0..<16 {
                let (shop, text) = shops[i % shops.count]
                items.append(F.item("T\(i)", day: "2024-02-\(String(format: "%02d", i + 1))", amount: i % 5 == 0 ? "-150.00" : "-\(i + 1).25",
                                    counterparty: shop, description: text))
            }
            try await F.book(items, to: log)
            try await F.catchUp(conn)
            var ids: [String] = []
            for i in 0..<16 { ids.append(try #require(try await F.id("tid:T\(i)", conn))) }

            let groceries = try await writer.defineCategory("Groceries", actor: "cli").id
            let big = try await writer.defineCategory("Big", actor: "cli").id
            _ = try await writer.defineCategory("Fun", actor: "cli")
            _ = try await writer.defineCategory("Unused", actor: "cli")
            _ = try await writer.defineRule(RuleDefinition(counterparty: "tesco", categoryID: groceries, tags: ["food"]), actor: "cli")
            _ = try await writer.defineRule(RuleDefinition(amountMin: "100", categoryID: big), actor: "cli")
            _ = try await writer.defineRule(RuleDefinition(description: "ref", tags: ["ref"]), actor: "cli")
            _ = try await writer.setCategory("Fun", on: ids[0], actor: "cli")        // a rule's Tesco (and Big): the person's wins
            _ = try await writer.setCategory("Groceries", on: ids[2], actor: "cli")  // no rule's category
            _ = try await writer.setCategory("Fun", on: ids[4], actor: "cli")
            _ = try await writer.clearCategory(on: ids[4], actor: "cli")             // cleared: the rule's Tesco again
            _ = try await writer.setNote("only a note", on: ids[8], actor: "cli")    // an annotation without a category: the rule's Tesco
            _ = try await writer.addTag("weekly", to: ids[1], actor: "cli")
            _ = try await writer.addTag("food", to: ids[2], actor: "cli")            // also a rule's tag elsewhere
            _ = try await writer.addTag("gone", to: ids[3], actor: "cli")
            _ = try await writer.removeTag("gone", from: ids[3], actor: "cli")
            try await F.catchUp(conn)

            let effective = Array(try await F.annotated(conn).values)
            func keys(_ predicate: String, _ parameters: [PostgresParameter] = []) async throws -> [String] {
                try await conn.withSession { s in
                    try s.query("SELECT provider_transaction_key FROM transactions WHERE \(predicate) ORDER BY 1", parameters).rows.compactMap { $0.string(0) }
                }
            }
            let ids_ = "SELECT id FROM \(AnnotatedTransactionSQL.qualified("public", "categories")) WHERE lower(name) = lower($1) OR id::text = lower($1)"
            var checked = 0
            for name in ["Groceries", "Big", "Fun", "Unused", "Nope"] {
                let want = effective.filter { $0.category == name }.map(\.key).sorted()
                #expect(try await keys(AnnotatedTransactionSQL.categoryIn(ids_, id: "transactions.id", schema: "public"), [.text(name)]) == want, "category \(name)")
                checked += want.count
            }
            let categorised = AnnotatedTransactionSQL.categorised(id: "transactions.id", schema: "public")
            #expect(try await keys(categorised) == effective.filter { $0.category != nil }.map(\.key).sorted())
            #expect(try await keys("NOT \(categorised)") == effective.filter { $0.category == nil }.map(\.key).sorted())
            for tag in ["food", "ref", "weekly", "gone", "none"] {
                let want = effective.filter { $0.tags.split(separator: ",").contains(Substring(tag)) }.map(\.key).sorted()
                #expect(try await keys(AnnotatedTransactionSQL.tagged("$1", id: "transactions.id", schema: "public"), [.text(tag)]) == want, "tag \(tag)")
                checked += want.count
            }
            // Each kind of case occurred: the person's category over a rule's, a cleared one, rule and person tags.
            let byKey = Dictionary(uniqueKeysWithValues: effective.map { ($0.key, $0) })
            #expect(byKey["tid:T0"]?.category == "Fun" && byKey["tid:T4"]?.category == "Groceries" && byKey["tid:T4"]?.source != "user")
            #expect(byKey["tid:T8"]?.category == "Groceries" && byKey["tid:T8"]?.source != "user" && byKey["tid:T8"]?.note == "only a note")
            #expect(byKey["tid:T1"]?.category == nil && byKey["tid:T1"]?.tags == "ref,weekly")
            #expect(checked > 12)
        }
    }
}
