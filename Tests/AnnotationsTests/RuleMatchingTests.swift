import Annotations
import CanonicalJSON
import EventLog
import FinsyncTestSupport
import Foundation
import Postgres
import Projections
import Testing

/// ``RuleMatching`` matches classes of transactions (account, counterparty, description and
/// the amount's cell among the rules' bounds), not each transaction. These tests hold it to a
/// plain reading of every transaction against every rule, with amounts on, just inside and
/// just outside each bound, of both signs and zero.
@Suite struct RuleMatchingTests {
    typealias F = AnnotationFixture

    /// A transaction as the reference reads it.
    struct Item { var key: String, amount: Decimal, counterparty: String, description: String }

    /// The rules of the test, in list order, with the category (by name) each sets.
    static let rules: [(rule: RuleDefinition, category: String?)] = [
        (RuleDefinition(counterparty: "tes", amountMax: "10", sign: .debit, tags: ["tes-small"]), "Groceries"),
        (RuleDefinition(amountMin: "10", amountMax: "100", sign: .debit), "Spend"),
        (RuleDefinition(amountMin: "10", sign: .credit, tags: ["in10"]), nil),
        (RuleDefinition(amountMax: "50", tags: ["small"]), nil),
        (RuleDefinition(amountMin: "100"), "Big"),
        (RuleDefinition(sign: .credit), "Income"),
        (RuleDefinition(description: "ref", amountMin: "0.01", amountMax: "0.01", tags: ["penny"]), nil),
        (RuleDefinition(amountMin: "50", amountMax: "50", tags: ["fifty"]), nil),
        (RuleDefinition(descriptionRegex: "^pay", sign: .debit, tags: ["pay-out"]), nil),
    ]

    static let amounts = ["-100.01", "-100", "-99.99", "-50", "-10", "-9.99", "-0.01", "0", "0.01", "9.99", "10", "49.99", "50", "50.01", "100", "100.01", "1000"]

    /// Every rule's conditions, read directly (see ``RuleDefinition``).
    static func matches(_ r: RuleDefinition, _ t: Item) -> Bool {
        if let cp = r.counterparty, !t.counterparty.lowercased().contains(cp.lowercased()) { return false }
        if let d = r.description, !t.description.lowercased().contains(d.lowercased()) { return false }
        if let rx = r.descriptionRegex, t.description.range(of: rx, options: [.regularExpression, .caseInsensitive]) == nil { return false }
        switch r.sign {
        case .debit?: if !(t.amount < 0) { return false }
        case .credit?: if !(t.amount > 0) { return false }
        case nil: break
        }
        let magnitude = t.amount < 0 ? -t.amount : t.amount
        if let min = r.amountMin.flatMap({ Decimal(string: $0) }), magnitude < min { return false }
        if let max = r.amountMax.flatMap({ Decimal(string: $0) }), magnitude > max { return false }
        return true
    }

    /// What the fold must hold for `t`: the first matching rule's category and every matching rule's tags.
    static func expected(_ t: Item) -> (category: String?, tags: [String]) {
        let hits = rules.filter { matches($0.rule, t) }
        return (hits.first { $0.category != nil }?.category, Array(Set(hits.flatMap(\.rule.tags))).sorted())
    }

    @Test func classesMatchLikeAReadingOfEachTransaction() async throws {
        try await F.withLog { conn, log, writer in
            var items: [Item] = []
            for (i, amount) in Self.amounts.enumerated() {
                for (j, shop) in [("Tesco", "PAY TESCO"), ("Costa", "REF 7"), ("Boots", "card")].enumerated() {
                    items.append(Item(key: "M\(i)-\(j)", amount: try #require(Decimal(string: amount)), counterparty: shop.0, description: shop.1))
                }
            }
            let json = { (t: Item) in F.item(t.key, day: "2024-03-01", amount: "\(t.amount)", counterparty: t.counterparty, description: t.description) }
            // Half the history before the rules (matched by the pass over all of it), half after
            // (matched as the batches write it).
            let half = items.count / 2
            try await F.book(items[..<half].map(json), to: log)
            try await F.catchUp(conn)
            var categories: [String: String] = [:]
            for name in Set(Self.rules.compactMap(\.category)) { categories[name] = try await writer.defineCategory(name, actor: "cli").id }
            for (rule, category) in Self.rules {
                var r = rule
                r.categoryID = category.flatMap { categories[$0] }
                _ = try await writer.defineRule(r, actor: "cli")
            }
            try await F.catchUp(conn)
            try await F.book(items[half...].map(json), to: log)
            try await F.catchUp(conn, batchSize: 7)
            let folded = try await F.annotated(conn)
            var checked = 0
            for t in items {
                let want = Self.expected(t)
                let got = try #require(folded["tid:\(t.key)"], "no row for \(t.key)")
                #expect(got.category == want.category, "\(t.key) \(t.amount) \(t.counterparty)")
                #expect(got.tags == want.tags.joined(separator: ","), "\(t.key) \(t.amount) \(t.counterparty)")
                checked += 1
            }
            #expect(checked == Self.amounts.count * 3)
            // Every rule matched something, so each condition was exercised.
            let used = try await conn.withSession { s in
                try s.query("SELECT count(DISTINCT r) FROM transaction_rule_matches, unnest(rule_ids) r")[0].int64(0)
            }
            #expect(used == Int64(Self.rules.count))
        }
    }
}
