import CanonicalJSON
import EventLog
import Foundation
import Postgres
import Projections

extension AnnotationWriter {
    /// Defines a rule at the end of the list; returns its id and the rules stream's version.
    public func defineRule(_ rule: RuleDefinition, actor: String, ifVersion: Int64? = nil) async throws -> (id: String, version: Int64) {
        let rule = try await validated(rule)
        let id = UUIDv7.make().uuidString.lowercased()
        let v = try await append(EventCatalog.ruleDefined, ["rule_id": .string(id), "rule": rule.json], to: StreamName.annotationsRules, actor: actor, ifVersion: ifVersion)
        return (id, v)
    }

    public func changeRule(_ id: String, to rule: RuleDefinition, actor: String, ifVersion: Int64? = nil) async throws -> Int64 {
        let id = try await existingRule(id)
        let rule = try await validated(rule)
        return try await append(EventCatalog.ruleChanged, ["rule_id": .string(id), "rule": rule.json], to: StreamName.annotationsRules, actor: actor, ifVersion: ifVersion)
    }

    public func removeRule(_ id: String, actor: String, ifVersion: Int64? = nil) async throws -> Int64 {
        let id = try await existingRule(id)
        return try await append(EventCatalog.ruleRemoved, ["rule_id": .string(id)], to: StreamName.annotationsRules, actor: actor, ifVersion: ifVersion)
    }

    /// Puts the rules listed first, in this order; the others follow in their order.
    public func reorderRules(_ ids: [String], actor: String, ifVersion: Int64? = nil) async throws -> Int64 {
        let list = try await RuleList.read(log)
        var seen = Set<String>()
        for raw in ids {
            let id = raw.lowercased()
            guard list.order.contains(id) else { throw AnnotationError.notFound("order", "no rule \(raw)") }
            guard seen.insert(id).inserted else { throw AnnotationError.invalid("order", "rule \(raw) is listed twice") }
        }
        return try await append(EventCatalog.rulesReordered, ["order": .array(ids.map { .string($0.lowercased()) })], to: StreamName.annotationsRules, actor: actor, ifVersion: ifVersion)
    }

    /// The rule list as the log has it now (its version is what `ifVersion` is checked against).
    public func rules() async throws -> RuleList { try await RuleList.read(log) }

    /// The categories as the log has them now.
    public func categories() async throws -> CategoryList { try await CategoryList.read(log) }

    func existingRule(_ raw: String) async throws -> String {
        let id = raw.lowercased()
        guard try await RuleList.read(log).order.contains(id) else { throw AnnotationError.notFound("rule", "no rule \(raw)") }
        return id
    }

    /// The rule with its category resolved to an id and every field checked, or the error
    /// naming the first bad field. The regular expression is compiled by PostgreSQL itself,
    /// which runs it at fold time, so a saved rule can never fail there.
    public func validated(_ rule: RuleDefinition) async throws -> RuleDefinition {
        var r = rule
        r.provider = try AnnotationInput.condition(r.provider, field: "provider")
        r.accountID = try AnnotationInput.condition(r.accountID, field: "account_id")?.lowercased()
        r.counterparty = try AnnotationInput.condition(r.counterparty, field: "counterparty")
        r.description = try AnnotationInput.condition(r.description, field: "description")
        r.categoryID = try AnnotationInput.condition(r.categoryID, field: "category")
        if let regex = r.descriptionRegex, regex.isEmpty { r.descriptionRegex = nil }
        if let regex = r.descriptionRegex, regex.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            throw AnnotationError.invalid("description_regex", "may not contain control characters")
        }
        guard !r.matchesEverything else {
            throw AnnotationError.invalid("rule", "an empty rule would match every transaction: state at least one of provider, account_id, counterparty, description, description_regex, amount_min, amount_max, sign")
        }
        r.tags = try r.tags.map { try AnnotationInput.tag($0, field: "tags") }
        r.tags = Array(Set(r.tags)).sorted()
        if let a = r.accountID, UUID(uuidString: a) == nil { throw AnnotationError.invalid("account_id", "\"\(a)\" is not an account id (a UUID)") }
        for (field, value) in [("amount_min", r.amountMin), ("amount_max", r.amountMax)] {
            if let value, Decimal(string: value) == nil || value.hasPrefix("-") { throw AnnotationError.invalid(field, "must be a non-negative decimal (the absolute amount; use `sign` for direction)") }
        }
        if let lo = r.amountMin.flatMap({ Decimal(string: $0) }), let hi = r.amountMax.flatMap({ Decimal(string: $0) }), lo > hi {
            throw AnnotationError.invalid("amount_min", "amount_min \(lo) is above amount_max \(hi)")
        }
        if let regex = r.descriptionRegex {
            do {
                try await connection.withSession { s in _ = try s.query("SELECT '' ~* $1", [.text(regex)]) }
            } catch let e as PostgresError where e.sqlState == "2201B" {
                throw AnnotationError.invalid("description_regex", "not a valid regular expression: \(e.message)")
            }
        }
        if let category = r.categoryID {
            guard let c = try await CategoryList.read(log).live(category) else { throw AnnotationError.notFound("category", "no category \"\(category)\"") }
            r.categoryID = c.id
        }
        guard !r.hasNoEffect else { throw AnnotationError.invalid("rule", "a rule must set a category (category_id) or add tags") }
        return r
    }
}
