import Annotations
import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import Projections
import Replay
import Testing

/// User events folded by the unified projection: they survive rebuilds and replays, follow a
/// pending transaction to its booked successor, and rules re-categorise history on rebuild.
@Suite struct AnnotationFoldTests {
    typealias F = AnnotationFixture

    @Test func annotationsSurviveRebuildAndReplayShowsThemAsOfThatPoint() async throws {
        try await F.withLog { conn, log, writer in
            try await F.book([F.item("T1", day: "2024-01-05", amount: "-12.50", counterparty: "Tesco", description: "TESCO STORES 123"),
                              F.item("T2", day: "2024-01-06", amount: "-3.10", counterparty: "Costa", description: "COSTA COFFEE")], to: log)
            try await F.catchUp(conn)
            let t1 = try #require(try await F.id("tid:T1", conn)), t2 = try #require(try await F.id("tid:T2", conn))
            let groceries = try await writer.defineCategory("Groceries", actor: "cli")
            _ = try await writer.setCategory("groceries", on: t1, actor: "cli")
            _ = try await writer.addTag("weekly", to: t1, actor: "cli")
            let before = try await log.headPosition()
            _ = try await writer.setNote("with Sam", on: t2, actor: "token-a")
            _ = try await writer.addTag("coffee", to: t2, actor: "token-a")
            _ = try await writer.removeTag("weekly", from: t1, actor: "cli")
            _ = try await writer.addTag("weekly", to: t1, actor: "cli")  // tag, untag, tag again: three events, tagged
            try await F.catchUp(conn, batchSize: 3)
            let live = try await F.annotated(conn)
            #expect(live["tid:T1"] == F.Annotated(key: "tid:T1", category: "Groceries", source: "user", tags: "weekly", note: nil))
            #expect(live["tid:T2"] == F.Annotated(key: "tid:T2", category: nil, source: nil, tags: "coffee", note: "with Sam"))
            let stored = try await conn.withSession { s in try s.query("SELECT updated_by FROM transaction_annotations WHERE target_id = $1::uuid", [.text(t2)])[0].string(0) }
            #expect(stored == "token-a")

            let tables = UnifiedProjection().tables
            let incremental = try await F.dump(conn, tables: tables)
            _ = try await ProjectionRebuilder(connection: conn).rebuild(ProjectionCatalog.all)
            let rebuilt = try await F.dump(conn, tables: tables)
            for table in tables { #expect(rebuilt[table] == incremental[table], "table \(table) differs after the rebuild") }
            #expect(try await F.annotated(conn) == live)

            // As of `before`: T1 categorised and tagged, T2 not yet annotated.
            let replay = try await PointInTimeReplay(connection: conn).replay([UnifiedProjection()], at: .position(before), into: "annot_then")
            let then = try await F.annotated(conn, schema: replay.schema)
            #expect(then["tid:T1"] == F.Annotated(key: "tid:T1", category: "Groceries", source: "user", tags: "weekly", note: nil))
            #expect(then["tid:T2"] == F.Annotated(key: "tid:T2", category: nil, source: nil, tags: "", note: nil))
            _ = groceries

            // `finsync explain` lists the user events with the provider's.
            let explained = try await Explainer(connection: conn).explain(table: "transactions", key: [t1])
            #expect(explained.events.map(\.type) == [EventCatalog.gocardlessTransactionBooked.name, EventCatalog.annotationCategorySet.name, EventCatalog.annotationTagAdded.name,
                                                     EventCatalog.annotationTagRemoved.name, EventCatalog.annotationTagAdded.name])
        }
    }

    @Test func aTagOnAPendingTransactionIsOnItsBookedSuccessor() async throws {
        try await F.withLog { conn, log, writer in
            try await F.pending([F.item("P1", day: "2024-02-01", amount: "-40.00", counterparty: "Shell", description: "SHELL FUEL", pending: true)], to: log)
            try await F.catchUp(conn)
            let pendingID = try #require(try await F.id("pending:tid:P1", conn))
            _ = try await writer.defineCategory("Fuel", actor: "cli")
            _ = try await writer.addTag("car", to: pendingID, actor: "cli")
            _ = try await writer.setCategory("Fuel", on: pendingID, actor: "cli")
            try await F.catchUp(conn)
            #expect(try await F.annotated(conn)["pending:tid:P1"]?.tags == "car")

            // It books under the same bank id; the pending row goes, the booked row has the tag.
            try await F.book([F.item("P1", day: "2024-02-02", amount: "-40.00", counterparty: "Shell", description: "SHELL FUEL")], to: log)
            try await F.pending([], to: log)
            try await F.catchUp(conn)
            let now = try await F.annotated(conn)
            #expect(now["pending:tid:P1"] == nil)
            #expect(now["tid:P1"] == F.Annotated(key: "tid:P1", category: "Fuel", source: "user", tags: "car", note: nil))
            // An edit on the booked row goes to the same stream, so untagging works.
            let booked = try #require(try await F.id("tid:P1", conn))
            let (target, version) = try await writer.target(of: booked)
            #expect(target.targetID == pendingID)
            #expect(version == 2)
            _ = try await writer.removeTag("car", from: booked, actor: "cli", ifVersion: version)
            try await F.catchUp(conn)
            #expect(try await F.annotated(conn)["tid:P1"]?.tags == "")
            // Nothing is orphaned.
            let orphans = try await conn.withSession { s in try s.query("SELECT count(*) FROM transaction_annotations WHERE transaction_id IS NULL")[0].int64(0) }
            #expect(orphans == 0)
        }
    }

    @Test func ruleChangePlusRebuildRecategorisesHistoryWhileExplicitCategoriesStay() async throws {
        try await F.withLog { conn, log, writer in
            try await F.book([F.item("A", day: "2023-03-01", amount: "-9.99", counterparty: "Netflix", description: "NETFLIX.COM"),
                              F.item("B", day: "2023-04-01", amount: "-9.99", counterparty: "Netflix", description: "NETFLIX.COM"),
                              F.item("C", day: "2023-04-02", amount: "-60.00", counterparty: "Tesco", description: "TESCO STORES"),
                              F.item("D", day: "2023-04-03", amount: "1500.00", counterparty: "ACME", description: "SALARY")], to: log)
            try await F.catchUp(conn)
            let fun = try await writer.defineCategory("Fun", actor: "cli").id
            let subs = try await writer.defineCategory("Subscriptions", actor: "cli").id
            let rule = try await writer.defineRule(RuleDefinition(descriptionRegex: "^netflix", sign: .debit, categoryID: fun, tags: ["tv"]), actor: "cli")
            _ = try await writer.defineRule(RuleDefinition(counterparty: "tesco", amountMin: "10", amountMax: "100", categoryID: "Fun"), actor: "cli")
            let explicitB = try #require(try await F.id("tid:B", conn))
            _ = try await writer.setCategory(subs, on: explicitB, actor: "cli")
            try await F.catchUp(conn)
            var now = try await F.annotated(conn)
            #expect(now["tid:A"] == F.Annotated(key: "tid:A", category: "Fun", source: rule.id, tags: "tv", note: nil))
            #expect(now["tid:B"] == F.Annotated(key: "tid:B", category: "Subscriptions", source: "user", tags: "tv", note: nil))
            #expect(now["tid:C"]?.category == "Fun")
            #expect(now["tid:D"]?.category == nil)

            // The rule changes: history is re-categorised (live, and identically by a rebuild).
            _ = try await writer.changeRule(rule.id, to: RuleDefinition(description: "netflix", categoryID: subs), actor: "cli")
            try await F.catchUp(conn)
            let live = try await F.annotated(conn)
            _ = try await ProjectionRebuilder(connection: conn).rebuild([UnifiedProjection()])
            now = try await F.annotated(conn)
            #expect(now == live)
            #expect(now["tid:A"] == F.Annotated(key: "tid:A", category: "Subscriptions", source: rule.id, tags: "", note: nil))
            #expect(now["tid:B"] == F.Annotated(key: "tid:B", category: "Subscriptions", source: "user", tags: "", note: nil))
            // New transactions are categorised as they are folded.
            try await F.book([F.item("E", day: "2023-05-01", amount: "-9.99", counterparty: "Netflix", description: "Netflix monthly")], to: log)
            try await F.catchUp(conn)
            #expect(try await F.annotated(conn)["tid:E"]?.source == rule.id)
        }
    }

    /// A change to a few of many rules re-matches only what they touch; the result must
    /// equal matching everything afresh (a rebuild), after every kind of rule event.
    @Test func incrementalRuleChangesEqualARebuild() async throws {
        try await F.withLog { conn, log, writer in
            let shops = ["Tesco", "Costa", "Shell", "Amazon", "Netflix", "Boots"]
            try await F.book((0..<90).map { i in
                F.item("R\(i)", day: "2024-0\(1 + i % 6)-1\(i % 9)", amount: i % 5 == 0 ? "\(i).00" : "-\(i % 40 + 1).50", counterparty: shops[i % 6], description: "\(shops[i % 6].uppercased()) REF \(i % 7)")
            }, to: log)
            try await F.catchUp(conn)
            let a = try await writer.defineCategory("A", actor: "cli").id, b = try await writer.defineCategory("B", actor: "cli").id
            var ids: [String] = []
            for (i, shop) in shops.enumerated() {
                ids.append(try await writer.defineRule(RuleDefinition(counterparty: shop.lowercased(), amountMax: i % 2 == 0 ? "20" : nil, categoryID: i % 2 == 0 ? a : b,
                                                                      tags: ["t\(i)"]), actor: "cli").id)
            }
            ids.append(try await writer.defineRule(RuleDefinition(descriptionRegex: "ref [0-3]$", sign: .debit, tags: ["low-ref"]), actor: "cli").id)
            try await F.catchUp(conn)
            let tables = ["transaction_rule_matches"]
            let edits: [() async throws -> Void] = [
                { _ = try await writer.changeRule(ids[1], to: RuleDefinition(description: "ref 2", categoryID: a), actor: "cli") },
                { _ = try await writer.removeRule(ids[2], actor: "cli") },
                { _ = try await writer.defineRule(RuleDefinition(counterparty: "o", categoryID: b, tags: ["has-o"]), actor: "cli") },
                { _ = try await writer.reorderRules([ids[6], ids[5]], actor: "cli") },
                { _ = try await writer.mergeCategory("B", into: "A", actor: "cli") },
            ]
            for edit in edits {
                try await edit()
                try await F.catchUp(conn, batchSize: 1)
                let live = try await F.dump(conn, tables: tables)
                let annotated = try await F.annotated(conn)
                _ = try await ProjectionRebuilder(connection: conn).rebuild([UnifiedProjection()])
                #expect(try await F.dump(conn, tables: tables) == live)
                #expect(try await F.annotated(conn) == annotated)
            }
            #expect(try await F.annotated(conn).values.contains { $0.tags.contains("has-o") })
        }
    }

    @Test func aStaleVersionIsRefusedAndAppendsNothing() async throws {
        try await F.withLog { conn, log, writer in
            try await F.book([F.item("T1", day: "2024-01-05", amount: "-1.00", counterparty: "X", description: "Y")], to: log)
            try await F.catchUp(conn)
            let t1 = try #require(try await F.id("tid:T1", conn))
            let v1 = try await writer.addTag("a", to: t1, actor: "alice", ifVersion: 0)
            #expect(v1 == 1)
            _ = try await writer.addTag("b", to: t1, actor: "bob", ifVersion: v1)
            let head = try await log.headPosition()
            let error = await #expect(throws: AnnotationError.self) { try await writer.setNote("late", on: t1, actor: "alice", ifVersion: v1) }
            #expect(error?.code == .staleVersion)
            #expect(error?.currentVersion == 2)
            #expect(try await log.headPosition() == head)
        }
    }

    @Test func orphanedAnnotationsAreKeptAndListed() async throws {
        try await F.withLog { conn, log, writer in
            // A pending item without a bank id disappears from the pending set and books differently.
            try await F.pending([F.item(nil, day: "2024-02-01", amount: "-5.00", counterparty: "Kiosk", description: "KIOSK", pending: true)], to: log)
            try await F.catchUp(conn)
            let pendingID = try #require(try await conn.withSession { s in try s.query("SELECT id::text FROM transactions WHERE status = 'pending'")[0].string(0) })
            _ = try await writer.setNote("cash back", on: pendingID, actor: "cli")
            try await F.catchUp(conn)
            try await F.pending([], to: log)
            try await F.catchUp(conn)
            let orphans = try await AnnotationReader(connection: conn).orphans()
            #expect(orphans.map(\.targetID) == [pendingID])
            #expect(orphans.first?.note == "cash back")
            // Still editable by its stream key, and rebuilt the same.
            _ = try await writer.addTag("misc", to: pendingID, actor: "cli")
            try await F.catchUp(conn)
            _ = try await ProjectionRebuilder(connection: conn).rebuild([UnifiedProjection()])
            #expect(try await AnnotationReader(connection: conn).orphans().first?.tags == ["misc"])
        }
    }

    @Test func spendByCategoryEqualsAStraightforwardRecomputation() async throws {
        try await F.withLog { conn, log, writer in
            var items: [JSONValue] = []
            let shops = ["Tesco", "Costa", "Shell", "Amazon"]
            for i in 0..<60 {
                items.append(F.item("S\(i)", day: "2024-0\(1 + i % 3)-\(10 + i % 15)", amount: i % 7 == 0 ? "25.00" : "-\(i + 1).25", counterparty: shops[i % 4], description: "\(shops[i % 4]) purchase"))
            }
            try await F.book(items, to: log)
            try await F.catchUp(conn)
            let food = try await writer.defineCategory("Food", actor: "cli").id
            _ = try await writer.defineCategory("Travel", actor: "cli")
            _ = try await writer.defineRule(RuleDefinition(counterparty: "tesco", categoryID: food), actor: "cli")
            _ = try await writer.defineRule(RuleDefinition(description: "shell", categoryID: "Travel"), actor: "cli")
            _ = try await writer.setCategory("Travel", on: try #require(try await F.id("tid:S1", conn)), actor: "cli")
            try await F.catchUp(conn, batchSize: 2)
            let aggregate = try await conn.withSession { s in
                try s.query("SELECT month::text, coalesce(category, '-'), spend::text, transaction_count FROM (\(AnnotatedTransactionSQL.monthlySpendByCategory(schema: "public"))) x")
                    .rows.map { "\($0.string(0)!) \($0.string(1)!) \(Decimal(string: $0.string(2)!)!) \($0.int64(3)!)" }.sorted()
            }
            // By hand: each booked debit's category is the explicit one, else the first matching rule's.
            var expected: [String: (Decimal, Int)] = [:]
            for (i, item) in items.enumerated() {
                let amount = Decimal(string: item["transactionAmount"]!["amount"]!.string!)!
                guard amount < 0 else { continue }
                let shop = shops[i % 4]
                let category = i == 1 ? "Travel" : shop == "Tesco" ? "Food" : shop == "Shell" ? "Travel" : "-"
                let key = String(item["bookingDate"]!.string!.prefix(7)) + "-01 " + category
                expected[key, default: (0, 0)].0 -= amount
                expected[key, default: (0, 0)].1 += 1
            }
            #expect(aggregate == expected.map { "\($0.key) \($0.value.0) \($0.value.1)" }.sorted())
        }
    }

    @Test(arguments: [("", "tag"), (String(repeating: "x", count: 65), "tag"), ("bad\u{7}tag", "tag")])
    func badTagsAreRefusedNamingTheFieldAndAppendNothing(tag: String, field: String) async throws {
        try await F.withLog { conn, log, writer in
            try await F.book([F.item("T1", day: "2024-01-05", amount: "-1.00", counterparty: "X", description: "Y")], to: log)
            try await F.catchUp(conn)
            let t1 = try #require(try await F.id("tid:T1", conn))
            let head = try await log.headPosition()
            let error = await #expect(throws: AnnotationError.self) { try await writer.addTag(tag, to: t1, actor: "cli") }
            #expect(error?.code == .invalid)
            #expect(error?.field == field)
            #expect(try await log.headPosition() == head)
        }
    }

    @Test func badRulesUnknownTargetsAreRefusedNamingTheFieldAndAppendNothing() async throws {
        try await F.withLog { conn, log, writer in
            try await F.book([F.item("T1", day: "2024-01-05", amount: "-1.00", counterparty: "X", description: "Y")], to: log)
            try await F.catchUp(conn)
            let t1 = try #require(try await F.id("tid:T1", conn))
            let cat = try await writer.defineCategory("Food", actor: "cli").id
            let head = try await log.headPosition()
            let cases: [(String, AnnotationError.Code, () async throws -> Void)] = [
                ("description_regex", .invalid, { _ = try await writer.defineRule(RuleDefinition(descriptionRegex: "(unclosed", categoryID: cat), actor: "cli") }),
                ("rule", .invalid, { _ = try await writer.defineRule(RuleDefinition(categoryID: cat), actor: "cli") }),
                ("rule", .invalid, { _ = try await writer.defineRule(RuleDefinition(description: "x"), actor: "cli") }),
                ("category", .notFound, { _ = try await writer.defineRule(RuleDefinition(description: "x", categoryID: "Nope"), actor: "cli") }),
                ("tags", .invalid, { _ = try await writer.defineRule(RuleDefinition(description: "x", tags: [" "]), actor: "cli") }),
                ("counterparty", .invalid, { _ = try await writer.defineRule(RuleDefinition(counterparty: "a\u{0}b", categoryID: cat), actor: "cli") }),
                ("amount_min", .invalid, { _ = try await writer.defineRule(RuleDefinition(amountMin: "50", amountMax: "10", categoryID: cat), actor: "cli") }),
                ("category", .notFound, { _ = try await writer.setCategory("Nope", on: t1, actor: "cli") }),
                ("transaction", .notFound, { _ = try await writer.addTag("ok", to: UUID().uuidString, actor: "cli") }),
                ("transaction", .invalid, { _ = try await writer.addTag("ok", to: "not-an-id", actor: "cli") }),
                ("name", .invalid, { _ = try await writer.defineCategory("food", actor: "cli") }),
                ("rule", .notFound, { _ = try await writer.removeRule(UUID().uuidString, actor: "cli") }),
            ]
            for (field, code, body) in cases {
                let error = await #expect(throws: AnnotationError.self, "\(field)") { try await body() }
                #expect(error?.field == field)
                #expect(error?.code == code, "\(field): \(error.map { "\($0)" } ?? "")")
            }
            #expect(try await log.headPosition() == head)
        }
    }

    @Test func previewShowsWhatADraftRuleWouldChangeWithoutSavingIt() async throws {
        try await F.withLog { conn, log, writer in
            try await F.book([F.item("A", day: "2023-03-01", amount: "-9.99", counterparty: "Netflix", description: "NETFLIX.COM"),
                              F.item("B", day: "2023-04-01", amount: "-9.99", counterparty: "Netflix", description: "NETFLIX.COM"),
                              F.item("C", day: "2023-04-02", amount: "-60.00", counterparty: "Tesco", description: "TESCO STORES")], to: log)
            try await F.catchUp(conn)
            let tv = try await writer.defineCategory("TV", actor: "cli").id
            _ = try await writer.defineCategory("Mine", actor: "cli")
            _ = try await writer.setCategory("Mine", on: try #require(try await F.id("tid:B", conn)), actor: "cli")
            try await F.catchUp(conn)
            let head = try await log.headPosition()
            let rows = try await writer.preview(RuleDefinition(counterparty: "netflix", categoryID: tv))
            #expect(rows.map(\.transactionID) == [try #require(try await F.id("tid:A", conn))])
            #expect(rows.first?.categoryBefore == nil && rows.first?.categoryAfter == "TV")
            let tagged = try await writer.preview(RuleDefinition(counterparty: "netflix", tags: ["stream"]))
            #expect(tagged.count == 2 && tagged.allSatisfy { $0.tagsAdded == ["stream"] })
            #expect(try await log.headPosition() == head)
        }
    }
}
