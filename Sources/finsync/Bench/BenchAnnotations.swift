import Annotations
import CanonicalJSON
import EventLog
import Foundation
import Postgres
import Projections

/// User events for `finsync bench rebuild --rules N --annotations M`: ten categories, then
/// `M` edits (tags, categories, notes; two per transaction stream) on booked transactions
/// spread over the whole history, then `N` rules built from the log's own counterparties
/// (substrings, every fifth a regular expression, every seventh with an amount range) —
/// appended after the provider events, as a person would make them.
enum BenchAnnotations {
    static func append(rules: Int, annotations: Int, transactionsIn schema: String, log: EventLog, connection: PostgresConnection) async throws -> Int {
        let at = Date()
        var appended = 0
        var categories: [String] = []
        for i in 0..<10 {
            let id = UUIDv7.make().uuidString.lowercased()
            categories.append(id)
            _ = try await log.append([AnnotationWriter.event(EventCatalog.categoryDefined, ["category_id": .string(id), "name": .string("Category \(i)")], actor: "bench", at: at)],
                                     to: StreamName.annotationsCategories)
            appended += 1
        }
        let q: @Sendable (String) -> String = { t in PostgresSession.quoteIdentifier(schema) + "." + PostgresSession.quoteIdentifier(t) }
        let streams = (annotations + 1) / 2
        let (targets, counterparties) = try await connection.withSession { s in
            let total = try s.query("SELECT count(*) FROM \(q("transactions")) WHERE status = 'booked'")[0].int64(0) ?? 0
            let step = max(1, total / Int64(max(streams, 1)))
            let t = try s.query("""
                SELECT id::text, account_id::text, provider_transaction_key FROM (
                    SELECT id, account_id, provider_transaction_key, row_number() OVER (ORDER BY id) AS n FROM \(q("transactions")) WHERE status = 'booked') x
                WHERE n % $1 = 0 LIMIT $2
                """, [PostgresParameter(step), PostgresParameter(streams)]).rows.map {
                AnnotationWriter.TransactionTarget(targetID: $0.string(0) ?? "", accountID: $0.string(1) ?? "", transactionKey: $0.string(2) ?? "")
            }
            let c = try s.query("SELECT DISTINCT lower(counterparty) FROM \(q("transactions")) WHERE counterparty IS NOT NULL ORDER BY 1 LIMIT 200").rows.compactMap { $0.string(0) }
            return (t, c)
        }
        var remaining = annotations
        for (i, target) in targets.enumerated() where remaining > 0 {
            var events = [AnnotationWriter.event(EventCatalog.annotationTagAdded, AnnotationWriter.payload(["tag": .string("tag\(i % 50)")], on: target), actor: "bench", at: at)]
            if remaining > 1 {
                events.append(i % 2 == 0
                    ? AnnotationWriter.event(EventCatalog.annotationCategorySet, AnnotationWriter.payload(["category_id": .string(categories[i % 10])], on: target), actor: "bench", at: at)
                    : AnnotationWriter.event(EventCatalog.annotationNoteSet, AnnotationWriter.payload(["note": .string("note \(i)")], on: target), actor: "bench", at: at))
            }
            remaining -= events.count
            appended += events.count
            _ = try await log.append(events, to: target.stream)
        }
        for i in 0..<rules {
            let cp = counterparties.isEmpty ? "shop" : counterparties[i % counterparties.count]
            var rule = RuleDefinition(categoryID: categories[i % 10], tags: i % 3 == 0 ? ["rule\(i % 10)"] : [])
            if i % 5 == 0 {
                rule.descriptionRegex = "^" + NSRegularExpression.escapedPattern(for: String(cp.prefix(4)))
            } else {
                rule.counterparty = cp
            }
            if i % 7 == 0 { rule.amountMin = "1"; rule.amountMax = "500"; rule.sign = .debit }
            _ = try await log.append([AnnotationWriter.event(EventCatalog.ruleDefined, ["rule_id": .string(UUIDv7.make().uuidString.lowercased()), "rule": rule.json], actor: "bench", at: at)],
                                     to: StreamName.annotationsRules)
            appended += 1
        }
        return appended
    }
}
