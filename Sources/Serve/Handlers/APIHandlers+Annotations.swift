import Annotations
import EventLog
import Foundation
import OpenAPIRuntime
import Postgres
import Projections

/// Annotations (write scope): tags, categories, notes and rules, appended as user events by
/// ``AnnotationWriter`` — never written to a table. `If-Match` carries the annotation
/// stream's version (412, nothing appended, when it moved on); each answer's ETag is the
/// stream's new version. Errors name the field (400), or what was not found (404).
extension APIHandlers {
    func addTransactionTag(_ input: Operations.AddTransactionTag.Input) async throws -> Operations.AddTransactionTag.Output {
        let (id, v) = try await transactionEdit(input.path.id, input.headers.ifMatch) { w, actor, version in try await w.addTag(input.path.tag, to: input.path.id, actor: actor, ifVersion: version) }
        return .ok(.init(body: .json(.init(stream: id, version: v))))
    }

    func removeTransactionTag(_ input: Operations.RemoveTransactionTag.Input) async throws -> Operations.RemoveTransactionTag.Output {
        let (id, v) = try await transactionEdit(input.path.id, input.headers.ifMatch) { w, actor, version in try await w.removeTag(input.path.tag, from: input.path.id, actor: actor, ifVersion: version) }
        return .ok(.init(body: .json(.init(stream: id, version: v))))
    }

    func setTransactionCategory(_ input: Operations.SetTransactionCategory.Input) async throws -> Operations.SetTransactionCategory.Output {
        guard case .json(let body) = input.body else { throw APIProblem.badParameter("category", "send a JSON object with category") }
        let (id, v) = try await transactionEdit(input.path.id, input.headers.ifMatch) { w, actor, version in try await w.setCategory(body.category, on: input.path.id, actor: actor, ifVersion: version) }
        return .ok(.init(body: .json(.init(stream: id, version: v))))
    }

    func clearTransactionCategory(_ input: Operations.ClearTransactionCategory.Input) async throws -> Operations.ClearTransactionCategory.Output {
        let (id, v) = try await transactionEdit(input.path.id, input.headers.ifMatch) { w, actor, version in try await w.clearCategory(on: input.path.id, actor: actor, ifVersion: version) }
        return .ok(.init(body: .json(.init(stream: id, version: v))))
    }

    func setTransactionNote(_ input: Operations.SetTransactionNote.Input) async throws -> Operations.SetTransactionNote.Output {
        guard case .json(let body) = input.body else { throw APIProblem.badParameter("note", "send a JSON object with note") }
        let (id, v) = try await transactionEdit(input.path.id, input.headers.ifMatch) { w, actor, version in try await w.setNote(body.note, on: input.path.id, actor: actor, ifVersion: version) }
        return .ok(.init(body: .json(.init(stream: id, version: v))))
    }

    func listOrphanedAnnotations(_ input: Operations.ListOrphanedAnnotations.Input) async throws -> Operations.ListOrphanedAnnotations.Output {
        let items = try await AnnotationReader(connection: pool.connection).orphans().map { o in
            Components.Schemas.Orphan(transactionId: o.targetID, accountId: o.accountID, providerTransactionKey: o.transactionKey, category: o.category, note: o.note,
                                      tags: o.tags, version: o.version)
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    func listCategories(_ input: Operations.ListCategories.Input) async throws -> Operations.ListCategories.Output {
        let list = try await AnnotationWriter(connection: pool.connection).categories()
        StreamETag.set(list.version)
        let items = list.sorted.map { Components.Schemas.Category(id: $0.id, name: $0.name, mergedInto: $0.mergedInto) }
        return .ok(.init(body: .json(.init(items: items, version: list.version))))
    }

    func createCategory(_ input: Operations.CreateCategory.Input) async throws -> Operations.CreateCategory.Output {
        guard case .json(let body) = input.body else { throw APIProblem.badParameter("name", "send a JSON object with name") }
        let r = try await edit(input.headers.ifMatch) { w, actor, ifVersion in try await w.defineCategory(body.name, actor: actor, ifVersion: ifVersion) }
        return .created(.init(body: .json(.init(id: r.id, name: body.name.trimmingCharacters(in: .whitespaces)))))
    }

    func renameCategory(_ input: Operations.RenameCategory.Input) async throws -> Operations.RenameCategory.Output {
        guard case .json(let body) = input.body else { throw APIProblem.badParameter("name", "send a JSON object with name") }
        let id = try Parameters.id(input.path.id).uuidString.lowercased()
        let v = try await edit(input.headers.ifMatch) { w, actor, ifVersion in try await w.renameCategory(id, to: body.name, actor: actor, ifVersion: ifVersion) }
        return .ok(.init(body: .json(.init(stream: StreamName.annotationsCategories, version: v))))
    }

    func mergeCategory(_ input: Operations.MergeCategory.Input) async throws -> Operations.MergeCategory.Output {
        guard case .json(let body) = input.body else { throw APIProblem.badParameter("into", "send a JSON object with into") }
        let id = try Parameters.id(input.path.id).uuidString.lowercased()
        let v = try await edit(input.headers.ifMatch) { w, actor, ifVersion in try await w.mergeCategory(id, into: body.into, actor: actor, ifVersion: ifVersion) }
        return .ok(.init(body: .json(.init(stream: StreamName.annotationsCategories, version: v))))
    }

    func listRules(_ input: Operations.ListRules.Input) async throws -> Operations.ListRules.Output {
        let writer = AnnotationWriter(connection: pool.connection)
        let (rules, categories) = (try await writer.rules(), try await writer.categories())
        StreamETag.set(rules.version)
        let items = rules.order.enumerated().compactMap { i, id -> Components.Schemas.Rule? in
            guard let r = rules.definitions[id] else { return nil }
            return Components.Schemas.Rule(id: id, position: i + 1, provider: r.provider, accountId: r.accountID, counterparty: r.counterparty,
                                           description: r.description, descriptionRegex: r.descriptionRegex, amountMin: r.amountMin, amountMax: r.amountMax,
                                           sign: r.sign?.rawValue, categoryId: r.categoryID, category: r.categoryID.flatMap { categories.categories[$0]?.name }, tags: r.tags)
        }
        return .ok(.init(body: .json(.init(items: items, version: rules.version))))
    }

    func createRule(_ input: Operations.CreateRule.Input) async throws -> Operations.CreateRule.Output {
        guard case .json(let body) = input.body else { throw APIProblem.badParameter("rule", "send a JSON object describing the rule") }
        let rule = Self.rule(body)
        let r = try await edit(input.headers.ifMatch) { w, actor, ifVersion in try await w.defineRule(rule, actor: actor, ifVersion: ifVersion) }
        return .created(.init(body: .json(.init(id: r.id, version: r.version))))
    }

    func changeRule(_ input: Operations.ChangeRule.Input) async throws -> Operations.ChangeRule.Output {
        guard case .json(let body) = input.body else { throw APIProblem.badParameter("rule", "send a JSON object describing the rule") }
        let id = try Parameters.id(input.path.id).uuidString.lowercased()
        let rule = Self.rule(body)
        let v = try await edit(input.headers.ifMatch) { w, actor, ifVersion in try await w.changeRule(id, to: rule, actor: actor, ifVersion: ifVersion) }
        return .ok(.init(body: .json(.init(id: id, version: v))))
    }

    func removeRule(_ input: Operations.RemoveRule.Input) async throws -> Operations.RemoveRule.Output {
        let id = try Parameters.id(input.path.id).uuidString.lowercased()
        let v = try await edit(input.headers.ifMatch) { w, actor, ifVersion in try await w.removeRule(id, actor: actor, ifVersion: ifVersion) }
        return .ok(.init(body: .json(.init(id: id, version: v))))
    }

    func reorderRules(_ input: Operations.ReorderRules.Input) async throws -> Operations.ReorderRules.Output {
        guard case .json(let body) = input.body else { throw APIProblem.badParameter("order", "send a JSON object with order") }
        let v = try await edit(input.headers.ifMatch) { w, actor, ifVersion in try await w.reorderRules(body.order, actor: actor, ifVersion: ifVersion) }
        return .ok(.init(body: .json(.init(stream: StreamName.annotationsRules, version: v))))
    }

    func previewRule(_ input: Operations.PreviewRule.Input) async throws -> Operations.PreviewRule.Output {
        guard case .json(let body) = input.body else { throw APIProblem.badParameter("rule", "send a JSON object describing the rule") }
        let rule = Self.rule(body)
        let conn = pool.connection
        let rows = try await Self.annotations { try await AnnotationWriter(connection: conn).preview(rule, limit: 500) }
        let items = rows.map { r in
            Components.Schemas.RulePreviewItem(transactionId: r.transactionID, date: r.day, money: .init(amount: r.amount, currency: r.currency), counterparty: r.counterparty,
                                               description: r.description, categoryBefore: r.categoryBefore, categoryAfter: r.categoryAfter, tagsAdded: r.tagsAdded)
        }
        return .ok(.init(body: .json(.init(items: items))))
    }

    // MARK: Shared

    /// Runs a transaction edit: the path id checked, `If-Match` read, the actor named; returns
    /// the stream appended to and its new version.
    func transactionEdit(_ rawID: String, _ ifMatch: String?, _ body: @escaping @Sendable (AnnotationWriter, String, Int64?) async throws -> Int64) async throws -> (stream: String, version: Int64) {
        _ = try Parameters.id(rawID)
        let version = try await edit(ifMatch, body)
        let writer = AnnotationWriter(connection: pool.connection)
        return (try await Self.annotations { try await writer.target(of: rawID).target.stream }, version)
    }

    /// Runs an append with the request's `If-Match` and actor; its new version is the ETag.
    func edit(_ ifMatch: String?, _ body: @escaping @Sendable (AnnotationWriter, String, Int64?) async throws -> Int64) async throws -> Int64 {
        let (writer, actor, ifVersion) = (AnnotationWriter(connection: pool.connection), try await actorName(), try Self.ifMatch(ifMatch))
        return try await Self.appended { try await body(writer, actor, ifVersion) }
    }

    /// ``edit(_:_:)`` for an append that defines something (a category, a rule): its id and the version.
    func edit(_ ifMatch: String?, _ body: @escaping @Sendable (AnnotationWriter, String, Int64?) async throws -> (id: String, version: Int64)) async throws -> (id: String, version: Int64) {
        let (writer, actor, ifVersion) = (AnnotationWriter(connection: pool.connection), try await actorName(), try Self.ifMatch(ifMatch))
        let r = try await Self.annotations { try await body(writer, actor, ifVersion) }
        StreamETag.set(r.version)
        return r
    }

    /// The name of the request's token (the actor of its user events).
    func actorName() async throws -> String {
        guard let token = RequestToken.current else { return "api" }
        return try await pool.session { s in try TokenStore.name(of: token, session: s) } ?? "api"
    }

    /// `If-Match: "3"` (or `W/"3"`, or `3`) → 3; `*` → no condition.
    static func ifMatch(_ header: String?) throws -> Int64? {
        guard let header else { return nil }
        var t = header.trimmingCharacters(in: .whitespaces)
        if t == "*" { return nil }
        if t.hasPrefix("W/") { t.removeFirst(2) }
        if t.hasPrefix("\""), t.hasSuffix("\""), t.count >= 2 { t = String(t.dropFirst().dropLast()) }
        guard let v = Int64(t), v >= 0 else { throw APIProblem.badParameter("If-Match", "If-Match must be the ETag (stream version) of an earlier answer, e.g. \"3\"") }
        return v
    }

    static func rule(_ body: Components.Schemas.RuleInput) -> RuleDefinition {
        RuleDefinition(provider: body.provider, accountID: body.accountId, counterparty: body.counterparty, description: body.description,
                       descriptionRegex: body.descriptionRegex, amountMin: body.amountMin, amountMax: body.amountMax,
                       sign: body.sign.flatMap { RuleDefinition.Sign(rawValue: $0.rawValue) }, categoryID: body.category, tags: body.tags ?? [])
    }

    /// Runs an append (`body` returns the stream's new version), which becomes the answer's ETag.
    static func appended(_ body: () async throws -> Int64) async throws -> Int64 {
        let version = try await annotations(body)
        StreamETag.set(version)
        return version
    }

    /// Runs `body`, answering an ``AnnotationError`` as its problem.
    static func annotations<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let e as AnnotationError { throw problem(e) }
    }

    static func problem(_ e: AnnotationError) -> APIProblem {
        let field = e.field ?? "body"
        switch e.code {
        case .invalid: return APIProblem.badParameter(field, e.message)
        case .notFound: return APIProblem(.notFound, status: .notFound, title: "No such \(field)", detail: e.message, parameter: field)
        case .staleVersion: return APIProblem(.preconditionFailed, status: .preconditionFailed, title: "Annotations changed", detail: e.message, parameter: "If-Match")
        }
    }
}
